// A sample operator plugin that extends a built-in workload: a mutating admission hook gives
// every Deployment's pod template a default annotation, and a controller keeps, for each
// Deployment, a ConfigMap describing it (owned by the Deployment, so it goes when it goes).
// Built as libDeploymentDefaultsPlugin.so; load it with `bosun up --plugin PATH`.

import BosunKit
import BosunPlugin
import BosunRuntime

/// The plugin type the host instantiates after the handshake.
public struct DeploymentDefaultsPlugin: BosunPlugin {
    public static let descriptor = PluginInfo(name: "deployment-defaults", version: "0.1.0")

    public init() {}

    public func register(_ registrar: PluginRegistrar) throws {
        registrar.addMutatingHook(PodTemplateDefaults())
        registrar.addController(DeploymentSummaryController.name) { manager in
            try DeploymentSummaryController.register(with: manager)
        }
    }
}

/// The one C symbol the host looks up.
@_cdecl("bosun_plugin_entry")
public func bosunPluginEntry() -> UnsafeRawPointer {
    BosunPluginEntry.descriptor(for: DeploymentDefaultsPlugin.self)
}
