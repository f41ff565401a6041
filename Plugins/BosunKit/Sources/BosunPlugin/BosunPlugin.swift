/// An operator plugin: a shared library that adds kinds, controllers, admission hooks, scheduler
/// plugins and node runtimes to a Bosun control plane.
///
/// A plugin library declares one type conforming to this protocol and exports it with
/// ``BosunPluginEntry/descriptor(for:)`` under the C symbol `bosun_plugin_entry`:
///
/// ```swift
/// @_cdecl("bosun_plugin_entry")
/// public func bosunPluginEntry() -> UnsafeRawPointer {
///     BosunPluginEntry.descriptor(for: MyPlugin.self)
/// }
/// ```
///
/// See docs/writing-a-plugin.md.
public protocol BosunPlugin {
    /// The plugin's name and version, as `bosun plugin inspect` and the logs show them.
    static var descriptor: PluginInfo { get }

    init()

    /// Declares what the plugin adds. Called once, after the host accepted the plugin's
    /// descriptor; nothing is applied unless it returns without throwing.
    func register(_ registrar: PluginRegistrar) throws
}

/// A plugin's name (a DNS label by convention, e.g. `deployment-defaults`) and its own version.
public struct PluginInfo: Sendable, Hashable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}
