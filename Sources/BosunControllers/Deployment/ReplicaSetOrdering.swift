import BosunRuntime

/// The orders and sums the deployment controller uses over ReplicaSets (upstream
/// `controller_utils.go` and `deployment/util`).
extension ReplicaSet {
    /// `spec.replicas` (the store defaults it to 1).
    var replicas: Int32 { spec.replicas ?? 1 }

    /// Older first; the name breaks ties (creation times have whole seconds).
    static func olderFirst(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        let ta = a.metadata.creationTimestamp ?? .zero
        let tb = b.metadata.creationTimestamp ?? .zero
        return ta == tb ? a.name < b.name : ta < tb
    }

    /// Larger first; among equals, older first (scaling down).
    static func largerThenOlder(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        a.replicas == b.replicas ? olderFirst(a, b) : a.replicas > b.replicas
    }

    /// Larger first; among equals, newer first (scaling up).
    static func largerThenNewer(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        a.replicas == b.replicas ? olderFirst(b, a) : a.replicas > b.replicas
    }

    /// Lower revision first; creation order when revisions tie or do not parse.
    static func lowerRevisionFirst(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        guard let ra = a.revision, let rb = b.revision, ra != rb else { return olderFirst(a, b) }
        return ra < rb
    }
}

/// ReplicaSets that are meant to run pods (`spec.replicas > 0`).
func activeSets(_ sets: [ReplicaSet?]) -> [ReplicaSet] {
    sets.compactMap { $0 }.filter { $0.replicas > 0 }
}

/// Σ `spec.replicas`.
func specReplicaCount(_ sets: [ReplicaSet?]) -> Int32 {
    sets.reduce(0) { $0 &+ ($1?.replicas ?? 0) }
}

/// Σ `status.replicas`.
func actualReplicaCount(_ sets: [ReplicaSet?]) -> Int32 {
    sets.reduce(0) { $0 &+ ($1?.status.replicas ?? 0) }
}

/// Σ `status.readyReplicas`.
func readyReplicaCount(_ sets: [ReplicaSet?]) -> Int32 {
    sets.reduce(0) { $0 &+ ($1?.status.readyReplicas ?? 0) }
}

/// Σ `status.availableReplicas`.
func availableReplicaCount(_ sets: [ReplicaSet?]) -> Int32 {
    sets.reduce(0) { $0 &+ ($1?.status.availableReplicas ?? 0) }
}
