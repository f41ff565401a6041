/// Holds pods with `spec.schedulingGates` out of the active queue until the gates are removed.
public struct SchedulingGates: PreEnqueuePlugin, EnqueueExtensions {
    public static let pluginName = "SchedulingGates"
    public var name: String { Self.pluginName }
    public init() {}

    public func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        let gates = pod.pod.spec.schedulingGates ?? []
        if gates.isEmpty { return .success }
        return .unschedulableAndUnresolvable(
            "waiting for scheduling gates: [" + gates.map(\.name).joined(separator: " ") + "]")
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [ClusterEventWithHint(.unscheduledPodUpdate)]
    }
}
