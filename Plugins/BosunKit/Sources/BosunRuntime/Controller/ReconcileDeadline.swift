import Synchronization

/// Which came first for one reconcile: its return or its deadline. Settled once; the worker
/// waits on it while the reconcile and a timer race to settle it.
final class ReconcileRace: Sendable {
    enum Outcome: Sendable { case finished, expired }

    private struct State {
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
    }
    private let state = Mutex(State())

    /// Settles the race with `outcome` unless it is settled already; true when this call won.
    @discardableResult
    func settle(_ outcome: Outcome) -> Bool {
        let (won, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Outcome, Never>?) in
            guard s.outcome == nil else { return (false, nil) }
            s.outcome = outcome
            defer { s.waiter = nil }
            return (true, s.waiter)
        }
        waiter?.resume(returning: outcome)
        return won
    }

    /// The outcome, once settled.
    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let settled = state.withLock { s -> Outcome? in
                if let outcome = s.outcome { return outcome }
                s.waiter = continuation
                return nil
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}

/// The deadlines of one controller's reconciles in flight, and the one task that expires them.
/// It sleeps until the earliest deadline — every reconcile of a controller has the same timeout,
/// so deadlines come in start order — and parks while no reconcile is in flight. One timer per
/// controller, not one per reconcile: a reconcile costs a dictionary entry, which keeps the
/// no-op reconcile rate of the runtime (issue 4's ≥ 200,000/s) with the deadline on.
final class DeadlineWatch: Sendable {
    private struct Entry {
        var deadline: Time
        var race: ReconcileRace
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var parked: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())
    private let clock: any RuntimeClock
    private let timeout: Duration

    init(clock: any RuntimeClock, timeout: Duration) {
        self.clock = clock
        self.timeout = timeout
    }

    /// Starts the clock on a reconcile; its race is settled `.expired` at the deadline unless
    /// ``end(_:)`` comes first.
    func begin(_ race: ReconcileRace) -> UInt64 {
        let deadline = clock.now().advanced(by: timeout)
        let (id, parked) = state.withLock { s -> (UInt64, CheckedContinuation<Void, Never>?) in
            s.nextID += 1
            s.entries[s.nextID] = Entry(deadline: deadline, race: race)
            defer { s.parked = nil }
            return (s.nextID, s.parked)
        }
        parked?.resume()
        return id
    }

    func end(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// Expires reconciles at their deadlines until the task is cancelled. A controller runs again
    /// after it lost and won back the lead, so a run starts unstopped.
    func run() async {
        state.withLock { $0.stopped = false }
        while !Task.isCancelled {
            let earliest = state.withLock { $0.entries.values.lazy.map(\.deadline).min() }
            guard let earliest else {
                await park()
                continue
            }
            do { try await clock.sleep(until: earliest) } catch { return }
            let now = clock.now()
            let due = state.withLock { s -> [ReconcileRace] in
                let ids = s.entries.filter { $0.value.deadline <= now }.map(\.key)
                return ids.compactMap { s.entries.removeValue(forKey: $0)?.race }
            }
            for race in due { race.settle(.expired) }
        }
    }

    /// Waits until a reconcile begins or the task is cancelled.
    private func park() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.stopped || !s.entries.isEmpty { return true }
                    s.parked = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let parked = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.stopped = true
                defer { s.parked = nil }
                return s.parked
            }
            parked?.resume()
        }
    }
}
