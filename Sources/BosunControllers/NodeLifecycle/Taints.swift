import BosunRuntime

/// The taints the node lifecycle controller manages, as kube-controller-manager names them.
enum NodeTaints {
    static let notReady = "node.kubernetes.io/not-ready"
    static let unreachable = "node.kubernetes.io/unreachable"
    static let managedKeys: Set<String> = [notReady, unreachable]
}

extension Pod {
    /// How long the pod may stay on a node with these NoExecute taints: `nil` if some taint is not
    /// tolerated at all (evict now), `.max` if all are tolerated forever, otherwise the shortest
    /// `tolerationSeconds` among the tolerations used (as the taint eviction controller's
    /// `getMinTolerationTime`).
    func noExecuteTolerationSeconds(for taints: [Taint]) -> Int64? {
        var minimum = Int64.max
        for taint in taints where taint.effect == "NoExecute" {
            let matching = (spec.tolerations ?? []).filter { $0.tolerates(taint) }
            guard !matching.isEmpty else { return nil }
            for toleration in matching {
                if let seconds = toleration.tolerationSeconds { minimum = min(minimum, max(0, seconds)) }
            }
        }
        return minimum
    }
}
