import BosunKit
import BosunNodes
import BosunPlugin
import BosunRuntime
import BosunScheduler
import Logging

extension PluginHost {
    /// Opens the library at `path` and applies it to a manager whose client talks to an API
    /// server over HTTP (`bosun plugin run`: the isolated and remote modes): its kinds are
    /// created on that server, then its node runtimes and controllers are built on `manager`.
    ///
    /// Admission hooks and scheduler plugins are called inside the API server's and the
    /// scheduler's process; a plugin that registers any is refused here, whole, with a message
    /// saying to load it in-process (`bosun up --plugin`).
    public static func loadRemote(
        path: String, client: any Client, manager: Manager, logger: Logger,
        kindTimeout: Duration = .seconds(60)
    ) async throws(PluginLoadError) -> LoadedPlugin {
        let library = try PluginLibrary.open(path)
        let registrar = PluginRegistrar(pluginName: library.info.name)
        try library.register(on: registrar)
        let r = registrar.registrations
        var claims = PluginClaims()
        try claims.claim(r, by: library)
        let inProcessOnly = r.mutatingHooks.map { "admission hook \"\($0.name)\"" }
            + r.validatingHooks.map { "admission hook \"\($0.name)\"" }
            + r.schedulerPlugins.map { "scheduler plugin \"\($0.name)\"" }
        if !inProcessOnly.isEmpty {
            throw PluginLoadError(
                path: path, plugin: library.info.name, reason: .notIsolatable,
                message: "it registers \(inProcessOnly.joined(separator: ", ")), which run inside the API server's or the scheduler's process; load it in-process with `bosun up --plugin`")
        }
        try await applyKindsAndControllers(r, of: library, client: client, manager: manager, kindTimeout: kindTimeout)
        logger.info("loaded plugin", metadata: [
            "plugin": "\(library.info.name)", "version": "\(library.info.version)", "path": "\(library.path)",
        ])
        return LoadedPlugin(
            path: library.path, info: library.info, customKinds: r.customKinds.map(\.name),
            controllers: r.controllers.map(\.name), hooks: [], nodeRuntimes: r.nodeRuntimes.map(\.name),
            schedulerPlugins: [])
    }

    /// Waits until the server lists the definition's resource. Kubernetes serves a new
    /// CustomResourceDefinition only once it is Established, a moment after the create; an
    /// informer started before would fail its first lists.
    static func waitUntilServed(
        _ definition: CustomResourceDefinition, client: any Client, clock: any RuntimeClock, timeout: Duration
    ) async throws {
        let spec = definition.spec
        guard let version = spec.versions.first(where: \.storage) ?? spec.versions.first else { return }
        let resource = ResourceDescriptor(
            group: spec.group, version: version.name, kind: spec.names.kind, plural: spec.names.plural,
            namespaced: spec.scope == "Namespaced")
        var waited = Duration.zero
        var delay = Duration.milliseconds(50)
        while true {
            do {
                _ = try await client.listObjects(resource, namespace: nil, options: ListOptions(limit: 1))
                return
            } catch let error as APIError where error.code == 404 && waited < timeout {
                try await clock.sleep(for: delay)
                waited += delay
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
