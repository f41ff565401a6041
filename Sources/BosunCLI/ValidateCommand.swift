import ArgumentParser
import BosunKit
import BosunManifests
import Foundation

/// `bosun validate -f FILE`: reads manifests, applies Kubernetes' defaults and validates each object
/// as kube-apiserver would on create, reporting every problem with its document, line and field.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load, default and validate Kubernetes manifests.",
        discussion: """
            Reads YAML (multi-document) or JSON manifests, applies Kubernetes' defaults and validates
            every object as kube-apiserver would on create. Custom resources whose CustomResourceDefinition
            is among the inputs get metadata validation. Exits with status 1 if any object is invalid.
            """
    )

    @Option(name: [.customShort("f"), .long], help: "A manifest file, or - for standard input. Repeatable.",
            completion: .file(extensions: ["yaml", "yml", "json"]))
    var filename: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Print the defaulted objects: yaml or json.")
    var output: OutputFormat?

    enum OutputFormat: String, ExpressibleByArgument { case yaml, json }

    func validate() throws {
        if filename.isEmpty { throw ValidationError("give at least one manifest with -f FILE") }
    }

    func run() throws {
        var documents: [ManifestDocument] = []
        var failed = false
        for file in filename {
            do {
                documents += try ManifestReader.read(bytes: try Self.contents(of: file), source: file)
            } catch let error as ManifestError {
                printError(error.description)
                failed = true
            }
        }

        var checker = ManifestValidator()
        checker.learnCustomKinds(from: documents)
        var outputs: [JSONValue] = []
        for document in documents {
            switch checker.check(document) {
            case .valid(let object, let label):
                if output == nil { print("\(label): valid") }
                outputs.append(object)
            case .invalid(let message):
                printError(message)
                failed = true
            }
        }

        switch output {
        case .json:
            let value: JSONValue = outputs.count == 1 ? outputs[0] : ["apiVersion": "v1", "kind": "List", "items": .array(outputs)]
            print(value.description)
        case .yaml:
            print(try outputs.map { try YAMLWriter.string(for: $0) }.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "---\n"), terminator: "")
        case nil:
            break
        }
        if failed { throw ExitCode(1) }
    }

    static func contents(of file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file): no such file or not readable")
        }
        return Array(data)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
