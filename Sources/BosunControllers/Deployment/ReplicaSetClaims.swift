import BosunRuntime

/// Adopts and releases ReplicaSets for one Deployment, as upstream's
/// `ReplicaSetControllerRefManager.ClaimReplicaSets`:
///
/// - a ReplicaSet it controls and whose labels still match is kept;
/// - one it controls that no longer matches is released (unless the Deployment is being deleted);
/// - an orphan that matches (and is not being deleted) is adopted, after a live GET confirms the
///   Deployment still exists with this uid and is not being deleted.
///
/// Kept small and to itself: a generic claims manager replaces it later.
struct ReplicaSetClaims {
    let owner: Deployment
    let selector: Selector
    let client: CachedClient
    /// Whether the adoption check ran, and what it found.
    private var adoptionChecked = false
    private var adoptionRefusal: (any Error)?

    init(owner: Deployment, selector: Selector, client: CachedClient) {
        self.owner = owner
        self.selector = selector
        self.client = client
    }

    /// The ReplicaSets the Deployment owns after claiming `sets`. Every set is tried; the first
    /// error is thrown afterwards, so the sync is retried.
    mutating func claim(_ sets: [ReplicaSet]) async throws -> [ReplicaSet] {
        var claimed: [ReplicaSet] = []
        var firstError: (any Error)?
        for rs in sets {
            do {
                if let owned = try await claim(rs) { claimed.append(owned) }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return claimed
    }

    private mutating func claim(_ rs: ReplicaSet) async throws -> ReplicaSet? {
        let matches = selector.matches(rs.metadata.labels ?? [:])
        if let ref = rs.controllerOwner {
            guard ref.uid == owner.metadata.uid else { return nil }
            if matches { return rs }
            // Ours, but no longer selected: let it go, unless we are being deleted.
            if owner.metadata.deletionTimestamp != nil { return nil }
            try await release(rs)
            return nil
        }
        guard owner.metadata.deletionTimestamp == nil, matches, rs.metadata.deletionTimestamp == nil,
              rs.metadata.namespace == owner.metadata.namespace
        else { return nil }
        return try await adopt(rs)
    }

    private mutating func adopt(_ rs: ReplicaSet) async throws -> ReplicaSet? {
        try await canAdopt()
        let patch: JSONValue = ["metadata": [
            "ownerReferences": [owner.controllerReference.jsonValue()],
            "uid": .string(rs.metadata.uid ?? ""),
        ]]
        do {
            return try await client.patch(ReplicaSet.self, namespace: rs.metadata.namespace, name: rs.name, .strategic, patch)
        } catch let error as APIError where error.code == 404 {
            return nil
        }
    }

    private func release(_ rs: ReplicaSet) async throws {
        let patch: JSONValue = ["metadata": [
            "ownerReferences": [["$patch": "delete", "uid": .string(owner.metadata.uid ?? "")]],
            "uid": .string(rs.metadata.uid ?? ""),
        ]]
        do {
            _ = try await client.patch(ReplicaSet.self, namespace: rs.metadata.namespace, name: rs.name, .strategic, patch)
        } catch let error as APIError where error.code == 404 || error.code == 422 {
            // Gone, or its uid changed: nothing of ours to release.
        }
    }

    /// Checked once per sync, with an uncached GET: a Deployment deleted (or deleted and
    /// recreated) since the cache saw it must not adopt anything.
    private mutating func canAdopt() async throws {
        if !adoptionChecked {
            adoptionChecked = true
            do {
                try await checkOwnerIsCurrent()
            } catch {
                adoptionRefusal = error
            }
        }
        if let adoptionRefusal { throw adoptionRefusal }
    }

    private func checkOwnerIsCurrent() async throws {
        let fresh = try await client.api.get(Deployment.self, namespace: owner.metadata.namespace, name: owner.name)
        let key = "\(owner.metadata.namespace ?? "")/\(owner.name)"
        guard fresh.metadata.uid == owner.metadata.uid else {
            throw DeploymentSyncError("original Deployment \(key) is gone: got uid \(fresh.metadata.uid ?? ""), wanted \(owner.metadata.uid ?? "")")
        }
        if let deleted = fresh.metadata.deletionTimestamp {
            throw DeploymentSyncError("\(key) has just been deleted at \(deleted)")
        }
    }
}
