import BosunKit
import BosunStore
import Synchronization

/// What a controller that creates or deletes children expects its cache to show next, as
/// kube-controller-manager's `ControllerExpectations`.
///
/// A ReplicaSet controller that created 3 pods must not create 3 more because its pod cache has
/// not caught up yet. It records `expect(creations: 3)` before the writes, the pod handler
/// calls ``creationObserved(_:)`` as each one arrives, and the reconciler acts on its cached
/// view only when ``isSatisfied(_:)``. Expectations older than ``timeout`` count as satisfied,
/// so a lost event cannot wedge a controller forever.
public final class Expectations: Sendable {
    private struct Entry {
        var adds: Int
        var deletes: Int
        var recorded: Time
    }

    /// Five minutes, as upstream.
    public let timeout: Duration
    private let clock: any RuntimeClock
    private let entries = Mutex<[ObjectName: Entry]>([:])

    public init(clock: any RuntimeClock, timeout: Duration = .seconds(300)) {
        self.clock = clock
        self.timeout = timeout
    }

    /// Records that `creations` creates and `deletions` deletes are in flight for `owner`,
    /// replacing what was expected before.
    public func expect(_ owner: ObjectName, creations: Int = 0, deletions: Int = 0) {
        let now = clock.now()
        entries.withLock { $0[owner] = Entry(adds: creations, deletes: deletions, recorded: now) }
    }

    /// The cache showed one expected creation (or a create failed and will not show).
    public func creationObserved(_ owner: ObjectName) {
        entries.withLock { e in e[owner]?.adds -= 1 }
    }

    /// The cache showed one expected deletion (or a delete failed).
    public func deletionObserved(_ owner: ObjectName) {
        entries.withLock { e in e[owner]?.deletes -= 1 }
    }

    /// Whether the cache can be trusted for `owner`: nothing expected, everything observed, or
    /// the expectations timed out.
    public func isSatisfied(_ owner: ObjectName) -> Bool {
        let now = clock.now()
        return entries.withLock { e in
            guard let entry = e[owner] else { return true }
            if entry.adds <= 0 && entry.deletes <= 0 { return true }
            return entry.recorded.duration(to: now) > timeout
        }
    }

    /// What is still pending for `owner`.
    public func pending(_ owner: ObjectName) -> (creations: Int, deletions: Int) {
        entries.withLock { e in (max(0, e[owner]?.adds ?? 0), max(0, e[owner]?.deletes ?? 0)) }
    }

    /// Forgets `owner` (it was deleted).
    public func forget(_ owner: ObjectName) {
        entries.withLock { _ = $0.removeValue(forKey: owner) }
    }
}
