import BosunPlugin
import BosunStore
import CPluginABI
import Logging

extension PluginHost {
    /// Whether the library at `path` is a C plugin (exports `bosun_c_plugin_entry`).
    public static func isCPlugin(_ path: String) -> Bool { CPluginLibrary.isCPlugin(path) }

    /// The C plugin ABI version this host speaks (`BOSUN_C_PLUGIN_ABI_VERSION`).
    public static var cPluginABIVersion: UInt32 { BOSUN_C_PLUGIN_ABI_VERSION }

    /// A C plugin's descriptor and hooks, as `bosun plugin inspect` prints them.
    public static func describeCPlugin(_ path: String) throws(PluginLoadError) -> String {
        try CPluginLibrary.summary(of: path)
    }

    /// Loads a C plugin (``CPluginLibrary``) and registers its hooks; records the outcome in
    /// `report`. A hook name taken already refuses the whole plugin, undoing its other hooks.
    static func installCPlugin(_ path: String, store: ObjectStore, logger: Logger, into report: inout PluginLoadReport) {
        do throws(PluginLoadError) {
            let library = try CPluginLibrary.open(path, store: store, logger: logger)
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
            report.loaded.append(LoadedPlugin(
                path: path,
                info: PluginDescriptorInfo(abiVersion: library.abiVersion, bosunKitVersion: "none (C plugin ABI)",
                                           swiftCompiler: "none (C plugin ABI)", name: library.name, version: library.version),
                customKinds: [], controllers: [], hooks: added, nodeRuntimes: [], schedulerPlugins: []))
            logger.info("loaded C plugin", metadata: ["plugin": "\(library.name)", "version": "\(library.version)", "path": "\(path)"])
        } catch {
            report.failures.append(error)
            logger.error("plugin not loaded: \(error)", metadata: ["plugin": "\(error.plugin ?? error.path)"])
        }
    }
}
