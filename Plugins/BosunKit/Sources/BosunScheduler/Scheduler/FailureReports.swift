import Synchronization

/// Scheduling failures waiting to be written to their pods, at most ``maxWriters`` at a time,
/// the latest per pod.
///
/// Upstream writes each failure from the scheduling loop itself. Writing from the loop would
/// stall scheduling on the API; a task per failure, as this scheduler had, is unbounded: a
/// 100,000-pod rollout on 1,000 nodes is short of room for its surge by about 15,000 pods, and
/// every pod deletion re-queues the unschedulable ones, each failure spawning a task beside the
/// work the rollout waits for. Here failures wait in a map keyed by pod uid (a pod that fails
/// again before its report is written replaces it: only the latest is worth writing) and a few
/// writer tasks drain it.
final class FailureReports<Report: Sendable>: Sendable {
    /// Writer tasks at most: failure reports are mostly no-ops (the pod already says so), so a
    /// few keep up with any scheduling rate.
    let maxWriters: Int
    private let write: @Sendable (Report) async -> Void
    private let state = Mutex(State())

    private struct State {
        var reports: [String: Report] = [:]
        /// Uids in arrival order; a uid whose report was taken is skipped.
        var order: [String] = []
        var head = 0
        var writers = 0
    }

    init(maxWriters: Int = 4, write: @escaping @Sendable (Report) async -> Void) {
        self.maxWriters = maxWriters
        self.write = write
    }

    /// Queues `report` for the pod `uid`, replacing one still waiting.
    func add(_ report: Report, for uid: String) {
        let startWriter = state.withLock { s -> Bool in
            if s.reports.updateValue(report, forKey: uid) == nil { s.order.append(uid) }
            guard s.writers < maxWriters else { return false }
            s.writers += 1
            return true
        }
        if startWriter { Task { await self.drain() } }
    }

    /// Reports waiting to be written.
    var pending: Int { state.withLock { $0.reports.count } }

    private func drain() async {
        while let report = next() { await write(report) }
    }

    /// The oldest waiting report, or `nil` — and then this writer has ended.
    private func next() -> Report? {
        state.withLock { s in
            while s.head < s.order.count {
                let uid = s.order[s.head]
                s.head += 1
                if let report = s.reports.removeValue(forKey: uid) {
                    if s.head > 1024 && s.head * 2 > s.order.count {
                        s.order.removeFirst(s.head)
                        s.head = 0
                    }
                    return report
                }
            }
            s.order.removeAll(keepingCapacity: true)
            s.head = 0
            s.writers -= 1
            return nil
        }
    }
}
