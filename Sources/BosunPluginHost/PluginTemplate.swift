import Foundation

/// The package `bosun plugin init NAME` writes: a plugin serving one custom kind with a
/// controller and a test — `Samples/PluginTemplate` with `Widget` renamed to `NAME`.
public enum PluginTemplate {
    public enum Failure: Error, CustomStringConvertible {
        case invalidName(String)
        case exists(String)

        public var description: String {
            switch self {
            case .invalidName(let name):
                "\"\(name)\" is not a kind name: use an upper-camel-case Swift identifier such as Greeter or BackupPolicy"
            case .exists(let path):
                "\(path) exists already; choose another directory or remove it"
            }
        }
    }

    /// The files for kind `name`, their package depending on the BosunKit at `bosunKitPath`:
    /// relative path and contents.
    public static func render(name: String, bosunKitPath: String) throws(Failure) -> [(path: String, contents: String)] {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first),
              name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) })
        else { throw .invalidName(name) }
        let lower = name.lowercased()
        func renamed(_ text: String) -> String {
            text.replacingOccurrences(of: "Widget", with: name)
                .replacingOccurrences(of: "widget", with: lower)
                .replacingOccurrences(of: "../../Plugins/BosunKit", with: bosunKitPath)
        }
        return files.map { (renamed($0.path), renamed($0.contents)) }
    }

    /// Writes the package for kind `name` into `directory`, which must not exist yet.
    public static func write(name: String, bosunKitPath: String, into directory: URL) throws -> [String] {
        let files = try render(name: name, bosunKitPath: bosunKitPath)
        guard !FileManager.default.fileExists(atPath: directory.path) else { throw Failure.exists(directory.path) }
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return files.map(\.path)
    }
}
