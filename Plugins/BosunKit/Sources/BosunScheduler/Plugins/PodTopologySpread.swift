import Foundation

/// Spreads pods over topology domains (`kubernetes.io/hostname`, `topology.kubernetes.io/zone`,
/// any node label): `DoNotSchedule` constraints filter nodes whose domain would exceed `maxSkew`
/// over the least-loaded domain; `ScheduleAnyway` constraints score nodes in emptier domains
/// higher. Weight 2 by default. (System default constraints are not applied.)
public struct PodTopologySpread: PreFilterPlugin, FilterPlugin, PreScorePlugin, NormalizeScorePlugin,
    EnqueueExtensions
{
    public static let pluginName = "PodTopologySpread"
    public static let reason = "node(s) didn't match pod topology spread constraints"
    public static let missingLabelReason = "node(s) didn't match pod topology spread constraints (missing required label)"
    public var name: String { Self.pluginName }
    public init() {}

    /// A constraint with its selector compiled.
    struct Constraint: Sendable {
        var maxSkew: Int64
        var topologyKey: String
        var minDomains: Int
        var selector: Selector
        var honorNodeAffinity: Bool
        var honorTaints: Bool

        init?(_ constraint: TopologySpreadConstraint, pod: PodInfo) {
            guard var selector = try? Selector(compiling: constraint.labelSelector) else { return nil }
            // matchLabelKeys: the pod's own values for these keys narrow the selector.
            var extra: [LabelRequirement] = []
            for key in constraint.matchLabelKeys ?? [] {
                if let value = pod.labels[key],
                   let requirement = try? LabelRequirement(key: key, operator: .in, values: [value]) {
                    extra.append(requirement)
                }
            }
            if !extra.isEmpty { selector = selector.adding(extra) }
            maxSkew = Int64(constraint.maxSkew)
            topologyKey = constraint.topologyKey
            minDomains = Int(constraint.minDomains ?? 1)
            self.selector = selector
            honorNodeAffinity = (constraint.nodeAffinityPolicy ?? "Honor") == "Honor"
            honorTaints = constraint.nodeTaintsPolicy == "Honor"
        }

        /// Whether the pods on `node` count toward this constraint's domains at all.
        func counts(_ node: NodeInfo, for pod: PodInfo) -> Bool {
            if honorNodeAffinity && !pod.requiredNodeAffinity.isEmpty && !pod.requiredNodeAffinity.matches(node) {
                return false
            }
            if honorTaints {
                for taint in node.taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
                    if !pod.tolerations.tolerate(taint) { return false }
                }
            }
            return true
        }

        func matchingPods(on node: NodeInfo, namespace: String) -> Int64 {
            var count: Int64 = 0
            for other in node.pods
            where other.namespace == namespace && other.pod.metadata.deletionTimestamp == nil
                && selector.matches(other.labels) {
                count += 1
            }
            return count
        }
    }

    struct FilterState: Sendable {
        var constraints: [Constraint]
        /// Per constraint: matching pods per domain value.
        var counts: [[String: Int64]]
        /// Per constraint: the global minimum (0 when fewer domains than `minDomains`).
        var minimums: [Int64]
    }

    struct ScoreState: Sendable {
        var constraints: [Constraint]
        var counts: [[String: Int64]]
        var weights: [Double]
        var ignoredNodes: Set<String>
    }

    static let filterKey = CycleStateKey<FilterState>("PodTopologySpread/filter")
    static let scoreKey = CycleStateKey<ScoreState>("PodTopologySpread/score")

    static func constraints(of pod: PodInfo, _ whenUnsatisfiable: String) -> [Constraint] {
        pod.topologySpreadConstraints.filter { $0.whenUnsatisfiable == whenUnsatisfiable }
            .compactMap { Constraint($0, pod: pod) }
    }

    static func hasAllKeys(_ node: NodeInfo, _ constraints: [Constraint]) -> Bool {
        for constraint in constraints where node.labels[constraint.topologyKey] == nil { return false }
        return true
    }

    // MARK: Filter

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: NodeSnapshot) -> PreFilterResult {
        let constraints = Self.constraints(of: pod, "DoNotSchedule")
        if constraints.isEmpty { return .skip }
        var counts = [[String: Int64]](repeating: [:], count: constraints.count)
        for node in nodes.nodes where Self.hasAllKeys(node, constraints) {
            for (i, constraint) in constraints.enumerated() where constraint.counts(node, for: pod) {
                let value = node.labels[constraint.topologyKey] ?? ""
                counts[i][value, default: 0] += constraint.matchingPods(on: node, namespace: pod.namespace)
            }
        }
        let minimums = constraints.indices.map { i -> Int64 in
            if counts[i].count < constraints[i].minDomains { return 0 }
            return counts[i].values.min() ?? 0
        }
        state.write(FilterState(constraints: constraints, counts: counts, minimums: minimums), for: Self.filterKey)
        return .proceed
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard let s = state.read(Self.filterKey) else { return .success }
        for (i, constraint) in s.constraints.enumerated() {
            guard let value = node.labels[constraint.topologyKey] else {
                return .unschedulableAndUnresolvable(Self.missingLabelReason)
            }
            let selfMatch: Int64 = constraint.selector.matches(pod.labels) ? 1 : 0
            let skew = (s.counts[i][value] ?? 0) + selfMatch - s.minimums[i]
            if skew > constraint.maxSkew { return .unschedulable(Self.reason) }
        }
        return .success
    }

    // MARK: Score

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        let constraints = Self.constraints(of: pod, "ScheduleAnyway")
        if constraints.isEmpty { return .skip }
        var ignored: Set<String> = []
        var domains = [Set<String>](repeating: [], count: constraints.count)
        var hostCount = 0
        for node in nodes {
            guard Self.hasAllKeys(node, constraints) else {
                ignored.insert(node.name)
                continue
            }
            hostCount += 1
            for (i, constraint) in constraints.enumerated() {
                domains[i].insert(node.labels[constraint.topologyKey] ?? "")
            }
        }
        // Counts come from every node of the cycle in a domain some feasible node is in; the
        // hostname domain is counted per node in Score.
        var counts = [[String: Int64]](repeating: [:], count: constraints.count)
        for node in state.snapshot?.nodes ?? nodes where Self.hasAllKeys(node, constraints) {
            for (i, constraint) in constraints.enumerated()
            where constraint.topologyKey != hostnameLabel && constraint.counts(node, for: pod) {
                let value = node.labels[constraint.topologyKey] ?? ""
                guard domains[i].contains(value) else { continue }
                counts[i][value, default: 0] += constraint.matchingPods(on: node, namespace: pod.namespace)
            }
        }
        let weights = constraints.indices.map { i in
            log(Double((constraints[i].topologyKey == hostnameLabel ? hostCount : domains[i].count) + 2))
        }
        state.write(ScoreState(constraints: constraints, counts: counts, weights: weights, ignoredNodes: ignored),
                    for: Self.scoreKey)
        return .success
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) throws(PluginError) -> Int64 {
        guard let s = state.read(Self.scoreKey) else { return 0 }
        if s.ignoredNodes.contains(node.name) { return 0 }
        var score = 0.0
        for (i, constraint) in s.constraints.enumerated() {
            guard let value = node.labels[constraint.topologyKey] else { continue }
            let count = constraint.topologyKey == hostnameLabel
                ? constraint.matchingPods(on: node, namespace: pod.namespace)
                : s.counts[i][value] ?? 0
            score += Double(count) * s.weights[i] + Double(constraint.maxSkew - 1)
        }
        return Int64(score.rounded())
    }

    /// Fewer matching pods is better: `100 × (max + min − score) / max`; ignored nodes get 0.
    public func normalizeScores(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo], _ scores: inout [Int64])
        -> PluginStatus
    {
        guard let s = state.read(Self.scoreKey) else { return .success }
        var minScore = Int64.max, maxScore: Int64 = 0
        for (i, node) in nodes.enumerated() where !s.ignoredNodes.contains(node.name) {
            minScore = min(minScore, scores[i])
            maxScore = max(maxScore, scores[i])
        }
        for (i, node) in nodes.enumerated() {
            if s.ignoredNodes.contains(node.name) {
                scores[i] = 0
            } else if maxScore == 0 {
                scores[i] = maxNodeScore
            } else {
                scores[i] = maxNodeScore * (maxScore + minScore - scores[i]) / maxScore
            }
        }
        return .success
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(ClusterEvent(.assignedPod, [.add, .delete, .updatePodLabel])),
            ClusterEventWithHint(ClusterEvent(.node, [.add, .delete, .updateNodeLabel, .updateNodeTaint])),
        ]
    }
}

/// The well-known hostname label (upstream `v1.LabelHostname`).
public let hostnameLabel = "kubernetes.io/hostname"
/// The well-known zone label (upstream `v1.LabelTopologyZone`).
public let zoneLabel = "topology.kubernetes.io/zone"
