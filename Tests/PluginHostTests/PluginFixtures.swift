import BosunPlugin
import Foundation
import Testing

/// Libraries the tests load: the sample plugin built by `swift build`, and small C libraries
/// compiled here with `cc` to stand for broken or foreign-built plugins.
enum PluginFixtures {
    /// A fresh directory for one test's files.
    static func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-plugin-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A library built next to the test bundle by `swift build`.
    static func builtLibrary(_ name: String) throws -> String {
        let exe = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("lib\(name).so").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        Issue.record("lib\(name).so not found next to \(exe): run `swift build` before `swift test`")
        throw CancellationError()
    }

    /// Compiles `source` (C) into a shared library in `dir`; returns its path.
    static func compileC(_ source: String, named name: String, in dir: URL) throws -> String {
        let c = dir.appendingPathComponent(name + ".c")
        let so = dir.appendingPathComponent("lib" + name + ".so")
        try source.write(to: c, atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-shared", "-fPIC", "-o", so.path, c.path]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0, "cc failed on \(c.path)")
        return so.path
    }

    /// A C library exporting `bosun_plugin_entry` with the given descriptor fields, laid out as
    /// `BosunPluginDescriptor` documents: what a plugin built by another toolchain or against
    /// another BosunKit looks like to the host.
    static func descriptorLibrary(abi: UInt32, bosunKit: String, swift: String, name: String, in dir: URL) throws -> String {
        try compileC("""
            #include <stddef.h>
            #include <stdint.h>
            struct bosun_plugin_descriptor {
                uint32_t abi_version;
                const char *bosunkit_version;
                const char *swift_compiler;
                const char *name;
                const char *version;
                void *context;
                char *(*register_plugin)(void *context, void *registrar);
            };
            static char *refuse(void *context, void *registrar) { return NULL; }
            static struct bosun_plugin_descriptor descriptor = {
                \(abi), "\(bosunKit)", "\(swift)", "\(name)", "9.9.9", NULL, refuse
            };
            const struct bosun_plugin_descriptor *bosun_plugin_entry(void) { return &descriptor; }
            """, named: name, in: dir)
    }
}
