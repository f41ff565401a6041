/// Rejects every node but the one named by `spec.nodeName`, when the pod names one.
public struct NodeName: FilterPlugin, EnqueueExtensions {
    public static let pluginName = "NodeName"
    public static let reason = "node(s) didn't match the requested node name"
    public var name: String { Self.pluginName }
    public init() {}

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard let wanted = pod.pod.spec.nodeName, !wanted.isEmpty, wanted != node.name else { return .success }
        return .unschedulableAndUnresolvable(Self.reason)
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [ClusterEventWithHint(ClusterEvent(.node, .add))]
    }
}
