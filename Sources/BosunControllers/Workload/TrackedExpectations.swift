import BosunRuntime
import Synchronization

/// The runtime's ``Expectations``, remembering which children an owner expects to see deleted
/// (upstream `UIDTrackingControllerExpectations`).
///
/// A pod deleted gracefully shows up twice — first with a `deletionTimestamp`, later gone — and
/// its controller treats both as a deletion so that it replaces the pod at once. Counting only
/// the pods it deleted, each once, keeps a second sighting, or someone else's deletion, from
/// satisfying expectations early.
public final class TrackedExpectations: Sendable {
    public let expectations: Expectations
    private let expectedDeletions = Mutex<[ObjectName: Set<ObjectName>]>([:])

    public init(clock: any RuntimeClock, timeout: Duration = .seconds(300)) {
        expectations = Expectations(clock: clock, timeout: timeout)
    }

    /// `count` creations are in flight for `owner`; replaces what it expected before.
    public func expectCreations(_ owner: ObjectName, _ count: Int) {
        expectations.expect(owner, creations: count)
    }

    /// The deletions of `children` are in flight for `owner`; replaces what it expected before.
    public func expectDeletions(_ owner: ObjectName, _ children: [ObjectName]) {
        expectedDeletions.withLock { sets in
            sets[owner] = Set(children)
            expectations.expect(owner, deletions: children.count)
        }
    }

    /// `creations` creations and the deletions of `children` are in flight for `owner` at once
    /// (a DaemonSet sync does both); replaces what it expected before.
    public func expect(_ owner: ObjectName, creations: Int, deletions children: [ObjectName]) {
        expectedDeletions.withLock { sets in
            sets[owner] = Set(children)
            expectations.expect(owner, creations: creations, deletions: children.count)
        }
    }

    /// A creation for `owner` showed up (or a create failed and never will).
    public func creationObserved(_ owner: ObjectName) {
        expectations.creationObserved(owner)
    }

    /// `child` of `owner` was seen being deleted, or gone (or its delete failed). Counts only for
    /// an expected child, and only once.
    public func deletionObserved(_ owner: ObjectName, child: ObjectName) {
        expectedDeletions.withLock { sets in
            guard sets[owner]?.remove(child) != nil else { return }
            expectations.deletionObserved(owner)
        }
    }

    /// Whether `owner` may act on its cached view (see ``Expectations/isSatisfied(_:)``).
    public func isSatisfied(_ owner: ObjectName) -> Bool {
        expectations.isSatisfied(owner)
    }

    /// Forgets `owner`: it was deleted, and an object created under its name starts clean.
    public func forget(_ owner: ObjectName) {
        expectedDeletions.withLock { sets in
            sets[owner] = nil
            expectations.forget(owner)
        }
    }
}
