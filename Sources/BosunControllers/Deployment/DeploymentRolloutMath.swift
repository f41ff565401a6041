import BosunRuntime

/// How many pods a rollout may add or take away, as upstream's `deployment/util` computes them.
///
/// Counts are `Int32` and the rollout arithmetic wraps on overflow (`&+`, `&-`) as Go's does:
/// a Deployment of MaxInt32 replicas gets upstream's odd numbers, not a crashed controller.
extension Deployment {
    static let rollingUpdate = "RollingUpdate"
    static let recreate = "Recreate"

    /// `spec.replicas` (the store defaults it to 1).
    var replicas: Int32 { spec.replicas ?? 1 }

    var isRollingUpdate: Bool { spec.strategy?.type == Self.rollingUpdate }

    /// Surge and unavailability resolved together (upstream `ResolveFenceposts`): a percentage
    /// of `spec.replicas` rounds up for surge and down for unavailability, and when both come
    /// out 0 one pod may be unavailable (surge might be blocked by a quota).
    static func resolveFenceposts(maxSurge: IntOrString?, maxUnavailable: IntOrString?, desired: Int32) throws(IntOrStringError)
        -> (surge: Int32, unavailable: Int32)
    {
        let surge = try (maxSurge ?? .int(0)).scaledValue(total: Int(desired), roundUp: true)
        var unavailable = try (maxUnavailable ?? .int(0)).scaledValue(total: Int(desired), roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (Int32(clamping: surge), Int32(clamping: unavailable))
    }

    private var fenceposts: (surge: Int32, unavailable: Int32) {
        let rolling = spec.strategy?.rollingUpdate
        // Validation rejects values that do not resolve; upstream reads them as 0 here too.
        return (try? Self.resolveFenceposts(maxSurge: rolling?.maxSurge, maxUnavailable: rolling?.maxUnavailable, desired: replicas))
            ?? (0, 0)
    }

    /// Pods above `spec.replicas` a rolling update may run; 0 for Recreate.
    var maxSurge: Int32 { isRollingUpdate ? fenceposts.surge : 0 }

    /// Pods below `spec.replicas` a rolling update may leave unavailable, at most `spec.replicas`;
    /// 0 for Recreate and for a Deployment scaled to 0.
    var maxUnavailable: Int32 {
        guard isRollingUpdate, replicas != 0 else { return 0 }
        return min(fenceposts.unavailable, replicas)
    }

    /// Pods that must stay available during a rolling update; 0 for Recreate.
    var minAvailable: Int32 { isRollingUpdate ? replicas &- maxUnavailable : 0 }

    /// Whether progress is tracked: a deadline is set and is not MaxInt32.
    var hasProgressDeadline: Bool {
        guard let seconds = spec.progressDeadlineSeconds else { return false }
        return seconds != Int32.max
    }

    /// Whether old ReplicaSets are cleaned up: a limit is set and is not MaxInt32.
    var hasRevisionHistoryLimit: Bool {
        guard let limit = spec.revisionHistoryLimit else { return false }
        return limit != Int32.max
    }
}

/// The size the new ReplicaSet should have now (upstream `NewRSNewReplicas`): for a rolling
/// update, as many more as the surge allows without exceeding `spec.replicas`; for Recreate,
/// `spec.replicas`.
func newReplicaSetReplicas(_ d: Deployment, allSets: [ReplicaSet], newSet: ReplicaSet) throws -> Int32 {
    switch d.spec.strategy?.type {
    case Deployment.rollingUpdate?:
        let surge = try (d.spec.strategy?.rollingUpdate?.maxSurge ?? .int(0)).scaledValue(total: Int(d.replicas), roundUp: true)
        let current = specReplicaCount(allSets)
        let maxTotal = d.replicas &+ Int32(clamping: surge)
        if current >= maxTotal { return newSet.replicas }
        return newSet.replicas &+ min(maxTotal &- current, d.replicas &- newSet.replicas)
    case Deployment.recreate?:
        return d.replicas
    case let type:
        throw DeploymentSyncError("deployment type \(type ?? "") isn't supported")
    }
}

/// How much `rs` should grow (or shrink) when the Deployment's size changes mid-rollout
/// (upstream `GetProportion`): its share of the change, clamped to what is still to be handed out.
func proportion(of rs: ReplicaSet, _ d: Deployment, toAdd: Int32, added: Int32) -> Int32 {
    guard rs.replicas != 0, toAdd != 0, toAdd != added else { return 0 }
    let fraction = replicaSetFraction(rs, d)
    let allowed = toAdd &- added
    // Never hand out more than remains: the smaller when growing, the larger (less negative)
    // when shrinking.
    return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
}

/// The change `rs` would get if every ReplicaSet kept its share of the Deployment's maximum
/// size: `round(rs × (replicas + maxSurge) / max-replicas annotation) − rs`, rounding half away
/// from zero.
func replicaSetFraction(_ rs: ReplicaSet, _ d: Deployment) -> Int32 {
    if d.replicas == 0 { return -rs.replicas }
    let deploymentMax = d.replicas &+ d.maxSurge
    var before = rs.intAnnotation(DeploymentAnnotation.maxReplicas) ?? 0
    if before == 0 {
        // The annotation was removed or mangled: fall back to the current size. Proportions
        // may then be off, but the clamping in `proportion` keeps the total right.
        before = d.status.replicas ?? 0
        if before == 0 { return 0 }
    }
    let size = Double(rs.replicas) * Double(deploymentMax) / Double(before)
    return Int32(clamping: Int64(size.rounded(.toNearestOrAwayFromZero))) &- rs.replicas
}

/// Whether the new ReplicaSet holds the whole Deployment: its size, its `desired-replicas` and
/// its available pods all equal `spec.replicas` (upstream `IsSaturated`).
func isSaturated(_ d: Deployment, _ rs: ReplicaSet?) -> Bool {
    guard let rs, let desired = rs.metadata.annotations?[DeploymentAnnotation.desiredReplicas].flatMap({ Int32($0) }) else {
        return false
    }
    return rs.replicas == d.replicas && desired == d.replicas && (rs.status.availableReplicas ?? 0) == d.replicas
}

/// A failure the next sync may not repeat: it is retried with backoff.
struct DeploymentSyncError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
