import BosunPlugin

/// Why a plugin was not loaded. Each message names the plugin (its path, and its name once the
/// descriptor was read) and what to do about it.
public struct PluginLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        case fileMissing
        case notSharedObject
        case openFailed
        case missingEntry
        case abiMismatch
        case toolchainMismatch
        case bosunKitMismatch
        case registrationFailed
        case conflict
        case applyFailed
        /// The plugin registers what only an in-process plugin can have (admission hooks,
        /// scheduler plugins), and was asked to run in a process of its own.
        case notIsolatable
        /// Unload or reload of a plugin that is not loaded.
        case notLoaded
        /// The plugin has what cannot be added or taken out while the control plane runs
        /// (scheduler plugins join the scheduler's profile at start).
        case notUnloadable
    }

    public var path: String
    /// The plugin's name, once its descriptor was read.
    public var plugin: String?
    public var reason: Reason
    public var message: String

    public init(path: String, plugin: String? = nil, reason: Reason, message: String) {
        self.path = path
        self.plugin = plugin
        self.reason = reason
        self.message = message
    }

    public var description: String {
        let who = plugin.map { "plugin \"\($0)\" (\(path))" } ?? "plugin \(path)"
        return "\(who): \(message)"
    }

    /// What the host was built with, for the fixes the messages suggest.
    static var hostBuild: String {
        "BosunKit \(PluginABI.bosunKitVersion), Swift \(PluginABI.swiftCompilerVersion), plugin ABI v\(PluginABI.version)"
    }
}

/// What this host was built with, as plugins must match it.
public enum PluginHostBuild {
    public static var summary: String { PluginLoadError.hostBuild }
}
