extension Toleration {
    /// Upstream `Toleration.ToleratesTaint`: the effect matches (or is empty), the key matches (an
    /// empty key with `Exists` matches every key), and the value matches for `Equal`.
    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.isEmpty, effect != taint.effect { return false }
        if let key, !key.isEmpty, key != taint.key { return false }
        switch self.operator ?? "Equal" {
        case "Exists": return true
        case "Equal", "": return (key ?? "").isEmpty ? false : (value ?? "") == (taint.value ?? "")
        default: return false
        }
    }
}

extension Array where Element == Toleration {
    /// Whether any toleration tolerates `taint`.
    public func tolerate(_ taint: Taint) -> Bool {
        for toleration in self where toleration.tolerates(taint) { return true }
        return false
    }
}
