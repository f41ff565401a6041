import BosunRuntime

/// Reads and writes an owner's ControllerRevisions (upstream `history.Interface`): reads from
/// the shared revision informer, writes through the controller's client.
public struct RevisionHistoryClient: Sendable {
    public let revisions: Informer<ControllerRevision>
    public let client: CachedClient

    public init(revisions: Informer<ControllerRevision>, client: CachedClient) {
        self.revisions = revisions
        self.client = client
    }

    /// The revisions of `owner`'s namespace that `selector` matches and that `owner` controls or
    /// nobody does (upstream `ListControllerRevisions`): the owner's history and the orphans it
    /// may adopt.
    public func list(of owner: some Resource, selector: Selector) -> [ControllerRevision] {
        let uid = owner.metadata.uid ?? ""
        return revisions.list(namespace: owner.metadata.namespace ?? "", labelSelector: selector).filter { revision in
            guard let ref = revision.controllerOwner else { return true }
            return ref.uid == uid
        }
    }

    /// Creates `revision`, renamed for `collisionCount` (upstream `CreateControllerRevision`).
    /// When the name is taken by a revision with the same data, that one is the answer; when by
    /// another, `collisionCount` goes up and the next name is tried.
    public func create(_ revision: ControllerRevision, for owner: some Resource, collisionCount: inout Int32) async throws
        -> ControllerRevision
    {
        var candidate = revision
        while true {
            let hash = RevisionHash.revision(data: revision.data, collisionCount: collisionCount)
            candidate.metadata.name = ControllerHistory.name(prefix: owner.name, hash: hash)
            candidate.metadata.namespace = owner.metadata.namespace
            do {
                return try await client.create(candidate)
            } catch let error as APIError where error.reason == .alreadyExists {
                let existing = try await client.api.get(
                    ControllerRevision.self, namespace: owner.metadata.namespace, name: candidate.name)
                if existing.data == candidate.data { return existing }
                collisionCount &+= 1
            }
        }
    }

    /// Gives `revision` the number `number` (upstream `UpdateControllerRevision`), retrying once
    /// from a fresh read on a conflict.
    public func renumber(_ revision: ControllerRevision, to number: Int64) async throws -> ControllerRevision {
        if revision.revision == number { return revision }
        var updated = revision
        updated.revision = number
        do {
            return try await client.update(updated)
        } catch let error as APIError where error.reason == .conflict {
            var fresh = try await client.api.get(ControllerRevision.self, namespace: revision.metadata.namespace, name: revision.name)
            fresh.revision = number
            return try await client.update(fresh)
        }
    }

    /// Deletes `revision`; one already gone is fine.
    public func delete(_ revision: ControllerRevision) async throws {
        do {
            try await client.delete(ControllerRevision.self, namespace: revision.metadata.namespace, name: revision.name)
        } catch let error as APIError where error.code == 404 {}
    }
}
