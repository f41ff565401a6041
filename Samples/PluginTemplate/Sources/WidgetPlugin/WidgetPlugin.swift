import BosunKit
import BosunPlugin
import BosunRuntime

/// What bosun loads: the Widget kind and its controller.
public struct WidgetPlugin: BosunPlugin {
    public static let descriptor = PluginInfo(name: "widget", version: "0.1.0")

    public init() {}

    public func register(_ registrar: PluginRegistrar) throws {
        try registrar.addCustomResource(Widget.self, definition: Widget.definition)
        registrar.addController(WidgetController.name) { manager in
            try WidgetController.register(with: manager)
        }
    }
}

/// The one C symbol the host looks up: the plugin's descriptor, for the version handshake.
@_cdecl("bosun_plugin_entry")
public func bosunPluginEntry() -> UnsafeRawPointer {
    BosunPluginEntry.descriptor(for: WidgetPlugin.self)
}
