import BosunRuntime

/// The taints the node lifecycle controller manages, as kube-controller-manager names them.
enum NodeTaints {
    static let notReady = "node.kubernetes.io/not-ready"
    static let unreachable = "node.kubernetes.io/unreachable"
    static let managedKeys: Set<String> = [notReady, unreachable]
}

extension Toleration {
    /// Whether this toleration tolerates `taint`, as `v1.Toleration.ToleratesTaint`: the effect
    /// matches (an empty effect matches all), and the key matches with `Exists` (an empty key
    /// with `Exists` matches every key) or key and value match with `Equal` (the default).
    func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.isEmpty, effect != taint.effect { return false }
        let key = self.key ?? ""
        if !key.isEmpty, key != taint.key { return false }
        switch self.operator ?? "Equal" {
        case "Exists": return true
        case "Equal", "": return !key.isEmpty && (value ?? "") == (taint.value ?? "")
        default: return false
        }
    }
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
