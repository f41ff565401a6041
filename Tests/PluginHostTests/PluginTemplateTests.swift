import BosunPluginHost
import Foundation
import Testing

/// `bosun plugin init`'s template: the embedded copy is Samples/PluginTemplate (which this
/// package builds and tests), renamed.
@Suite("Plugin template")
struct PluginTemplateTests {
    static let template = CPluginTests.repository.appendingPathComponent("Samples/PluginTemplate")

    @Test("the embedded template is Samples/PluginTemplate as it is (else run Tools/generate-plugin-template.py)")
    func embeddedIsCurrent() throws {
        let rendered = try PluginTemplate.render(name: "Widget", bosunKitPath: "../../Plugins/BosunKit")
        var onDisk: [String] = []
        let walker = try #require(FileManager.default.enumerator(atPath: Self.template.path))
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: Self.template.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { onDisk.append(path == "Package.swift.template" ? "Package.swift" : path) }
        }
        #expect(rendered.map(\.path).sorted() == onDisk.sorted())
        for file in rendered {
            let name = file.path == "Package.swift" ? "Package.swift.template" : file.path
            let text = try String(contentsOf: Self.template.appendingPathComponent(name), encoding: .utf8)
            #expect(file.contents + "\n" == text, "\(file.path) differs from the template")
        }
    }

    @Test("init renames the kind, its plural and the package, and points at the given BosunKit")
    func renames() throws {
        let dir = try PluginFixtures.directory().appendingPathComponent("greeter")
        let written = try PluginTemplate.write(name: "Greeter", bosunKitPath: "/opt/bosun/Plugins/BosunKit", into: dir)
        #expect(written.sorted() == [
            "Package.swift", "Sources/GreeterPlugin/Greeter.swift", "Sources/GreeterPlugin/GreeterController.swift",
            "Sources/GreeterPlugin/GreeterPlugin.swift", "Tests/GreeterPluginTests/GreeterPluginTests.swift",
        ])
        let package = try String(contentsOf: dir.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(package.contains(#".package(name: "BosunKit", path: "/opt/bosun/Plugins/BosunKit")"#))
        #expect(package.contains(#".library(name: "GreeterPlugin", type: .dynamic, targets: ["GreeterPlugin"])"#))
        let kind = try String(contentsOf: dir.appendingPathComponent("Sources/GreeterPlugin/Greeter.swift"), encoding: .utf8)
        #expect(kind.contains(#"kind: "Greeter", plural: "greeters""#))
        #expect(!kind.contains("Widget") && !kind.contains("widget"))

        #expect(throws: PluginTemplate.Failure.self) {
            try PluginTemplate.write(name: "Greeter", bosunKitPath: "/x", into: dir)
        }
        #expect(throws: PluginTemplate.Failure.self) {
            try PluginTemplate.render(name: "lower-case", bosunKitPath: "/x")
        }
    }
}

@Suite("Plugins directory")
struct PluginDirectoryTests {
    @Test("every .so directly inside, in name order; other files, subdirectories and a missing directory give none")
    func libraries() throws {
        let dir = try PluginFixtures.directory()
        for name in ["b.so", "a.so", "notes.txt"] {
            try Data().write(to: dir.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested.so"), withIntermediateDirectories: true)
        #expect(PluginDirectory.libraries(in: dir.path) == [dir.appendingPathComponent("a.so").path, dir.appendingPathComponent("b.so").path])
        #expect(PluginDirectory.libraries(in: dir.appendingPathComponent("missing").path).isEmpty)
    }
}
