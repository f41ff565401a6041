import BosunPlugin
import CPluginABI

extension PluginHost {
    /// Whether the library at `path` is a C plugin (exports `bosun_c_plugin_entry`).
    public static func isCPlugin(_ path: String) -> Bool { CPluginLibrary.isCPlugin(path) }

    /// The C plugin ABI version this host speaks (`BOSUN_C_PLUGIN_ABI_VERSION`).
    public static var cPluginABIVersion: UInt32 { BOSUN_C_PLUGIN_ABI_VERSION }

    /// A C plugin's descriptor and hooks, as `bosun plugin inspect` prints them.
    public static func describeCPlugin(_ path: String) throws(PluginLoadError) -> String {
        try CPluginLibrary.summary(of: path)
    }
}
