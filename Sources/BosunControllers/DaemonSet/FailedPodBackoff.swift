import BosunRuntime
import Synchronization

/// The backoff between deleting failed daemon pods on one node (upstream
/// `flowcontrol.Backoff` with 1 s initial and 15 min maximum): a kubelet that keeps rejecting a
/// pod must not make the controller fight it in a hot loop.
final class FailedPodBackoff: Sendable {
    let initial: Duration
    let maximum: Duration

    private struct Entry {
        var backoff: Duration
        var lastUpdate: Time
    }

    private let entries = Mutex<[String: Entry]>([:])

    init(initial: Duration = .seconds(1), maximum: Duration = .seconds(900)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// Whether `key` was bumped less than its current backoff ago.
    func isInBackoff(_ key: String, now: Time) -> Bool {
        entries.withLock { entries in
            guard let entry = entries[key] else { return false }
            return entry.lastUpdate.duration(to: now) < entry.backoff
        }
    }

    /// The current backoff of `key`.
    func delay(_ key: String) -> Duration {
        entries.withLock { $0[key]?.backoff ?? .zero }
    }

    /// Starts or doubles `key`'s backoff (up to the maximum); one idle for twice the maximum
    /// starts over.
    func next(_ key: String, now: Time) {
        entries.withLock { entries in
            if let entry = entries[key], entry.lastUpdate.duration(to: now) <= maximum * 2 {
                entries[key] = Entry(backoff: min(entry.backoff * 2, maximum), lastUpdate: now)
            } else {
                entries[key] = Entry(backoff: initial, lastUpdate: now)
            }
        }
    }
}
