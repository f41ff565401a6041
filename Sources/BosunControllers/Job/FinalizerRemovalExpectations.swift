import BosunRuntime
import Synchronization

/// The pods (by uid) whose tracking finalizer a Job's sync removed and whose update the pod
/// informer has not shown yet (upstream `uidTrackingExpectations`). Until it does, the cache
/// still shows the finalizer; the next sync must not count those pods again.
final class FinalizerRemovalExpectations: Sendable {
    private let expected = Mutex<[ObjectName: Set<String>]>([:])

    func expect(_ job: ObjectName, _ uids: [String]) {
        expected.withLock { $0[job, default: []].formUnion(uids) }
    }

    /// The pod's finalizer is gone (or its removal failed, and no update will come).
    func observed(_ job: ObjectName, _ uid: String) {
        expected.withLock { sets in
            guard sets[job]?.remove(uid) != nil, sets[job]?.isEmpty == true else { return }
            sets[job] = nil
        }
    }

    func uids(_ job: ObjectName) -> Set<String> {
        expected.withLock { $0[job] } ?? []
    }

    func forget(_ job: ObjectName) {
        expected.withLock { $0[job] = nil }
    }
}
