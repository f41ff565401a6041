import BosunKit
import BosunPluginHost
import BosunRuntime
import Foundation
import Logging
import Testing

/// Unloading and reloading plugins while the control plane runs (`PluginSet`), with the sample
/// `deployment-defaults` (a mutating hook on Deployments and a controller that keeps a summary
/// ConfigMap per Deployment) loaded from its `.so`.
@Suite("Plugin unload and reload")
struct PluginReloadTests {
    static let name = "deployment-defaults"
    static let controller = "deployment-summary"

    static func isDefaulted(_ deployment: Deployment) -> Bool {
        deployment.spec.template.metadata?.annotations?["samples.bosun.dev/defaulted-by"] == name
    }

    static func summaryExists(_ env: TestEnvironment, for deployment: String) async throws -> Bool {
        try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "\(deployment)-summary") != nil
    }

    @Test("unloading takes out the hook and the controller; loading again puts them back and catches up")
    func unloadThenLoad() async throws {
        let env = try await TestEnvironment.start()
        let path = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let plugins = PluginSet(store: env.store, manager: env.manager, logger: Logger(label: "test"))
        await plugins.start(paths: [path])
        env.startManager()
        #expect(Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("web"))))
        try await env.waitUntil("the summary of web exists") { try await Self.summaryExists(env, for: "web") }

        try await plugins.unload(named: Self.name)
        #expect(plugins.report.loaded.isEmpty)
        #expect(!env.manager.controllerNames.contains(Self.controller))
        #expect(!Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("api"))))

        let loaded = try await plugins.load(path)
        #expect(loaded.path == path)
        #expect(loaded.controllers == [Self.controller])
        #expect(env.manager.controllerNames.contains(Self.controller))
        #expect(Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("db"))))
        // The new controller lists what changed while no version ran.
        try await env.waitUntil("the summary of api, created while unloaded, exists") { try await Self.summaryExists(env, for: "api") }
        try await env.waitUntil("the summary of db exists") { try await Self.summaryExists(env, for: "db") }
        await env.stopManager()
    }

    @Test("a reload maps a fresh copy and works on; a reload that fails puts the old version back")
    func reload() async throws {
        let env = try await TestEnvironment.start()
        let path = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let plugins = PluginSet(store: env.store, manager: env.manager, logger: Logger(label: "test"))
        await plugins.start(paths: [path])
        env.startManager()

        let reloaded = try await plugins.reload(named: Self.name)
        #expect(reloaded.path == path)
        #expect(plugins.report.loaded.map(\.info.name) == [Self.name])
        #expect(Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("web"))))
        try await env.waitUntil("the reloaded controller writes the summary") { try await Self.summaryExists(env, for: "web") }

        let error = await #expect(throws: PluginLoadError.self) {
            try await plugins.reload(named: Self.name, from: "/nonexistent/libnext.so")
        }
        #expect(error?.reason == .fileMissing)
        #expect(error?.description.hasSuffix("; version 0.1.0 from \(path) runs again") == true)
        #expect(plugins.report.loaded.map(\.path) == [path])
        #expect(Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("api"))))
        try await env.waitUntil("the restored controller writes the summary") { try await Self.summaryExists(env, for: "api") }
        await env.stopManager()
    }

    @Test("unloading a plugin that is not loaded names the loaded ones")
    func unloadUnknown() async throws {
        let env = try await TestEnvironment.start()
        let plugins = PluginSet(store: env.store, manager: env.manager, logger: Logger(label: "test"))
        await plugins.start(paths: [try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")])
        let error = await #expect(throws: PluginLoadError.self) { try await plugins.unload(named: "widgets") }
        #expect(error?.reason == .notLoaded)
        #expect(error?.description == "plugin \"widgets\" (): no plugin of that name is loaded (loaded: deployment-defaults)")
    }

    @Test("sync follows the files: a new file loads, an unchanged one stays, a replaced one reloads, a removed one unloads")
    func syncWithFiles() async throws {
        let env = try await TestEnvironment.start()
        let built = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let dir = try PluginFixtures.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("libdefaults.so").path
        try FileManager.default.copyItem(atPath: built, toPath: path)
        let plugins = PluginSet(store: env.store, manager: env.manager, logger: Logger(label: "test"))
        await plugins.start(paths: [])
        env.startManager()

        #expect(await plugins.sync(with: [path]) == ["loaded plugin deployment-defaults 0.1.0 from \(path)"])
        #expect(await plugins.sync(with: [path]) == [])
        // A new build replaces the file (a new inode), as `cp` to a temporary name and `mv` do.
        let next = dir.appendingPathComponent("libdefaults.so.new").path
        try FileManager.default.copyItem(atPath: built, toPath: next)
        #expect(rename(next, path) == 0)
        #expect(await plugins.sync(with: [path]) == ["reloaded plugin deployment-defaults: 0.1.0 → 0.1.0"])
        #expect(Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("web"))))

        try FileManager.default.removeItem(atPath: path)
        #expect(await plugins.sync(with: []) == ["unloaded plugin deployment-defaults (\(path) is gone)"])
        #expect(plugins.report.loaded.isEmpty)
        #expect(!Self.isDefaulted(try await env.api.create(SamplePluginTests.deployment("api"))))
        await env.stopManager()
    }

    @Test("a plugin with scheduler plugins loads only at start and cannot be unloaded")
    func schedulerPluginsStay() async throws {
        let env = try await TestEnvironment.start()
        let atStart = PluginSet(store: env.store, manager: env.manager, logger: Logger(label: "test"))
        await atStart.start(opened: [PluginRegistrationTests.opened(FifoPlugin.self)])
        #expect(atStart.report.loaded.map(\.info.name) == ["fifo"])
        let unload = await #expect(throws: PluginLoadError.self) { try await atStart.unload(named: "fifo") }
        #expect(unload?.reason == .notUnloadable)
        #expect(unload?.message == "its scheduler plugins (FifoSort) are part of the scheduler's profile, fixed at start; restart bosun up without it")
        #expect(atStart.report.loaded.map(\.info.name) == ["fifo"])

        // The gang-scheduling sample's library, refused before anything of it is applied.
        let gang = try PluginFixtures.builtLibrary("GangScheduling")
        let later = PluginSet(store: env.store, manager: env.manager, logger: Logger(label: "test"))
        await later.start(paths: [])
        let load = await #expect(throws: PluginLoadError.self) { try await later.load(gang) }
        #expect(load?.reason == .notUnloadable)
        #expect(load?.path == gang)
        #expect(load?.message == "it registers scheduler plugins, which join the scheduler's profile only at start; restart bosun up with it")
        #expect(later.report.loaded.isEmpty)
    }
}
