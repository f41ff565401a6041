import BosunRuntime

/// A StatefulSet's ControllerRevisions (upstream `getStatefulSetRevisions`, `ApplyRevision`,
/// `truncateHistory`): each holds the set's pod template; pods carry the name of the revision
/// they were made from in `controller-revision-hash`.
struct StatefulSetRevisions {
    let history: RevisionHistoryClient

    /// The revision the set's template calls for and the one its pods are at, and the collision
    /// count that named them.
    ///
    /// - The template equals the newest revision's: that one is the update revision.
    /// - It equals an older one (a rollback): that one is renumbered to be the newest.
    /// - Otherwise a new revision is created, `<set>-<hash>`; a name taken by other data bumps
    ///   the collision count.
    ///
    /// The current revision is the one `status.currentRevision` names, or the update revision
    /// when there is none (a new set).
    func resolve(_ set: StatefulSet, sorted revisions: [ControllerRevision]) async throws
        -> (current: ControllerRevision, update: ControllerRevision, collisionCount: Int32)
    {
        var collisionCount = set.status.collisionCount ?? 0
        let candidate = Self.newRevision(of: set, number: ControllerHistory.nextRevision(revisions), collisionCount: collisionCount)
        let equal = ControllerHistory.equalRevisions(revisions, to: candidate)
        let update: ControllerRevision
        if let lastEqual = equal.last, let newest = revisions.last, ControllerHistory.equal(newest, lastEqual) {
            update = newest
        } else if let lastEqual = equal.last {
            update = try await history.renumber(lastEqual, to: candidate.revision)
        } else {
            update = try await history.create(candidate, for: set, collisionCount: &collisionCount)
        }
        let current = revisions.first { $0.name == set.status.currentRevision } ?? update
        return (current, update, collisionCount)
    }

    /// A revision of `set`'s template numbered `number` (upstream `newRevision`).
    static func newRevision(of set: StatefulSet, number: Int64, collisionCount: Int32) -> ControllerRevision {
        ControllerHistory.newRevision(
            of: set, templateLabels: set.spec.template.metadata?.labels, data: ControllerHistory.templatePatch(set.spec.template),
            revision: number, collisionCount: collisionCount)
    }

    /// `set` with the template `revision` holds (upstream `ApplyRevision`).
    static func apply(_ revision: ControllerRevision, to set: StatefulSet) throws -> StatefulSet {
        guard let template = ControllerHistory.template(in: revision) else {
            throw StatefulSetError("ControllerRevision \(revision.name) holds no pod template")
        }
        var copy = set
        copy.spec.template = template
        return copy
    }

    /// Deletes the oldest revisions that are neither current, nor the update revision, nor the
    /// revision of a pod, until at most `revisionHistoryLimit` of them are left.
    func truncate(
        _ set: StatefulSet, pods: [Pod], sorted revisions: [ControllerRevision], current: ControllerRevision?,
        update: ControllerRevision?
    ) async throws {
        var live = Set(pods.map(StatefulPodState.revision))
        if let current { live.insert(current.name) }
        if let update { live.insert(update.name) }
        let old = revisions.filter { !live.contains($0.name) }
        let limit = Int(set.spec.revisionHistoryLimit ?? ControllerHistory.defaultHistoryLimit)
        guard limit >= 0, old.count > limit else { return }
        for revision in old.prefix(old.count - limit) {
            try await history.delete(revision)
        }
    }
}
