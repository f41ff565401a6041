import BosunKit
import BosunStore

/// A finalizer a controller owns, and the state machine around it (kube-rs's `finalizer()`,
/// controller-runtime's `finalizer` package): for controllers that create something outside the
/// object — a cloud resource, a file, an object in another namespace without an owner
/// reference — and must remove it before the object may go.
///
/// ```swift
/// let finalizer = Finalizer("example.com/bucket")
/// let outcome = try await finalizer.reconcile(bucket, client: client) { bucket in
///     try await ensureBucketExists(bucket)
/// } cleanup: { bucket in
///     try await deleteBucketIfPresent(bucket)
/// }
/// ```
///
/// What it guarantees:
/// - `apply` runs only once the finalizer is stored on the object, so anything it creates is
///   covered by a later `cleanup`, even if the process dies right after `apply`.
/// - The object does not disappear until a `cleanup` has succeeded: the finalizer is removed
///   only after that, and a failing `cleanup` leaves it in place (the caller requeues).
/// - Writes never clobber concurrent changes: adding the finalizer is conditional on the
///   object's `resourceVersion`, so a stale object gets a 409 Conflict instead; removal, which
///   must not repeat a successful `cleanup` needlessly, re-reads the object on a conflict.
///
/// What it does not guarantee, so both closures must be idempotent:
/// - `apply` runs on every reconcile of a live object, as any reconcile does.
/// - `cleanup` can run more than once for the same object: when removing the finalizer fails
///   after a successful `cleanup` (the process dies, the server is unreachable), the next
///   reconcile runs it again. It must treat "already cleaned up" as success.
/// - `cleanup` sees the object as of this reconcile; the object may still change while being
///   deleted (other finalizers' owners may update it).
public struct Finalizer: Sendable, Hashable, CustomStringConvertible {
    /// A qualified name such as `example.com/cleanup`; Kubernetes reserves unqualified ones.
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }

    /// Whether `object` carries this finalizer.
    public func isPresent(on object: some Resource) -> Bool {
        object.metadata.finalizers?.contains(name) ?? false
    }

    /// Runs the step the object's state calls for:
    ///
    /// | object | finalizer | does | returns |
    /// |---|---|---|---|
    /// | live | absent | adds it, then `apply` on the updated object | `.applied` |
    /// | live | present | `apply` | `.applied` |
    /// | being deleted | present | `cleanup`, then removes it | `.cleanedUp` |
    /// | being deleted | absent | nothing | `.ignored` |
    ///
    /// Errors from the closures and the client are rethrown; `object` should be what the
    /// reconcile just read, with its `resourceVersion`.
    public func reconcile<T: Resource, Result>(
        _ object: T, client: any Client,
        isolation: isolated (any Actor)? = #isolation,
        apply: (T) async throws -> Result,
        cleanup: (T) async throws -> Result
    ) async throws -> FinalizerOutcome<Result> {
        let deleting = object.metadata.deletionTimestamp.map { !$0.isZero } ?? false
        switch (deleting, isPresent(on: object)) {
        case (false, true):
            return .applied(try await apply(object))
        case (false, false):
            let updated = try await add(to: object, client: client)
            return .applied(try await apply(updated))
        case (true, true):
            let result = try await cleanup(object)
            try await remove(from: object, client: client)
            return .cleanedUp(result)
        case (true, false):
            return .ignored
        }
    }

    /// Adds the finalizer with a merge patch pinned to the object's resourceVersion: the whole
    /// list is replaced, which is safe only because it cannot overwrite a newer list.
    private func add<T: Resource>(to object: T, client: any Client) async throws -> T {
        let finalizers = (object.metadata.finalizers ?? []) + [name]
        return try await client.patch(
            T.self, namespace: object.metadata.namespace, name: object.name, .merge,
            try Self.finalizersPatch(finalizers, of: object))
    }

    /// Removes the finalizer. On a conflict the cleanup already done still holds for the
    /// object, so the removal is retried on a fresh read rather than handed back as an error
    /// that would make the caller clean up again.
    private func remove<T: Resource>(from object: T, client: any Client) async throws {
        var current = object
        for attempt in 1...5 {
            guard current.metadata.uid == object.metadata.uid, isPresent(on: current) else { return }
            let finalizers = (current.metadata.finalizers ?? []).filter { $0 != name }
            do {
                _ = try await client.patch(
                    T.self, namespace: current.metadata.namespace, name: current.name, .merge,
                    try Self.finalizersPatch(finalizers, of: current))
                return
            } catch let error as APIError where error.code == 404 {
                return
            } catch let error as APIError where error.reason == .conflict && attempt < 5 {
                guard let fresh = try await client.getIfPresent(
                    T.self, namespace: object.metadata.namespace, name: object.name)
                else { return }
                current = fresh
            }
        }
    }

    /// A merge patch replacing the finalizer list, valid only against the version `object` is.
    /// Without a version the store would apply it to whatever is current, so that is refused.
    private static func finalizersPatch<T: Resource>(_ finalizers: [String], of object: T) throws -> JSONValue {
        guard let version = object.metadata.resourceVersion, !version.isEmpty else {
            throw APIError.badRequest(
                "\(T.kind) \(object.key) has no resourceVersion; finalizers are changed only on objects read from the server")
        }
        return ["metadata": ["finalizers": .array(finalizers.map { .string($0) }), "resourceVersion": .string(version)]]
    }
}

/// Which step ``Finalizer/reconcile(_:client:isolation:apply:cleanup:)`` took, with what its
/// closure returned.
public enum FinalizerOutcome<Value> {
    /// The object is live; `apply` ran.
    case applied(Value)
    /// The object is being deleted; `cleanup` ran and the finalizer is gone.
    case cleanedUp(Value)
    /// The object is being deleted and this finalizer was not on it (any more): nothing ran.
    case ignored

    /// What the closure returned, if one ran.
    public var value: Value? {
        switch self {
        case .applied(let value), .cleanedUp(let value): value
        case .ignored: nil
        }
    }
}

extension FinalizerOutcome: Sendable where Value: Sendable {}
extension FinalizerOutcome: Equatable where Value: Equatable {}
