/// Rejects nodes with a NoSchedule or NoExecute taint the pod does not tolerate; prefers nodes
/// with fewer untolerated PreferNoSchedule taints. Weight 3 by default.
public struct TaintToleration: FilterPlugin, NormalizeScorePlugin, EnqueueExtensions {
    public static let pluginName = "TaintToleration"
    public var name: String { Self.pluginName }
    public init() {}

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        for taint in node.taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
            if !pod.tolerations.tolerate(taint) {
                return .unschedulableAndUnresolvable(
                    "node(s) had untolerated taint {\(taint.key): \(taint.value ?? "")}")
            }
        }
        return .success
    }

    /// The number of PreferNoSchedule taints not tolerated by the pod's tolerations whose effect
    /// is empty or PreferNoSchedule; normalized so that fewer is better.
    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) throws(PluginError) -> Int64 {
        var count: Int64 = 0
        for taint in node.taints where taint.effect == "PreferNoSchedule" {
            var tolerated = false
            for toleration in pod.tolerations
            where (toleration.effect ?? "").isEmpty || toleration.effect == "PreferNoSchedule" {
                if toleration.tolerates(taint) {
                    tolerated = true
                    break
                }
            }
            if !tolerated { count += 1 }
        }
        return count
    }

    public func normalizeScores(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo], _ scores: inout [Int64])
        -> PluginStatus
    {
        defaultNormalizeScore(&scores, reverse: true)
        return .success
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(ClusterEvent(.node, [.add, .updateNodeTaint])),
            ClusterEventWithHint(ClusterEvent(.unscheduledPod, .updatePodTolerations)),
        ]
    }
}

/// Upstream `helper.DefaultNormalizeScore`: scales scores to `0...100` by the highest; with
/// `reverse`, high raw scores become low. When every score is 0, reverse gives everyone 100.
public func defaultNormalizeScore(_ scores: inout [Int64], reverse: Bool, maxPriority: Int64 = maxNodeScore) {
    var highest: Int64 = 0
    for score in scores where score > highest { highest = score }
    if highest == 0 {
        if reverse { for i in scores.indices { scores[i] = maxPriority } }
        return
    }
    for i in scores.indices {
        var score = maxPriority * scores[i] / highest
        if reverse { score = maxPriority - score }
        scores[i] = score
    }
}
