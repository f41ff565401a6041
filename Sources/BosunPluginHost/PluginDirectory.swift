import Foundation

/// A plugins directory: every `.so` directly inside it is a plugin to load, in name order (so
/// the order, which decides who wins a contested kind or hook name, is stable).
public enum PluginDirectory {
    /// The libraries in `path`; none when it does not exist. Subdirectories and other files are
    /// ignored, symbolic links to libraries followed.
    public static func libraries(in path: String) -> [String] {
        let directory = URL(fileURLWithPath: path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".so") }.sorted().map { directory.appendingPathComponent($0).path }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
