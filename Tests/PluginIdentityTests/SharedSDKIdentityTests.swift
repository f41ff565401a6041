import BosunKit
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The decided architecture rests on this: host and plugin link one `libBosunKit.so`, so type
/// identity and global state are shared. If SwiftPM ever embedded a second copy of BosunKit into
/// the plugin, these casts and lookups would fail.
@Suite("Shared BosunKit between host and plugin")
struct SharedSDKIdentityTests {
    /// The sample plugin library built next to this test bundle by `swift build`.
    static func pluginPath() throws -> String {
        let exe = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle may sit inside `X.xctest/` on some layouts; search upwards a little.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("libIdentityProbePlugin.so").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        Issue.record("libIdentityProbePlugin.so not found next to \(exe): run `swift build` before `swift test`")
        throw CancellationError()
    }

    static func open() throws -> UnsafeMutableRawPointer {
        let path = try pluginPath()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            Issue.record("dlopen failed: \(String(cString: dlerror()))")
            throw CancellationError()
        }
        return handle
    }

    @Test("a Pod made in the plugin casts to Pod in the host")
    func valueIdentity() throws {
        let handle = try Self.open()
        let symbol = try #require(dlsym(handle, "bosun_identity_probe_make_pod"))
        typealias MakeFn = @convention(c) () -> UnsafeMutableRawPointer
        let make = unsafeBitCast(symbol, to: MakeFn.self)
        let box = OpaqueValue.take(make())
        let pod = try #require(box.value as? Pod, "the plugin's Pod does not cast to the host's Pod")
        #expect(pod.metadata.name == "made-in-plugin")
        #expect(pod.spec.containers.first?.image == "busybox")
        // Protocol conformances are shared too.
        let resource = try #require(box.value as? any Resource)
        #expect(type(of: resource).resource.plural == "pods")
    }

    @Test("a kind the plugin registers is visible in the host's registry")
    func globalStateIsShared() throws {
        let handle = try Self.open()
        let symbol = try #require(dlsym(handle, "bosun_identity_probe_register"))
        typealias RegisterFn = @convention(c) () -> Int32
        let register = unsafeBitCast(symbol, to: RegisterFn.self)
        #expect(register() == 0)

        let gvk = GroupVersionKind(group: "probe.bosun.dev", version: "v1", kind: "ProbeWidget")
        let type = try #require(KindRegistry.shared.type(for: gvk), "the plugin's registration is not visible to the host")
        #expect(type.resource.plural == "probewidgets")

        // The host can now decode the plugin's kind, and it round-trips through JSON.
        let json = try JSONParser.parse(#"""
            {"apiVersion":"probe.bosun.dev/v1","kind":"ProbeWidget","metadata":{"name":"w","namespace":"default"},
             "spec":{"size":3,"template":{"metadata":{"labels":{"app":"w"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """#)
        let object = try UnstructuredObject(json: json)
        let typed = try #require(try KindRegistry.shared.decodeTyped(object))
        #expect(typed.metadata.name == "w")
        #expect(typed.jsonValue() == json)
    }

    @Test("the plugin and the host link the same libBosunKit.so")
    func sameLibraryIsMapped() throws {
        _ = try Self.open()
        // Read to EOF ourselves: procfs reports a size of 0, and with many threads (each with a
        // mapped stack) the file outgrows what a size-guided read takes in.
        let maps = try #require(FileHandle(forReadingAtPath: "/proc/self/maps")).readDataToEndOfFile()
            .withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let paths = Set(maps.split(separator: "\n").compactMap { line -> String? in
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last,
                  path.hasSuffix("libBosunKit.so") else { return nil }
            return String(path)
        })
        #expect(paths.count == 1, "expected exactly one libBosunKit.so mapped, found \(paths)")
    }
}
