import BosunRuntime
import Synchronization

/// Keeps one owner's syncs to at most half of a worker's time once a sync has become expensive.
///
/// A ReplicaSet's sync walks every one of its pods (claim, status), as upstream's does, and any
/// pod event queues it again. The walk grows with the set, so a large enough set is dirty again
/// before each sync ends and its worker never rests: a 100,000-pod rollout used 828 s of CPU, 46
/// times the 10,000-pod one's, and with this rest 315 s — the kubelets and the scheduler, whose
/// work the rollout waits for, got the difference.
///
/// So a sync that took at least ``threshold`` is followed by a rest as long as it was: the next
/// sync of that key starts no sooner than its duration after the last one ended, and the events
/// meanwhile are served by that one sync. Owners whose syncs are cheap — all but the largest —
/// are never delayed. Durations are read on the reconcile context's clock: a test's manual
/// clock never advances during a sync, so tests see no pacing unless they move it.
final class SyncPacing: Sendable {
    /// Syncs shorter than this are never followed by a rest.
    let threshold: Duration
    private let last = Mutex<[ObjectName: (ended: Time, took: Duration)]>([:])

    init(threshold: Duration = .milliseconds(20)) {
        self.threshold = threshold
    }

    /// How long `key` must still rest before its next sync, if at all.
    func rest(for key: ObjectName, now: Time) -> Duration? {
        guard let (ended, took) = last.withLock({ $0[key] }) else { return nil }
        let remaining = took - ended.duration(to: now)
        return remaining > .zero ? remaining : nil
    }

    /// Records a sync of `key` from `started` to `ended`.
    func record(_ key: ObjectName, started: Time, ended: Time) {
        let took = started.duration(to: ended)
        last.withLock { last in
            if took >= threshold { last[key] = (ended, took) } else { last[key] = nil }
        }
    }

    func forget(_ key: ObjectName) {
        last.withLock { $0[key] = nil }
    }
}
