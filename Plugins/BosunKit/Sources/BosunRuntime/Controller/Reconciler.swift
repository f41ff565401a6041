import BosunKit
import Logging

/// Makes the world match what an object asks for. Level-triggered: the request names an object,
/// never the event that woke the controller, so a reconcile reads the current state and acts on
/// it — the same result whether one change or ten happened.
///
/// The runtime guarantees that one key is never reconciled twice at once, that a key queued
/// many times while waiting runs once, and that a failed reconcile is retried with a per-key
/// exponential backoff (5 ms doubling to 1,000 s) that resets after a success.
public protocol Reconciler: Sendable {
    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult
}

/// What to do after a reconcile that did not throw.
public struct ReconcileResult: Sendable, Hashable {
    /// Reconcile again after this long, even if nothing changes; `nil` waits for a change.
    public var requeueAfter: Duration?

    /// Nothing more to do until something changes.
    public static let done = ReconcileResult(requeueAfter: nil)

    /// Look again after `delay`, counted from when this reconcile began (polling something
    /// outside the cluster, a timer...).
    public static func requeue(after delay: Duration) -> ReconcileResult {
        ReconcileResult(requeueAfter: delay)
    }
}

/// An error that retrying cannot fix (invalid user input, say): the key is not retried until
/// its object changes again.
public struct TerminalError: Error, CustomStringConvertible {
    public var underlying: any Error

    public init(_ underlying: any Error) {
        self.underlying = underlying
    }

    public var description: String { "terminal: \(underlying)" }
}

/// What a reconcile can use: a cached client, a logger tagged with the controller and key, an
/// event recorder, the clock.
public struct ReconcileContext: Sendable {
    /// Reads from the shared caches, writes to the API (see ``CachedClient``).
    public var client: CachedClient
    /// Tagged with `controller` and `key`.
    public var logger: Logger
    public var events: EventRecorder
    public var clock: any RuntimeClock
    /// The controller's name.
    public var controller: String
    /// How many times this key failed in a row before this attempt.
    public var retries: Int
}

/// A reconciler written as a closure over the current object: the runtime reads it from the
/// cache and skips keys whose object is gone (handle deletion with a finalizer, see
/// ``Finalizers``).
public struct ObjectReconciler<T: Resource>: Reconciler {
    public typealias Body = @Sendable (T, ReconcileContext) async throws -> ReconcileResult
    private let body: Body

    public init(_ body: @escaping Body) {
        self.body = body
    }

    public func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let object = try await context.client.getIfPresent(T.self, namespace: request.namespace, name: request.name) else {
            return .done
        }
        return try await body(object, context)
    }
}
