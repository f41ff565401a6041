import BosunRuntime

/// A DaemonSet's ControllerRevisions (upstream `constructHistory`, `snapshot`,
/// `dedupCurHistories`, `cleanupHistory`): `<ds>-<hash>`, the hash of the template and the
/// collision count, labelled with the template's labels and `controller-revision-hash`; the
/// pods carry the hash.
struct DaemonSetHistory {
    let history: RevisionHistoryClient
    let pods: PodControl

    /// The revision of the set's template — found, renumbered to be the newest, or created —
    /// and the others.
    func construct(_ ds: DaemonSet, selector: Selector, owned: [ControllerRevision], podsByHash: [String: [PodFacts]]) async throws
        -> (current: ControllerRevision, old: [ControllerRevision])
    {
        let data = ControllerHistory.templatePatch(ds.spec.template)
        var current: [ControllerRevision] = []
        var old: [ControllerRevision] = []
        for revision in owned {
            if revision.data == data { current.append(revision) } else { old.append(revision) }
        }
        let next = (old.map(\.revision).max() ?? 0) + 1
        guard !current.isEmpty else {
            return (try await snapshot(ds, number: next, data: data), old)
        }
        var kept = try await dedup(ds, current, podsByHash: podsByHash)
        if kept.revision < next { kept = try await history.renumber(kept, to: next) }
        return (kept, old)
    }

    /// Creates the revision of the set's template. A name taken by another template bumps
    /// `status.collisionCount` (from a fresh read) and fails the sync, which retries with the
    /// new count.
    private func snapshot(_ ds: DaemonSet, number: Int64, data: JSONValue) async throws -> ControllerRevision {
        let hash = RevisionHash.template(ds.spec.template, collisionCount: ds.status.collisionCount)
        var labels = ds.spec.template.metadata?.labels ?? [:]
        labels[ControllerHistory.podRevisionLabel] = hash
        let revision = ControllerRevision(
            metadata: ObjectMeta(
                annotations: ds.metadata.annotations, labels: labels, name: ControllerHistory.name(prefix: ds.name, hash: hash),
                namespace: ds.metadata.namespace, ownerReferences: [ds.controllerReference]),
            revision: number, data: data)
        do {
            return try await history.client.create(revision)
        } catch let error as APIError where error.reason == .alreadyExists {
            let existing = try await history.client.api.get(ControllerRevision.self, namespace: ds.metadata.namespace, name: revision.name)
            if existing.data == data { return existing }
            var fresh = try await history.client.api.get(DaemonSet.self, namespace: ds.metadata.namespace, name: ds.name)
            guard fresh.status.collisionCount == ds.status.collisionCount else {
                throw DaemonSetError("found a stale collision count (\(ds.status.collisionCount ?? 0), expected \(fresh.status.collisionCount ?? 0)) of DaemonSet \"\(ds.name)\" while processing; will retry until it is updated")
            }
            fresh.status.collisionCount = (fresh.status.collisionCount ?? 0) + 1
            _ = try await history.client.updateStatus(fresh)
            throw error
        }
    }

    /// Several revisions hold the template (upstream `dedupCurHistories`): the newest stays,
    /// pods labelled with the others' hashes are relabelled to it, the others are deleted.
    private func dedup(_ ds: DaemonSet, _ revisions: [ControllerRevision], podsByHash: [String: [PodFacts]]) async throws
        -> ControllerRevision
    {
        let sorted = ControllerHistory.sorted(revisions)
        guard let keep = sorted.last, sorted.count > 1 else { return revisions[0] }
        let keepHash = keep.metadata.labels?[ControllerHistory.podRevisionLabel] ?? ""
        for duplicate in sorted.dropLast() {
            let hash = duplicate.metadata.labels?[ControllerHistory.podRevisionLabel] ?? ""
            for pod in podsByHash[hash] ?? [] {
                let labels = JSONValue.object(JSONObject([.init(key: ControllerHistory.podRevisionLabel, value: .string(keepHash))]))
                let patch: JSONValue = ["metadata": ["labels": labels]]
                _ = try await pods.client.patch(Pod.self, namespace: pod.name.namespace, name: pod.name.name, .strategic, patch)
            }
            try await history.delete(duplicate)
        }
        return keep
    }

    /// Deletes the oldest revisions beyond `revisionHistoryLimit` whose hash no pod carries.
    func cleanup(_ ds: DaemonSet, old: [ControllerRevision], liveHashes: Set<String>) async throws {
        let limit = Int(ds.spec.revisionHistoryLimit ?? ControllerHistory.defaultHistoryLimit)
        var toKill = old.count - limit
        guard toKill > 0 else { return }
        for revision in old.sorted(by: { $0.revision < $1.revision }) where toKill > 0 {
            if let hash = revision.metadata.labels?[ControllerHistory.podRevisionLabel], liveHashes.contains(hash) { continue }
            try await history.delete(revision)
            toKill -= 1
        }
    }
}

/// A DaemonSet sync's failure, worded as upstream's.
struct DaemonSetError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
