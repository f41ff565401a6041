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
