import BosunRuntime

/// The Recreate strategy (upstream `recreate.go`): every old ReplicaSet goes to 0, and only
/// when none reports replicas and none of their pods is still running (or Unknown, or
/// terminating) is the new ReplicaSet created or scaled to `spec.replicas`.
extension DeploymentSync {
    mutating func rolloutRecreate() async throws {
        // Not created yet, so nothing is scaled up before the old pods are gone.
        var (newRS, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: false)
        var allRSs = oldRSs + [newRS].compactMap { $0 }
        if try await scaleDownOldReplicaSetsForRecreate(activeSets(oldRSs)) {
            return try await syncRolloutStatus(allRSs, newRS)
        }
        if oldPodsRunning(newRS, oldRSs) {
            return try await syncRolloutStatus(allRSs, newRS)
        }
        if newRS == nil {
            (newRS, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: true)
            allRSs = oldRSs + [newRS].compactMap { $0 }
        }
        if let newRS {
            _ = try await scaleReplicaSetAndRecordEvent(newRS, to: d.replicas)
        }
        if d.isComplete(d.status) {
            try await cleanupDeployment(oldRSs)
        }
        try await syncRolloutStatus(allRSs, newRS)
    }

    private mutating func scaleDownOldReplicaSetsForRecreate(_ oldRSs: [ReplicaSet]) async throws -> Bool {
        var scaled = false
        for rs in oldRSs where rs.replicas != 0 {
            if try await scaleReplicaSetAndRecordEvent(rs, to: 0).scaled { scaled = true }
        }
        return scaled
    }

    /// Whether an old ReplicaSet still reports replicas, or one of its pods has not ended.
    /// Only Recreate looks at pods; the pod cache is indexed by owner, so this costs the old
    /// ReplicaSets' pods, not every pod.
    private func oldPodsRunning(_ newRS: ReplicaSet?, _ oldRSs: [ReplicaSet]) -> Bool {
        if actualReplicaCount(oldRSs) > 0 { return true }
        let selector = (try? d.spec.selector.compiled()) ?? .nothing
        for rs in sets where rs.metadata.uid != newRS?.metadata.uid {
            guard let uid = rs.metadata.uid else { continue }
            for pod in pods.byIndex(Indexers.ownerUID, uid)
            where pod.controllerOwner?.uid == uid && selector.matches(pod.metadata.labels ?? [:]) {
                // Anything but Succeeded and Failed may still run: Unknown too (the node may be
                // unreachable, not the pod stopped), and terminating pods.
                if !pod.hasEnded { return true }
            }
        }
        return false
    }
}
