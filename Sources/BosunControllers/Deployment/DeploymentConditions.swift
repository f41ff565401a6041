import BosunRuntime

/// The Deployment condition types and reasons, under upstream's names: `kubectl rollout status`,
/// `kubectl wait --for=condition=Available` and `kubectl describe` read them.
enum DeploymentConditionType {
    static let available = "Available"
    static let progressing = "Progressing"
    static let replicaFailure = "ReplicaFailure"
}

enum DeploymentReason {
    /// Progressing=True: a ReplicaSet was scaled as part of the rollout.
    static let replicaSetUpdated = "ReplicaSetUpdated"
    /// Progressing=False: the new ReplicaSet could not be created.
    static let replicaSetCreateError = "ReplicaSetCreateError"
    /// Progressing=True: the new ReplicaSet was created.
    static let newReplicaSetCreated = "NewReplicaSetCreated"
    /// Progressing=True: the new ReplicaSet existed when progress started to be tracked.
    static let foundNewReplicaSet = "FoundNewReplicaSet"
    /// Progressing=True: the rollout is complete.
    static let newReplicaSetAvailable = "NewReplicaSetAvailable"
    /// Progressing=False: no progress within `progressDeadlineSeconds`.
    static let progressDeadlineExceeded = "ProgressDeadlineExceeded"
    /// Progressing=Unknown: paused, so progress is not judged.
    static let deploymentPaused = "DeploymentPaused"
    /// Progressing=Unknown: resumed; the deadline counts from here.
    static let deploymentResumed = "DeploymentResumed"
    /// Available=True / False.
    static let minimumReplicasAvailable = "MinimumReplicasAvailable"
    static let minimumReplicasUnavailable = "MinimumReplicasUnavailable"
}

extension DeploymentCondition {
    /// A condition that both transitioned and was updated `now` (upstream `NewDeploymentCondition`).
    /// Times are cut to whole seconds, as they are stored, so that an unchanged status compares equal.
    init(_ type: String, _ status: String, reason: String, message: String, now: Time) {
        let now = now.truncatedToSeconds
        self.init(status: status, type: type, lastTransitionTime: now, lastUpdateTime: now, message: message, reason: reason)
    }

    /// A ReplicaSet's failure condition, promoted to the Deployment.
    init(promoting condition: ReplicaSetCondition) {
        self.init(status: condition.status, type: condition.type, lastTransitionTime: condition.lastTransitionTime,
                  lastUpdateTime: condition.lastTransitionTime, message: condition.message, reason: condition.reason)
    }
}

extension DeploymentStatus {
    func condition(_ type: String) -> DeploymentCondition? {
        conditions?.first { $0.type == type }
    }

    /// Upstream `SetDeploymentCondition`: a condition with the same status and reason is left
    /// as it is (message and times included); otherwise it replaces the old one, keeping the old
    /// `lastTransitionTime` when the status did not change, and moves to the end of the list.
    mutating func setCondition(_ condition: DeploymentCondition) {
        var condition = condition
        if let current = self.condition(condition.type) {
            if current.status == condition.status && current.reason == condition.reason { return }
            if current.status == condition.status { condition.lastTransitionTime = current.lastTransitionTime }
        }
        conditions = (conditions ?? []).filter { $0.type != condition.type } + [condition]
    }

    mutating func removeCondition(_ type: String) {
        let remaining = (conditions ?? []).filter { $0.type != type }
        conditions = remaining.isEmpty ? nil : remaining
    }
}

extension Deployment {
    /// The rollout is done (upstream `DeploymentComplete`): every replica is updated and
    /// available, none is old, and the status describes the current generation.
    func isComplete(_ status: DeploymentStatus) -> Bool {
        (status.updatedReplicas ?? 0) == replicas && (status.replicas ?? 0) == replicas
            && (status.availableReplicas ?? 0) == replicas
            && (status.observedGeneration ?? 0) >= (metadata.generation ?? 0)
    }

    /// Whether `newStatus` shows progress over the current status (upstream
    /// `DeploymentProgressing`): more updated, fewer old, more ready or more available replicas.
    func isProgressing(_ newStatus: DeploymentStatus) -> Bool {
        let old = status
        let oldOld = (old.replicas ?? 0) &- (old.updatedReplicas ?? 0)
        let newOld = (newStatus.replicas ?? 0) &- (newStatus.updatedReplicas ?? 0)
        return (newStatus.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
            || (newStatus.readyReplicas ?? 0) > (old.readyReplicas ?? 0)
            || (newStatus.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    }

    /// Whether the rollout missed its deadline (upstream `DeploymentTimedOut`): it already did,
    /// or the Progressing condition's `lastUpdateTime + progressDeadlineSeconds` is before `now`.
    /// A completed rollout never times out.
    func hasTimedOut(_ newStatus: DeploymentStatus, now: Time) -> Bool {
        guard hasProgressDeadline, let condition = newStatus.condition(DeploymentConditionType.progressing) else { return false }
        switch condition.reason {
        case DeploymentReason.newReplicaSetAvailable?: return false
        case DeploymentReason.progressDeadlineExceeded?: return true
        default: break
        }
        let from = condition.lastUpdateTime ?? .zero
        return from.advanced(by: .seconds(Int64(spec.progressDeadlineSeconds ?? 0))) < now
    }
}
