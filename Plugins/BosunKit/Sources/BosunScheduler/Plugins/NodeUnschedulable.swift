/// Rejects cordoned nodes (`spec.unschedulable`) unless the pod tolerates
/// `node.kubernetes.io/unschedulable:NoSchedule`.
public struct NodeUnschedulable: FilterPlugin, EnqueueExtensions {
    public static let pluginName = "NodeUnschedulable"
    public static let reason = "node(s) were unschedulable"
    static let taint = Taint(effect: "NoSchedule", key: "node.kubernetes.io/unschedulable")
    public var name: String { Self.pluginName }
    public init() {}

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard node.unschedulable, !pod.tolerations.tolerate(Self.taint) else { return .success }
        return .unschedulableAndUnresolvable(Self.reason)
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        // Cordoning is a taint change upstream.
        [ClusterEventWithHint(ClusterEvent(.node, [.add, .updateNodeTaint]))]
    }
}
