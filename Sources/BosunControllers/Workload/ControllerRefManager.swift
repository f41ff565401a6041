import BosunRuntime

/// What the controller-ref manager reads of a child it may claim: the child itself (through
/// ``ChildOwnership``) or facts kept about it (``PodFacts``).
public protocol ClaimableChild: Sendable {
    var objectName: ObjectName { get }
    var uid: String { get }
    var labels: [String: String] { get }
    /// The ownerReference marked `controller: true`, if any.
    var controllerRef: OwnerReference? { get }
    /// `deletionTimestamp` is set.
    var isDeleting: Bool { get }
}

/// A child object's ownership facts, read from the object.
public struct ChildOwnership: ClaimableChild, Hashable {
    public var objectName: ObjectName
    public var uid: String
    public var labels: [String: String]
    public var controllerRef: OwnerReference?
    public var isDeleting: Bool

    public init(_ object: some Resource) {
        objectName = ObjectName(of: object)
        uid = object.metadata.uid ?? ""
        labels = object.metadata.labels ?? [:]
        controllerRef = object.controllerOwner
        isDeleting = object.metadata.deletionTimestamp != nil
    }
}

/// kube-controller-manager's `ControllerRefManager`: decides which children an owner controls,
/// adopting and releasing so that ownership follows the owner's selector.
///
/// For each candidate child (list *every* child of the namespace that could be the owner's —
/// its own and the orphans — not only those the selector matches):
/// - controlled by another object: left alone;
/// - controlled by this owner and matching: claimed;
/// - controlled by this owner and no longer matching: released (a patch removes the
///   ownerReference), unless the owner is being deleted;
/// - an orphan that matches: adopted (a patch adds a controller ownerReference with
///   `controller: true` and `blockOwnerDeletion: true`) and claimed — never while the owner or the
///   child is being deleted. Before the first adoption the owner is read again uncached: a
///   cache can still show an owner that was deleted, or replaced under the same name.
///
/// Both patches carry the child's uid, so a child deleted and recreated under the same name is
/// not touched (the API answers 422, which a release ignores).
public struct ControllerRefManager<Owner: Resource, Child: Resource>: Sendable {
    public let owner: Owner
    public let selector: Selector
    /// Finalizers an adoption adds and a release removes, with the ownerReference (a Job's
    /// `batch.kubernetes.io/job-tracking`).
    public let finalizers: [String]
    /// A further condition on the child's name, ANDed with the selector (upstream `ClaimPods`'
    /// filters): a StatefulSet claims only pods named after it.
    public let nameFilter: @Sendable (String) -> Bool
    private let client: CachedClient

    /// `client` patches children (its cache then shows the patch at once) and re-reads the
    /// owner through its uncached ``CachedClient/api``.
    public init(
        owner: Owner, selector: Selector, client: CachedClient, finalizers: [String] = [],
        nameFilter: @escaping @Sendable (String) -> Bool = { _ in true }
    ) {
        self.owner = owner
        self.selector = selector
        self.finalizers = finalizers
        self.nameFilter = nameFilter
        self.client = client
    }

    /// The children `owner` controls after adopting and releasing. Throws the failures
    /// (``ClaimError``) after trying every child.
    public func claim(_ children: [Child]) async throws -> [Child] {
        let claimed = try await claim(children.indices.map { IndexedOwnership(index: $0, ownership: ChildOwnership(children[$0])) })
        return claimed.map { children[$0.index] }
    }

