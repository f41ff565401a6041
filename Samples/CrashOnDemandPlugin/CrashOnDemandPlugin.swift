// A sample plugin that crashes its process on demand: what `bosun up --isolated-plugin` is for.
// Its controller stamps every ConfigMap labelled `crash-on-demand.bosun.dev/watch=true` with the
// pid of the process that reconciled it, and calls fatalError when such a ConfigMap carries the
// annotation `crash-on-demand.bosun.dev/crash: now`. Loaded in-process, that takes the control
// plane down; isolated, only the plugin's child process, which the host restarts.
// Built as libCrashOnDemandPlugin.so.

import BosunKit
import BosunPlugin
import BosunRuntime
import Glibc

public struct CrashOnDemandPlugin: BosunPlugin {
    public static let descriptor = PluginInfo(name: "crash-on-demand", version: "0.1.0")

    public init() {}

    public func register(_ registrar: PluginRegistrar) throws {
        registrar.addController(CrashOnDemandController.name) { manager in
            try CrashOnDemandController.register(with: manager)
        }
    }
}

@_cdecl("bosun_plugin_entry")
public func bosunPluginEntry() -> UnsafeRawPointer {
    BosunPluginEntry.descriptor(for: CrashOnDemandPlugin.self)
}

/// Stamps watched ConfigMaps with its pid; crashes when asked to.
public enum CrashOnDemandController {
    public static let name = "crash-on-demand"
    /// ConfigMaps with this label set to `true` are watched.
    public static let watchLabel = "crash-on-demand.bosun.dev/watch"
    /// Set to `now` to crash the process; the controller first rewrites it to `done`, so that the
    /// restarted process does not crash again on the same ConfigMap.
    public static let crashAnnotation = "crash-on-demand.bosun.dev/crash"
    /// The pid of the process that last reconciled the ConfigMap.
    public static let pidAnnotation = "crash-on-demand.bosun.dev/pid"

    public static func register(with manager: Manager) throws {
        _ = try manager.controller(for: ConfigMap.self)
            .named(name)
            .withLabelSelector(try Selector.parse(watchLabel + "=true"))
            .reconcile(reconcile)
    }

    static func reconcile(_ configMap: ConfigMap, _ context: ReconcileContext) async throws -> ReconcileResult {
        let annotations = configMap.metadata.annotations ?? [:]
        if annotations[crashAnnotation] == "now" {
            _ = try await context.client.patch(
                ConfigMap.self, namespace: configMap.namespace, name: configMap.name, .merge,
                ["metadata": ["annotations": [crashAnnotation: "done"]]])
            fatalError("crash-on-demand: asked to crash by ConfigMap \(configMap.key)")
        }
        let pid = String(getpid())
        if annotations[pidAnnotation] != pid {
            _ = try await context.client.patch(
                ConfigMap.self, namespace: configMap.namespace, name: configMap.name, .merge,
                ["metadata": ["annotations": [pidAnnotation: .string(pid)]]])
        }
        return .done
    }
}
