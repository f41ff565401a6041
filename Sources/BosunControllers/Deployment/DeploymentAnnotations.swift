import BosunRuntime

/// The annotations the deployment controller keeps on ReplicaSets (and the revision on the
/// Deployment itself), under upstream's names: `kubectl rollout history` and `rollout undo`
/// read them.
enum DeploymentAnnotation {
    /// The rollout sequence number of a ReplicaSet; the Deployment mirrors its new RS's.
    static let revision = "deployment.kubernetes.io/revision"
    /// Earlier revisions a ReplicaSet served, comma-separated (it became new again by rollback).
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    /// `spec.replicas` of the Deployment when it last sized this RS: a different value on an
    /// active RS means the Deployment was scaled.
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    /// `spec.replicas + maxSurge` when it last sized this RS: the base of proportional scaling.
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    /// The legacy `spec.rollbackTo` of extensions/v1beta1, round-tripped as an annotation.
    static let rollbackTo = "deprecated.deployment.rollback.to"
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    /// Deployment annotations that are not copied to its ReplicaSets (nor back on rollback).
    static let notCopied: Set<String> = [lastApplied, revision, revisionHistory, desiredReplicas, maxReplicas, rollbackTo]

    /// Upstream caps `revision-history` at 2,000 characters, dropping the oldest entries.
    static let revisionHistoryLimitInChars = 2000
}

extension ReplicaSet {
    /// The `revision` annotation: 0 when absent, `nil` when it is not a number.
    var revision: Int64? {
        guard let value = metadata.annotations?[DeploymentAnnotation.revision] else { return 0 }
        return Int64(value)
    }

    /// An integer annotation (`desired-replicas`, `max-replicas`), if present and numeric.
    func intAnnotation(_ key: String) -> Int32? {
        metadata.annotations?[key].flatMap { Int32($0) }
    }

    /// Sets `desired-replicas` and `max-replicas`; returns whether either changed.
    @discardableResult
    mutating func setReplicasAnnotations(desired: Int32, max: Int32) -> Bool {
        var annotations = metadata.annotations ?? [:]
        defer { metadata.annotations = annotations }
        var changed = false
        for (key, value) in [(DeploymentAnnotation.desiredReplicas, desired), (DeploymentAnnotation.maxReplicas, max)]
        where annotations[key] != String(value) {
            annotations[key] = String(value)
            changed = true
        }
        return changed
    }

    func replicasAnnotationsNeedUpdate(desired: Int32, max: Int32) -> Bool {
        metadata.annotations?[DeploymentAnnotation.desiredReplicas] != String(desired)
            || metadata.annotations?[DeploymentAnnotation.maxReplicas] != String(max)
    }

    /// Copies the Deployment's annotations that are meant for its ReplicaSets; returns whether
    /// any changed. Annotations removed from the Deployment stay on the RS, as upstream.
    mutating func copyAnnotations(from deployment: Deployment) -> Bool {
        var annotations = metadata.annotations ?? [:]
        var changed = false
        for (key, value) in deployment.metadata.annotations ?? [:]
        where !DeploymentAnnotation.notCopied.contains(key) && annotations[key] != value {
            annotations[key] = value
            changed = true
        }
        metadata.annotations = annotations
        return changed
    }

    /// Upstream `SetNewReplicaSetAnnotations`: copies the Deployment's annotations, raises the
    /// revision to `newRevision` when it is lower (appending the old number to
    /// `revision-history`: the RS is new again after a rollback), and on a RS about to be
    /// created sets the replicas annotations. Returns whether anything changed.
    mutating func setNewReplicaSetAnnotations(from deployment: Deployment, newRevision: Int64, exists: Bool) -> Bool {
        var changed = copyAnnotations(from: deployment)
        var annotations = metadata.annotations ?? [:]
        let oldText = annotations[DeploymentAnnotation.revision]
        let oldRevision: Int64
        if let oldText, !oldText.isEmpty {
            // A revision that is not a number is left alone, and so is everything else (upstream
            // returns early here, even though annotations may have been copied above).
            guard let parsed = Int64(oldText) else { return false }
            oldRevision = parsed
        } else {
            oldRevision = 0
        }
        if oldRevision < newRevision {
            annotations[DeploymentAnnotation.revision] = String(newRevision)
            changed = true
            if let oldText {
                annotations[DeploymentAnnotation.revisionHistory] = Self.appendingHistory(
                    annotations[DeploymentAnnotation.revisionHistory] ?? "", oldText)
            }
        }
        metadata.annotations = annotations
        if !exists, setReplicasAnnotations(desired: deployment.replicas, max: deployment.replicas &+ deployment.maxSurge) {
            changed = true
        }
        return changed
    }

    /// `history` with `revision` appended, dropping the oldest entries to stay within
    /// ``DeploymentAnnotation/revisionHistoryLimitInChars`` (unchanged if even that is not enough).
    static func appendingHistory(_ history: String, _ revision: String) -> String {
        if history.isEmpty { return revision }
        var entries = history.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var total = history.count + revision.count + 1
        var start = 0
        while total > DeploymentAnnotation.revisionHistoryLimitInChars && start < entries.count {
            total -= entries[start].count + 1
            start += 1
        }
        guard total <= DeploymentAnnotation.revisionHistoryLimitInChars else { return history }
        entries = Array(entries[start...]) + [revision]
        return entries.joined(separator: ",")
    }
}

extension Deployment {
    /// Sets the `revision` annotation; returns whether it changed.
    mutating func setRevision(_ revision: String) -> Bool {
        guard metadata.annotations?[DeploymentAnnotation.revision] != revision else { return false }
        metadata.annotations = (metadata.annotations ?? [:]).merging([DeploymentAnnotation.revision: revision]) { $1 }
        return true
    }

    /// On rollback: the Deployment keeps its own non-copied annotations and takes every other
    /// annotation from the ReplicaSet it rolls back to (upstream `SetDeploymentAnnotationsTo`).
    mutating func setAnnotations(rollingBackTo rs: ReplicaSet) {
        var annotations = (metadata.annotations ?? [:]).filter { DeploymentAnnotation.notCopied.contains($0.key) }
        for (key, value) in rs.metadata.annotations ?? [:] where !DeploymentAnnotation.notCopied.contains(key) {
            annotations[key] = value
        }
        metadata.annotations = annotations
    }
}

/// The highest revision among `sets` (those whose revision does not parse are skipped).
func maxRevision(_ sets: [ReplicaSet]) -> Int64 {
    sets.compactMap(\.revision).max().map { max($0, 0) } ?? 0
}

/// The second-highest revision among `sets`: the one before the current (upstream `LastRevision`).
func lastRevision(_ sets: [ReplicaSet]) -> Int64 {
    var highest: Int64 = 0
    var second: Int64 = 0
    for revision in sets.compactMap(\.revision) {
        if revision >= highest {
            second = highest
            highest = revision
        } else if revision > second {
            second = revision
        }
    }
    return second
}
