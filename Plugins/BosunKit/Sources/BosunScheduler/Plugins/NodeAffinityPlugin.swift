/// Filters by `spec.nodeSelector` and required node affinity; scores by the summed weights of the
/// matching preferred terms, normalized to `0...100`. Weight 2 by default. (Its type name has a
/// suffix because the API type `NodeAffinity` is the pod field it reads; its plugin name is
/// upstream's.)
public struct NodeAffinityPlugin: FilterPlugin, NormalizeScorePlugin, EnqueueExtensions {
    public static let pluginName = "NodeAffinity"
    public static let reason = "node(s) didn't match Pod's node affinity/selector"
    public var name: String { Self.pluginName }
    public init() {}

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        if pod.requiredNodeAffinity.isEmpty || pod.requiredNodeAffinity.matches(node) { return .success }
        return .unschedulableAndUnresolvable(Self.reason)
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) throws(PluginError) -> Int64 {
        var total: Int64 = 0
        for (weight, term) in pod.preferredNodeAffinity where term.matches(node) { total += weight }
        return total
    }

    public func normalizeScores(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo], _ scores: inout [Int64])
        -> PluginStatus
    {
        defaultNormalizeScore(&scores, reverse: false)
        return .success
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [ClusterEventWithHint(ClusterEvent(.node, [.add, .updateNodeLabel]))]
    }
}
