import BosunKit
import BosunNodes
import BosunPlugin
import BosunRuntime
import BosunScheduler
import Logging

/// A plugin the host loaded and applied.
public struct LoadedPlugin: Sendable {
    public var path: String
    public var info: PluginDescriptorInfo
    /// The CustomResourceDefinitions it serves (`plural.group`).
    public var customKinds: [String]
    public var controllers: [String]
    public var hooks: [String]
    public var nodeRuntimes: [String]
    public var schedulerPlugins: [String]
}

/// The outcome of loading a set of plugins: those applied, those refused, and the scheduler
/// plugins to add to the default profile (the scheduler is registered after plugins load).
public struct PluginLoadReport: Sendable {
    public var loaded: [LoadedPlugin] = []
    public var failures: [PluginLoadError] = []
    public var schedulerPlugins: [PluginRegistrar.SchedulerPluginRegistration] = []

    public init() {}

    /// The default profile with the plugins' scheduler plugins made from `handle`: added before
    /// the binder, with their weights, and the one that asked to sort the queue as QueueSort.
    public func schedulerProfile(handle: FrameworkHandle, bind: @escaping DefaultBinder.BindFunction) throws -> Profile {
        var plugins: [any SchedulerPlugin] = []
        var weights: [String: Int64] = [:]
        var queueSort: (any QueueSortPlugin)?
        for entry in schedulerPlugins {
            let plugin = try entry.make(handle)
            guard plugin.name == entry.name else {
                throw PluginRegistrationError(
                    "scheduler plugin \"\(entry.name)\" was registered under that name but is named \"\(plugin.name)\"")
            }
            if entry.sortsQueue {
                guard let sort = plugin as? any QueueSortPlugin else {
                    throw PluginRegistrationError("scheduler plugin \"\(entry.name)\" asked to sort the queue but is no QueueSortPlugin")
                }
                queueSort = sort
            }
            plugins.append(plugin)
            if let weight = entry.weight { weights[entry.name] = weight }
        }
        return Profile.defaults(bind: bind, extra: plugins, extraWeights: weights, queueSort: queueSort ?? PrioritySort())
    }
}

/// Loads plugin libraries into one control plane: opens each, runs its registration, refuses
/// what collides with an earlier plugin, and applies the rest to the store and the manager.
///
/// One plugin failing never stops the others; every failure is logged and reported.
public enum PluginHost {
    /// Opens and applies the libraries at `paths`, in order (see ``PluginSet/start(paths:)``).
    /// Call before `manager` runs, so the plugins' custom kinds are served before their
    /// controllers' informers list them. A control plane keeps the ``PluginSet`` instead, to
    /// unload and reload them later.
    public static func load(
        paths: [String], store: ObjectStore, manager: Manager, logger: Logger
    ) async -> PluginLoadReport {
        let plugins = PluginSet(store: store, manager: manager, logger: logger)
        await plugins.start(paths: paths)
        return plugins.report
    }

    /// Applies libraries opened already (or the failures opening them).
    public static func install(
        _ libraries: [Result<PluginLibrary, PluginLoadError>], store: ObjectStore, manager: Manager, logger: Logger
    ) async -> PluginLoadReport {
        let plugins = PluginSet(store: store, manager: manager, logger: logger)
        await plugins.start(opened: libraries)
        return plugins.report
    }

    /// Hooks first (undone if one is refused), then the kinds, node runtimes and controllers.
    /// A controller whose builder throws leaves the ones before it registered; ``PluginSet``
    /// takes them out again.
    static func apply(
        _ r: PluginRegistrar.Registrations, of library: PluginLibrary, store: ObjectStore, manager: Manager
    ) async throws(PluginLoadError) {
        func failed(_ what: String, _ error: any Error) -> PluginLoadError {
            PluginLoadError(path: library.path, plugin: library.info.name, reason: .applyFailed, message: "\(what): \(error)")
        }
        var added: [String] = []
        do {
            for hook in r.mutatingHooks {
                try store.register(mutating: hook)
                added.append(hook.name)
            }
            for hook in r.validatingHooks {
                try store.register(validating: hook)
                added.append(hook.name)
            }
        } catch {
            for name in added { store.unregisterHooks(named: name) }
            throw failed("registering its admission hooks failed", error)
        }
        try await applyKindsAndControllers(r, of: library, client: StoreClient(store: store), manager: manager, kindTimeout: nil)
    }

    /// The kinds (served through `client`, and when `kindTimeout` is given waited for until the
    /// server lists them), then the node runtimes and the controllers, built on `manager`.
    static func applyKindsAndControllers(
        _ r: PluginRegistrar.Registrations, of library: PluginLibrary, client: any Client, manager: Manager,
        kindTimeout: Duration?
    ) async throws(PluginLoadError) {
        func failed(_ what: String, _ error: any Error) -> PluginLoadError {
            PluginLoadError(path: library.path, plugin: library.info.name, reason: .applyFailed, message: "\(what): \(error)")
        }
        for kind in r.customKinds {
            do {
                if let type = kind.type { try KindRegistry.shared.register(type) }
                try await serve(kind.definition, using: client)
                if let kindTimeout {
                    try await waitUntilServed(kind.definition, client: client, clock: manager.clock, timeout: kindTimeout)
                }
            } catch {
                throw failed("serving \(kind.name) failed", error)
            }
        }
        for runtime in r.nodeRuntimes {
            do { try runtime.register(with: manager) } catch {
                throw failed("starting node runtime \(runtime.name) failed", error)
            }
        }
        for controller in r.controllers {
            do { try controller.build(manager) } catch {
                throw failed("building controller \(controller.name) failed", error)
            }
        }
    }

    /// Creates the definition, or makes one left by an earlier run (a persistent store) match it.
    static func serve(_ definition: CustomResourceDefinition, using api: any Client) async throws {
        do {
            _ = try await api.create(definition)
        } catch let error as APIError where error.reason == .alreadyExists {
            guard var current = try await api.getIfPresent(
                CustomResourceDefinition.self, namespace: nil, name: definition.metadata.name ?? "")
            else { throw error }
            guard current.spec != definition.spec else { return }
            current.spec = definition.spec
            _ = try await api.update(current)
        }
    }
}