    /// The candidates `owner` controls after adopting and releasing, as they were passed in
    /// (an adopted child's facts still show it as an orphan). Throws the failures
    /// (``ClaimError``) after trying every candidate.
    public func claim<C: ClaimableChild>(_ candidates: [C]) async throws -> [C] {
        var claimed: [C] = []
        var errors: [any Error] = []
        var adoption = AdoptionCheck()
        let ownerUID = owner.metadata.uid ?? ""
        for candidate in candidates {
            // Most candidates are another's or this owner's to keep: decided here, without the
            // suspension point a release or an adoption needs (a 10,000-pod ReplicaSet's sync
            // looks at every one of its pods).
            if let controllerUID = candidate.controllerRef?.uid {
                if controllerUID != ownerUID { continue }
                if matches(candidate) {
                    claimed.append(candidate)
                    continue
                }
            }
            do {
                if try await claim(candidate, &adoption) { claimed.append(candidate) }
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ClaimError(errors: errors) }
        return claimed
    }

    /// Whether the selector matches `labels`.
    public func matches(_ labels: [String: String]) -> Bool { selector.matches(labels) }

    /// Whether `child` is one this owner controls when it can: the selector matches its labels
    /// and the name filter its name.
    public func matches(_ child: some ClaimableChild) -> Bool {
        selector.matches(child.labels) && nameFilter(child.objectName.name)
    }

    private func claim(_ child: some ClaimableChild, _ adoption: inout AdoptionCheck) async throws -> Bool {
        let ownerUID = owner.metadata.uid ?? ""
        let ownerDeleting = owner.metadata.deletionTimestamp != nil
        if let ref = child.controllerRef {
            guard ref.uid == ownerUID else { return false }
            // Keeping what it owns takes no action, so an owner being deleted may still do it.
            if matches(child) { return true }
            if ownerDeleting { return false }
            try await release(child)
            return false
        }
        let ownerNamespace = owner.metadata.namespace ?? ""
        guard !ownerDeleting, matches(child), !child.isDeleting,
              ownerNamespace.isEmpty || ownerNamespace == child.objectName.namespace
        else { return false }
        return try await adopt(child, &adoption)
    }

    /// Whether the child was adopted; `false` when it vanished meanwhile.
    private func adopt(_ child: some ClaimableChild, _ adoption: inout AdoptionCheck) async throws -> Bool {
        if adoption.result == nil { adoption.result = await recheckOwner() }
        if case .failure(let reason)? = adoption.result {
            throw ClaimFailure(message: "can't adopt \(Child.kind) \(child.objectName) (\(child.uid)): \(reason)")
        }
        var metadata: JSONObject = ["ownerReferences": [owner.controllerReference.jsonValue()], "uid": .string(child.uid)]
        if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map { .string($0) }) }
        let addController: JSONValue = ["metadata": .object(metadata)]
        do {
            _ = try await patch(child, addController)
            return true
        } catch let error as APIError where error.code == 404 {
            return false
        }
    }

    private func release(_ child: some ClaimableChild) async throws {
        var metadata: JSONObject = [
            "ownerReferences": [["$patch": "delete", "uid": .string(owner.metadata.uid ?? "")]], "uid": .string(child.uid),
        ]
        if !finalizers.isEmpty { metadata["$deleteFromPrimitiveList/finalizers"] = .array(finalizers.map { .string($0) }) }
        let removeController: JSONValue = ["metadata": .object(metadata)]
        do {
            _ = try await patch(child, removeController)
        } catch let error as APIError where error.code == 404 || error.code == 422 {
            // Gone, or replaced by another object of the same name (its uid no longer matches):
            // either way nothing of ours is left to release.
        }
    }

    private func patch(_ child: some ClaimableChild, _ patch: JSONValue) async throws -> Child {
        try await client.patch(Child.self, namespace: child.objectName.namespace, name: child.objectName.name, .strategic, patch)
    }

    /// Upstream `RecheckDeletionTimestamp`: the owner as the API server has it now must be the
    /// same object and not being deleted.
    private func recheckOwner() async -> Result<Void, ClaimFailure> {
        let ownerName = ObjectName(of: owner)
        do {
            let fresh = try await client.api.get(Owner.self, namespace: owner.metadata.namespace, name: owner.name)
            if fresh.metadata.uid != owner.metadata.uid {
                return .failure(ClaimFailure(message: "original \(Owner.kind) \(ownerName) is gone: got uid \(fresh.metadata.uid ?? ""), wanted \(owner.metadata.uid ?? "")"))
            }
            if let deleted = fresh.metadata.deletionTimestamp {
                return .failure(ClaimFailure(message: "\(ownerName) has just been deleted at \(deleted)"))
            }
            return .success(())
        } catch {
            return .failure(ClaimFailure(message: "can't recheck DeletionTimestamp: \(error)"))
        }
    }

    /// The owner re-read happens at most once per claim, and its verdict holds for every child.
    private struct AdoptionCheck {
        var result: Result<Void, ClaimFailure>?
    }

    private struct IndexedOwnership: ClaimableChild {
        var index: Int
        var ownership: ChildOwnership
        var objectName: ObjectName { ownership.objectName }
        var uid: String { ownership.uid }
        var labels: [String: String] { ownership.labels }
        var controllerRef: OwnerReference? { ownership.controllerRef }
        var isDeleting: Bool { ownership.isDeleting }
    }
}

/// Why one child could not be claimed.
public struct ClaimFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The failures of a claim, one per child that could not be adopted or released; the others
/// were claimed. Printed as apimachinery prints an aggregate: one error alone, several in
/// brackets.
public struct ClaimError: Error, CustomStringConvertible {
    public var errors: [any Error]

    public var description: String {
        errors.count == 1 ? "\(errors[0])" : "[" + errors.map { "\($0)" }.joined(separator: ", ") + "]"
    }
}
