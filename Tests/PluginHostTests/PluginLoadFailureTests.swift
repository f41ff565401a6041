import BosunPlugin
import BosunPluginHost
import Foundation
import Testing

/// Every way opening a plugin library fails, each with a message that names the plugin and the fix.
@Suite("Plugin loading failures")
struct PluginLoadFailureTests {
    func refusal(_ path: String) throws -> PluginLoadError {
        do {
            _ = try PluginLibrary.open(path)
        } catch {
            return error
        }
        Issue.record("\(path) was accepted")
        throw CancellationError()
    }

    @Test("a missing file")
    func missingFile() throws {
        let error = try refusal("/nonexistent/libgone.so")
        #expect(error.reason == .fileMissing)
        #expect(error.description == "plugin /nonexistent/libgone.so: no such file; build the plugin (swift build) and pass the path of its .so")
    }

    @Test("a text file named .so")
    func notAnELFFile() throws {
        let path = try PluginFixtures.directory().appendingPathComponent("libnotes.so").path
        try "just some notes\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try refusal(path)
        #expect(error.reason == .notSharedObject)
        #expect(error.description == "plugin \(path): not an ELF shared object; pass the plugin's .so, built by a dynamic library product (type: .dynamic)")
    }

    @Test("an ELF object file that is not a shared object")
    func relocatableObject() throws {
        // ELF, but ET_REL: what `cc -c` makes. dlopen would refuse it with a vaguer message.
        let dir = try PluginFixtures.directory()
        let c = dir.appendingPathComponent("o.c")
        try "int f(void) { return 1; }\n".write(to: c, atomically: true, encoding: .utf8)
        let object = dir.appendingPathComponent("libobject.so").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-c", "-o", object, c.path]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0)
        #expect(try refusal(object).reason == .notSharedObject)
    }

    @Test("a shared object without the entry symbol")
    func missingEntrySymbol() throws {
        let path = try PluginFixtures.compileC("int unrelated(void) { return 42; }\n", named: "noentry", in: PluginFixtures.directory())
        let error = try refusal(path)
        #expect(error.reason == .missingEntry)
        #expect(error.description == "plugin \(path): the library does not export bosun_plugin_entry; a plugin declares it with @_cdecl(\"bosun_plugin_entry\") returning BosunPluginEntry.descriptor(for:) (see docs/writing-a-plugin.md)")
    }

    @Test("another plugin ABI version")
    func abiMismatch() throws {
        let path = try PluginFixtures.descriptorLibrary(
            abi: 99, bosunKit: PluginABI.bosunKitVersion, swift: PluginABI.swiftCompilerVersion, name: "future",
            in: PluginFixtures.directory())
        let error = try refusal(path)
        #expect(error.reason == .abiMismatch)
        #expect(error.plugin == "future")
        #expect(error.description == "plugin \"future\" (\(path)): the plugin speaks plugin ABI v99, this host speaks v1; rebuild the plugin against the host's BosunKit (BosunKit \(PluginABI.bosunKitVersion), Swift \(PluginABI.swiftCompilerVersion), plugin ABI v1)")
    }

    @Test("another Swift compiler")
    func toolchainMismatch() throws {
        let path = try PluginFixtures.descriptorLibrary(
            abi: PluginABI.version, bosunKit: PluginABI.bosunKitVersion, swift: "5.10.1", name: "old-toolchain",
            in: PluginFixtures.directory())
        let error = try refusal(path)
        #expect(error.reason == .toolchainMismatch)
        #expect(error.description == "plugin \"old-toolchain\" (\(path)): the plugin was built with Swift 5.10.1, this host with Swift \(PluginABI.swiftCompilerVersion); Swift has no stable ABI on Linux — rebuild the plugin with the host's toolchain (Swift \(PluginABI.swiftCompilerVersion))")
    }

    @Test("another BosunKit")
    func bosunKitMismatch() throws {
        let path = try PluginFixtures.descriptorLibrary(
            abi: PluginABI.version, bosunKit: "0.0.1", swift: PluginABI.swiftCompilerVersion, name: "old-sdk",
            in: PluginFixtures.directory())
        let error = try refusal(path)
        #expect(error.reason == .bosunKitMismatch)
        #expect(error.description == "plugin \"old-sdk\" (\(path)): the plugin was built against BosunKit 0.0.1, this host runs BosunKit \(PluginABI.bosunKitVersion); rebuild the plugin against BosunKit \(PluginABI.bosunKitVersion)")
    }

    @Test("the sample plugin passes the handshake and describes itself")
    func sampleDescriptor() throws {
        let path = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let library = try PluginLibrary.open(path)
        #expect(library.info == PluginDescriptorInfo(
            abiVersion: 1, bosunKitVersion: PluginABI.bosunKitVersion, swiftCompiler: PluginABI.swiftCompilerVersion,
            name: "deployment-defaults", version: "0.1.0"))
        #expect(library.info.summary.contains("name:            deployment-defaults"))
    }
}
