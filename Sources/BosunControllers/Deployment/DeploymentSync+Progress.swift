import BosunRuntime

/// The rollout's status and its Progressing condition (upstream `progress.go`).
extension DeploymentSync {
    /// Writes the rollout status if it changed. With a progress deadline, a rollout that is not
    /// yet complete gets Progressing=True `NewReplicaSetAvailable` when it completes,
    /// True `ReplicaSetUpdated` (a new `lastUpdateTime`) when it moved, and False
    /// `ProgressDeadlineExceeded` once it stood still past the deadline. ReplicaSet failures are
    /// promoted to a ReplicaFailure condition. When nothing changed, schedules the deadline check.
    mutating func syncRolloutStatus(_ allRSs: [ReplicaSet], _ newRS: ReplicaSet?) async throws {
        var newStatus = calculateStatus(allRSs, newRS)
        if !d.hasProgressDeadline {
            newStatus.removeCondition(DeploymentConditionType.progressing)
        }
        let current = d.status.condition(DeploymentConditionType.progressing)
        // A resync of a finished rollout estimates nothing.
        let alreadyComplete = (newStatus.replicas ?? 0) == (newStatus.updatedReplicas ?? 0)
            && current?.reason == DeploymentReason.newReplicaSetAvailable
        if d.hasProgressDeadline && !alreadyComplete {
            let subject = newRS.map { "ReplicaSet \"\($0.name)\"" } ?? "Deployment \(quotedName)"
            if d.isComplete(newStatus) {
                newStatus.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "True",
                    reason: DeploymentReason.newReplicaSetAvailable, message: "\(subject) has successfully progressed.", now: now))
            } else if d.isProgressing(newStatus) {
                var condition = DeploymentCondition(DeploymentConditionType.progressing, "True",
                    reason: DeploymentReason.replicaSetUpdated, message: "\(subject) is progressing.", now: now)
                // Unlike other conditions, the same reason is written again: progress moves
                // lastUpdateTime, and the deadline counts from it.
                if let current {
                    if current.status == "True" { condition.lastTransitionTime = current.lastTransitionTime }
                    newStatus.removeCondition(DeploymentConditionType.progressing)
                }
                newStatus.setCondition(condition)
            } else if d.hasTimedOut(newStatus, now: now) {
                newStatus.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "False",
                    reason: DeploymentReason.progressDeadlineExceeded, message: "\(subject) has timed out progressing.", now: now))
            }
        }
        if let failure = replicaFailures(allRSs, newRS).first {
            newStatus.setCondition(failure)
        } else {
            newStatus.removeCondition(DeploymentConditionType.replicaFailure)
        }
        if d.status == newStatus {
            requeueAfter = progressCheckDelay(newStatus)
            return
        }
        d.status = newStatus
        d = try await client.updateStatus(d)
    }

    /// ReplicaFailure conditions of the new ReplicaSet, or else of any ReplicaSet.
    private func replicaFailures(_ allRSs: [ReplicaSet], _ newRS: ReplicaSet?) -> [DeploymentCondition] {
        func failures(_ rs: ReplicaSet) -> [DeploymentCondition] {
            (rs.status.conditions ?? []).filter { $0.type == DeploymentConditionType.replicaFailure }.map(DeploymentCondition.init(promoting:))
        }
        if let newRS, case let found = failures(newRS), !found.isEmpty { return found }
        return allRSs.flatMap(failures)
    }

    /// When a rollout that shows no progress must be looked at again: when its deadline passes
    /// (`lastUpdateTime + progressDeadlineSeconds`), plus a second as upstream adds against clock
    /// skew. `nil` when there is no deadline to watch (none set, complete, or already exceeded).
    private func progressCheckDelay(_ newStatus: DeploymentStatus) -> Duration? {
        guard d.hasProgressDeadline, let current = d.status.condition(DeploymentConditionType.progressing) else { return nil }
        if d.isComplete(newStatus) || current.reason == DeploymentReason.progressDeadlineExceeded { return nil }
        let deadline = (current.lastUpdateTime ?? .zero).advanced(by: .seconds(Int64(d.spec.progressDeadlineSeconds ?? 0)))
        // Upstream requeues at once (rate-limited) under a second; the deadline is a whole second
        // here, so waiting one more second reaches it without spinning on a clock that stands still.
        return max(now.duration(to: deadline), .zero) + .seconds(1)
    }
}
