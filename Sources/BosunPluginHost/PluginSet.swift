import BosunKit
import BosunNodes
import BosunPlugin
import BosunRuntime
import BosunStore
import CPluginABI
import Foundation
import Logging
import Synchronization

/// The plugins of one control plane: loaded at start, then loaded, unloaded and reloaded while
/// it runs (`bosun up` brings them in line with its plugin files on SIGHUP, ``sync(with:)``).
///
/// Unloading takes out what the plugin put in: its controllers (running reconciles finish, then
/// their queues stop and their informers are released), its node runtimes, its admission hooks,
/// its typed kinds in ``KindRegistry``, and its claims, so that a new version can take them.
/// What stays, on purpose:
/// - its CustomResourceDefinitions and their objects, as when an operator is removed from a
///   Kubernetes cluster; the API server goes on serving them, untyped;
/// - its code. A Swift library is never `dlclose`d: the Swift runtime keeps its type metadata
///   and conformance records, and a task it left running may still execute its code. Each load
///   at run time maps a private copy of the file (so a file replaced at the same path is really
///   read again), and the old copy stays mapped until the process ends — each reload costs the
///   library's size in address space.
///
/// A plugin with scheduler plugins loads only at start and cannot be unloaded: its plugins are
/// part of the scheduler's profile, which is fixed when the scheduler starts.
///
/// Operations run one at a time (this is an actor): what a load adds to the manager is what the
/// manager did not have before it.
public actor PluginSet {
    private enum Library {
        case swift(PluginLibrary)
        case c(CPluginLibrary)
    }

    /// What one plugin put into the control plane, so that it can be taken out again.
    private struct Footprint {
        var plugin: LoadedPlugin
        var library: Library
        var file: FileIdentity?
        var controllers: [String] = []
        var runnables: [String] = []
        var kinds: [GroupVersionKind] = []
    }

    private let store: ObjectStore
    private let manager: Manager
    private let logger: Logger
    private var footprints: [Footprint] = []
    private var failures: [PluginLoadError] = []
    private var schedulerPlugins: [PluginRegistrar.SchedulerPluginRegistration] = []
    private var claims = PluginClaims()
    private var started = false
    private nonisolated let snapshot = Mutex(PluginLoadReport())

    public init(store: ObjectStore, manager: Manager, logger: Logger) {
        self.store = store
        self.manager = manager
        self.logger = logger
    }

    /// The plugins loaded now, those refused, and the scheduler plugins given at start.
    public nonisolated var report: PluginLoadReport { snapshot.withLock { $0 } }

    /// Loads the libraries at `paths` before the manager runs, so that the plugins' kinds are
    /// served before their controllers' informers list them. Swift plugins first, then C plugins
    /// (bosun_plugin.h), which bring admission hooks only. A plugin refused is reported, never
    /// fatal: the others load.
    public func start(paths: [String]) async {
        var cPaths: [String] = [], swiftPaths: [String] = []
        for path in paths {
            if CPluginLibrary.isCPlugin(path) { cPaths.append(path) } else { swiftPaths.append(path) }
        }
        await start(opened: swiftPaths.map { path in Result { () throws(PluginLoadError) in try PluginLibrary.open(path) } },
                    cPaths: cPaths)
    }

    /// As ``start(paths:)``, for Swift libraries opened already (or the failures opening them).
    public func start(opened libraries: [Result<PluginLibrary, PluginLoadError>], cPaths: [String] = []) async {
        for opened in libraries {
            do throws(PluginLoadError) {
                let library = try opened.get()
                try await install(.swift(library), path: library.path, atStart: true)
            } catch {
                refused(error)
            }
        }
        for path in cPaths {
            do throws(PluginLoadError) {
                try await install(.c(try CPluginLibrary.open(path, store: store, logger: logger)), path: path, atStart: true)
            } catch {
                refused(error)
            }
        }
        started = true
        publish()
    }

    /// Loads a plugin while the control plane runs, from a private copy of the file.
    @discardableResult
    public func load(_ path: String) async throws(PluginLoadError) -> LoadedPlugin {
        let library = try Self.openCopy(of: path, store: store, logger: logger)
        do throws(PluginLoadError) {
            try await install(library, path: path, atStart: false)
        } catch {
            throw error.at(path)
        }
        failures.removeAll { $0.path == path }
        publish()
        return footprints[footprints.count - 1].plugin
    }

    /// Takes a plugin out of the control plane (see the type's documentation for what stays).
    public func unload(named name: String) async throws(PluginLoadError) {
        let index = try loadedIndex(name)
        let footprint = footprints[index]
        guard footprint.plugin.schedulerPlugins.isEmpty else {
            throw PluginLoadError(
                path: footprint.plugin.path, plugin: name, reason: .notUnloadable,
                message: "its scheduler plugins (\(footprint.plugin.schedulerPlugins.joined(separator: ", "))) are part of the scheduler's profile, fixed at start; restart bosun up without it")
        }
        await takeOut(footprint)
        footprints.remove(at: index)
        publish()
        logger.info("unloaded plugin", metadata: ["plugin": "\(name)", "path": "\(footprint.plugin.path)"])
    }

    /// Replaces a plugin by the library at `path` (its own file by default): the old version is
    /// taken out, then the new one loaded. If the new one is refused, the old version is put
    /// back and runs on; the error says both.
    @discardableResult
    public func reload(named name: String, from path: String? = nil) async throws(PluginLoadError) -> LoadedPlugin {
        let old = footprints[try loadedIndex(name)]
        let source = path ?? old.plugin.path
        try await unload(named: name)
        do {
            let reloaded = try await load(source)
            logger.info("reloaded plugin", metadata: [
                "plugin": "\(name)", "from": "\(old.plugin.info.version)", "to": "\(reloaded.info.version)", "path": "\(source)",
            ])
            return reloaded
        } catch {
            do throws(PluginLoadError) {
                try await install(old.library, path: old.plugin.path, atStart: false, file: old.file)
                publish()
            } catch let restoring {
                logger.error("the previous version could not be put back: \(restoring)", metadata: ["plugin": "\(name)"])
                refused(restoring)
                publish()
            }
            var failure = error
            failure.message += "; version \(old.plugin.info.version) from \(old.plugin.path) runs again"
            throw failure
        }
    }

    /// Brings the plugins in line with `paths` — what `bosun up` was given and its plugins
    /// directory holds now: a plugin whose file changed since it loaded is reloaded, a new file
    /// (or one refused before) is loaded, a plugin whose file is no longer listed is unloaded.
    /// Returns one line per change or failure, for the log.
    public func sync(with paths: [String]) async -> [String] {
        var lines: [String] = []
        for gone in footprints.filter({ !paths.contains($0.plugin.path) }) {
            do throws(PluginLoadError) {
                try await unload(named: gone.plugin.info.name)
                lines.append("unloaded plugin \(gone.plugin.info.name) (\(gone.plugin.path) is gone)")
            } catch {
                lines.append("error: \(error)")
            }
        }
        for path in paths {
            do throws(PluginLoadError) {
                if let current = footprints.first(where: { $0.plugin.path == path }) {
                    guard FileIdentity(path) != current.file else { continue }
                    let reloaded = try await reload(named: current.plugin.info.name)
                    lines.append("reloaded plugin \(reloaded.info.name): \(current.plugin.info.version) → \(reloaded.info.version)")
                } else {
                    let loaded = try await load(path)
                    lines.append("loaded plugin \(loaded.info.name) \(loaded.info.version) from \(path)")
                }
            } catch {
                refused(error)
                lines.append("error: \(error)")
            }
        }
        publish()
        return lines
    }

    // MARK: Putting in and taking out

    private func install(_ library: Library, path: String, atStart: Bool, file: FileIdentity? = nil) async throws(PluginLoadError) {
        var footprint: Footprint
        switch library {
        case .swift(let swift):
            footprint = try await installSwift(swift, path: path, atStart: atStart)
        case .c(let c):
            footprint = try installC(c, path: path)
        }
        footprint.file = file ?? FileIdentity(path)
        footprints.append(footprint)
    }

    private func installSwift(_ library: PluginLibrary, path: String, atStart: Bool) async throws(PluginLoadError) -> Footprint {
        let name = library.info.name
        let registrar = PluginRegistrar(pluginName: name)
        try library.register(on: registrar)
        let r = registrar.registrations
        if !atStart && !r.schedulerPlugins.isEmpty {
            throw PluginLoadError(
                path: path, plugin: name, reason: .notUnloadable,
                message: "it registers scheduler plugins, which join the scheduler's profile only at start; restart bosun up with it")
        }
        try claims.claim(r, by: library)
        let controllersBefore = Set(manager.controllerNames), runnablesBefore = Set(manager.runnableNames)
        var footprint = Footprint(
            plugin: LoadedPlugin(
                path: path, info: library.info,
                customKinds: r.customKinds.map(\.name),
                controllers: r.controllers.map(\.name),
                hooks: r.mutatingHooks.map(\.name) + r.validatingHooks.map(\.name),
                nodeRuntimes: r.nodeRuntimes.map(\.name),
                schedulerPlugins: r.schedulerPlugins.map(\.name)),
            library: .swift(library),
            kinds: r.customKinds.compactMap { $0.type?.resource.groupVersionKind })
        do throws(PluginLoadError) {
            try await PluginHost.apply(r, of: library, store: store, manager: manager)
        } catch {
            // What it got in before failing comes out again, so a retry starts clean.
            footprint.controllers = manager.controllerNames.filter { !controllersBefore.contains($0) }
            footprint.runnables = manager.runnableNames.filter { !runnablesBefore.contains($0) }
            await takeOut(footprint)
            throw error
        }
        footprint.controllers = manager.controllerNames.filter { !controllersBefore.contains($0) }
        footprint.runnables = manager.runnableNames.filter { !runnablesBefore.contains($0) }
        schedulerPlugins += r.schedulerPlugins
        logger.info("loaded plugin", metadata: ["plugin": "\(name)", "version": "\(library.info.version)", "path": "\(path)"])
        return footprint
    }

    /// A C plugin's hooks; a hook name taken already refuses the whole plugin, undoing the others.
    private func installC(_ library: CPluginLibrary, path: String) throws(PluginLoadError) -> Footprint {
        var added: [String] = []
        do {
            for (type, hook) in library.hooks {
                if type == BOSUN_HOOK_MUTATING { try store.register(mutating: hook) } else { try store.register(validating: hook) }
                added.append(hook.name)
            }
        } catch {
            for name in added { store.unregisterHooks(named: name) }
            throw PluginLoadError(path: path, plugin: library.name, reason: .applyFailed,
                                  message: "registering its admission hooks failed: \(error)")
        }
        logger.info("loaded C plugin", metadata: ["plugin": "\(library.name)", "version": "\(library.version)", "path": "\(path)"])
        return Footprint(
            plugin: LoadedPlugin(
                path: path,
                info: PluginDescriptorInfo(abiVersion: library.abiVersion, bosunKitVersion: "none (C plugin ABI)",
                                           swiftCompiler: "none (C plugin ABI)", name: library.name, version: library.version),
                customKinds: [], controllers: [], hooks: added, nodeRuntimes: [], schedulerPlugins: []),
            library: .c(library))
    }

    /// Hooks first (no new write meets the old version), then controllers and runnables, then
    /// the typed kinds and the claims.
    private func takeOut(_ footprint: Footprint) async {
        for hook in footprint.plugin.hooks { store.unregisterHooks(named: hook) }
        for controller in footprint.controllers { await manager.remove(controller: controller) }
        for runnable in footprint.runnables { await manager.remove(runnable: runnable) }
        for kind in footprint.kinds { KindRegistry.shared.unregister(kind) }
        claims.release(footprint.plugin.info.name)
    }

    // MARK: Bookkeeping

    private func loadedIndex(_ name: String) throws(PluginLoadError) -> Int {
        guard let index = footprints.firstIndex(where: { $0.plugin.info.name == name }) else {
            throw PluginLoadError(
                path: "", plugin: name, reason: .notLoaded,
                message: "no plugin of that name is loaded (loaded: \(footprints.map(\.plugin.info.name).joined(separator: ", ")))")
        }
        return index
    }

    private func refused(_ error: PluginLoadError) {
        failures.removeAll { $0.path == error.path }
        failures.append(error)
        logger.error("plugin not loaded: \(error)", metadata: ["plugin": "\(error.plugin ?? error.path)"])
    }

    private func publish() {
        var report = PluginLoadReport()
        report.loaded = footprints.map(\.plugin)
        report.failures = failures
        report.schedulerPlugins = schedulerPlugins
        snapshot.withLock { $0 = report }
    }

    /// Opens a private copy of `path`: the dynamic loader hands back a library it has mapped
    /// already when the same path is opened again, so a file replaced in place would never be
    /// read. The copy is unlinked once mapped; the mapping keeps it alive.
    private static func openCopy(of path: String, store: ObjectStore, logger: Logger) throws(PluginLoadError) -> Library {
        try PluginLibrary.checkFile(path)
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("bosun-plugin-\(getpid())-\(UID.random())-\((path as NSString).lastPathComponent)").path
        do {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
        } catch {
            throw PluginLoadError(path: path, reason: .openFailed, message: "copying it for loading failed: \(error)")
        }
        defer { unlink(copy) }
        do throws(PluginLoadError) {
            if CPluginLibrary.isCPlugin(copy) { return .c(try CPluginLibrary.open(copy, store: store, logger: logger)) }
            return .swift(try PluginLibrary.open(copy))
        } catch {
            throw error.at(path)
        }
    }
}

/// Which file a path named when a plugin loaded: a replaced or rewritten file differs.
struct FileIdentity: Equatable {
    var inode: Int
    var size: Int
    var modified: Date

    init?(_ path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue,
              let size = (attributes[.size] as? NSNumber)?.intValue,
              let modified = attributes[.modificationDate] as? Date
        else { return nil }
        self.inode = inode
        self.size = size
        self.modified = modified
    }
}

extension PluginLoadError {
    /// The same error, naming the user's path rather than a private copy's.
    func at(_ path: String) -> PluginLoadError {
        var copy = self
        copy.message = copy.message.replacingOccurrences(of: self.path, with: path)
        copy.path = path
        return copy
    }
}
