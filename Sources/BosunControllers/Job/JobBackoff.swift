import BosunRuntime
import Synchronization

/// Each Job's pod-failure backoff (upstream `backoffStore`): how many pods failed since the last
/// success, and when the last of them finished. A replacement waits 10 s after that failure,
/// doubling per further failure up to a cap.
final class JobBackoffRecords: Sendable {
    struct Record: Hashable, Sendable {
        var failuresAfterLastSuccess: Int32 = 0
        var lastFailureTime: Time?
    }

    private let records = Mutex<[ObjectName: Record]>([:])

    /// The record after the pods that newly succeeded or failed (not yet stored: it is kept only
    /// once the status counting them was written). A success resets the count to the failures
    /// that finished after the last success.
    func record(for job: ObjectName, newSucceeded: [JobPodFacts], newFailed: [JobPodFacts]) -> Record {
        var record = records.withLock { $0[job] } ?? Record()
        let failures = newFailed.map(\.finishedAt).sorted()
        guard let lastSuccess = newSucceeded.map(\.finishedAt).max() else {
            guard let lastFailure = failures.last else { return record }
            record.failuresAfterLastSuccess += Int32(failures.count)
            record.lastFailureTime = lastFailure
            return record
        }
        record = Record()
        for failure in failures.reversed() {
            guard failure > lastSuccess else { break }
            if record.lastFailureTime == nil { record.lastFailureTime = failure }
            record.failuresAfterLastSuccess += 1
        }
        return record
    }

    func update(_ job: ObjectName, _ record: Record) {
        records.withLock { $0[job] = record }
    }

    func remove(_ job: ObjectName) {
        records.withLock { $0[job] = nil }
    }

    /// How long a replacement still waits after `failures` consecutive failures, the last one
    /// at `lastFailure`: `base × 2^(failures−1)`, capped at `cap`, counted from the failure.
    static func remainingDelay(failures: Int32, lastFailure: Time?, base: Duration, cap: Duration, now: Time) -> Duration {
        guard failures > 0, let lastFailure else { return .zero }
        var delay = base
        for _ in 1..<Int(failures) {
            delay *= 2
            if delay >= cap {
                delay = cap
                break
            }
        }
        let elapsed = lastFailure.duration(to: now)
        return delay < elapsed ? .zero : delay - elapsed
    }
}
