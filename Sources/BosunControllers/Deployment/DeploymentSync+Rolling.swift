import BosunRuntime

/// The RollingUpdate strategy (upstream `rolling.go`): grow the new ReplicaSet as far as
/// `maxSurge` allows; otherwise shrink old ones as far as `maxUnavailable` allows; one step per
/// sync, each step waiting for the ReplicaSets' status to move.
extension DeploymentSync {
    mutating func rolloutRolling() async throws {
        let (created, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: true)
        guard let newRS = created else { throw DeploymentSyncError("no new replica set for deployment \(d.key)") }
        let allRSs = oldRSs + [newRS]
        if try await reconcileNewReplicaSet(allRSs, newRS) {
            return try await syncRolloutStatus(allRSs, newRS)
        }
        if await reconcileOldReplicaSets(allRSs, activeSets(oldRSs), newRS) {
            return try await syncRolloutStatus(allRSs, newRS)
        }
        if d.isComplete(d.status) {
            try await cleanupDeployment(oldRSs)
        }
        try await syncRolloutStatus(allRSs, newRS)
    }

    /// Scales the new ReplicaSet up by what the surge allows (or down to `spec.replicas`).
    private mutating func reconcileNewReplicaSet(_ allRSs: [ReplicaSet], _ newRS: ReplicaSet) async throws -> Bool {
        if newRS.replicas == d.replicas { return false }
        if newRS.replicas > d.replicas {
            return try await scaleReplicaSetAndRecordEvent(newRS, to: d.replicas).scaled
        }
        let size = try newReplicaSetReplicas(d, allSets: allRSs, newSet: newRS)
        return try await scaleReplicaSetAndRecordEvent(newRS, to: size).scaled
    }

    /// Scales old ReplicaSets down without taking availability below `replicas − maxUnavailable`:
    ///
    /// `maxScaledDown = Σ spec − minAvailable − (new spec − new available)`. Counting the new
    /// RS's unavailable pods keeps a crash-looping new RS from eating the old one; unhealthy old
    /// pods go first since removing them costs no availability.
    ///
    /// As upstream, a failure here is logged, not retried: the next status change syncs again.
    private mutating func reconcileOldReplicaSets(_ allRSs: [ReplicaSet], _ oldRSs: [ReplicaSet], _ newRS: ReplicaSet) async -> Bool {
        if specReplicaCount(oldRSs) == 0 { return false }
        let minAvailable = d.replicas &- d.maxUnavailable
        let newUnavailable = newRS.replicas &- (newRS.status.availableReplicas ?? 0)
        let maxScaledDown = specReplicaCount(allRSs) &- minAvailable &- newUnavailable
        if maxScaledDown <= 0 { return false }
        do {
            let (cleaned, cleanedCount) = try await cleanupUnhealthyReplicas(oldRSs, maxCleanup: maxScaledDown)
            let scaledDownCount = try await scaleDownOldReplicaSetsForRollingUpdate(cleaned + [newRS], cleaned)
            return cleanedCount &+ scaledDownCount > 0
        } catch {
            context.logger.warning("scaling down old replica sets failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Removes old replicas that are not available, oldest ReplicaSet first, at most `maxCleanup`.
    private mutating func cleanupUnhealthyReplicas(_ oldRSs: [ReplicaSet], maxCleanup: Int32) async throws -> ([ReplicaSet], Int32) {
        var sets = oldRSs.sorted(by: ReplicaSet.olderFirst)
        var total: Int32 = 0
        for index in sets.indices {
            if total >= maxCleanup { break }
            let rs = sets[index]
            let available = rs.status.availableReplicas ?? 0
            if rs.replicas == 0 || rs.replicas == available { continue }
            let count = min(maxCleanup &- total, rs.replicas &- available)
            let size = rs.replicas &- count
            // A status that still counts more available pods than the spec (a scale-down not yet
            // observed) makes this a scale-up: refused, as upstream, until the status catches up.
            if size > rs.replicas {
                throw DeploymentSyncError("when cleaning up unhealthy replicas, got invalid request to scale down \(rs.key) \(rs.replicas) -> \(size)")
            }
            sets[index] = try await scaleReplicaSetAndRecordEvent(rs, to: size).rs
            total &+= count
        }
        return (sets, total)
    }

    /// Removes `Σ available − minAvailable` old replicas, oldest ReplicaSet first.
    private mutating func scaleDownOldReplicaSetsForRollingUpdate(_ allRSs: [ReplicaSet], _ oldRSs: [ReplicaSet]) async throws -> Int32 {
        let minAvailable = d.replicas &- d.maxUnavailable
        let available = availableReplicaCount(allRSs)
        if available <= minAvailable { return 0 }
        let toScaleDown = available &- minAvailable
        var total: Int32 = 0
        for rs in oldRSs.sorted(by: ReplicaSet.olderFirst) {
            if total >= toScaleDown { break }
            if rs.replicas == 0 { continue }
            let count = min(rs.replicas, toScaleDown &- total)
            _ = try await scaleReplicaSetAndRecordEvent(rs, to: rs.replicas &- count)
            total &+= count
        }
        return total
    }
}
