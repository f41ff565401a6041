// The gang-scheduling sample plugin, built as libGangScheduling.so; load it with
// `bosun up --plugin PATH`. Everything but the entry point is in GangSchedulingCore, so that
// tests link the plugin's code without its `bosun_plugin_entry` symbol. See docs/gang-scheduling.md.

import BosunKit
import BosunPlugin
import GangSchedulingCore

/// The plugin the host instantiates: it serves the PodGroup kind, runs the PodGroup controller
/// and adds ``Coscheduling`` to the default scheduler profile as its QueueSort too.
public struct GangSchedulingPlugin: BosunPlugin {
    public static let descriptor = PluginInfo(name: "gang-scheduling", version: "0.1.0")

    public init() {}

    public func register(_ registrar: PluginRegistrar) throws {
        try GangSchedulingCore.GangScheduling().register(registrar)
    }
}

/// The one C symbol the host looks up.
@_cdecl("bosun_plugin_entry")
public func bosunPluginEntry() -> UnsafeRawPointer {
    BosunPluginEntry.descriptor(for: GangSchedulingPlugin.self)
}
