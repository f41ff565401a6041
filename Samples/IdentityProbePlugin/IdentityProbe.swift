// A minimal plugin library used by the tests to prove that the host and a plugin share one copy
// of BosunKit: a value made here must cast to its BosunKit type in the host, and state the plugin
// writes into BosunKit's globals must be visible to the host.

import BosunKit

/// A custom resource that only this plugin defines.
struct ProbeWidget: CustomResource {
    static let resource = ResourceDescriptor(
        group: "probe.bosun.dev", version: "v1", kind: "ProbeWidget", plural: "probewidgets", namespaced: true)
    var metadata = ObjectMeta()
    var spec = Spec()

    struct Spec: Codable, Hashable, Sendable {
        var size = 0
        var template: PodTemplateSpec?
    }
}

/// Returns a retained box holding a `Pod` made by the plugin.
@_cdecl("bosun_identity_probe_make_pod")
public func makePod() -> UnsafeMutableRawPointer {
    let pod = Pod(
        metadata: ObjectMeta(name: "made-in-plugin", namespace: "default"),
        spec: PodSpec(containers: [Container(name: "main", image: "busybox")]))
    return Unmanaged.passRetained(OpaqueValue(pod)).toOpaque()
}

/// Registers the plugin's custom kind in BosunKit's process-wide registry; returns 0 on success.
@_cdecl("bosun_identity_probe_register")
public func register() -> Int32 {
    do {
        try KindRegistry.shared.register(ProbeWidget.self)
        return 0
    } catch {
        return 1
    }
}
