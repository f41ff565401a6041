import Synchronization

/// Counts completions (reconciles, binds), remembers when the last one happened, and wakes one
/// waiter at a count: benchmarks wait on it instead of spinning, which on 2 cores would take a
/// core from the work they measure.
final class CompletionCounter: Sendable {
    private struct State {
        var count = 0
        var last = ContinuousClock.now
        var waiter: (target: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())

    func record() {
        let now = ContinuousClock.now
        let ready = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.count += 1
            s.last = now
            guard let waiter = s.waiter, s.count >= waiter.target else { return nil }
            s.waiter = nil
            return waiter.continuation
        }
        ready?.resume()
    }

    /// Returns once `target` completions have been recorded.
    func wait(for target: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let reached = state.withLock { s -> Bool in
                if s.count >= target { return true }
                s.waiter = (target, c)
                return false
            }
            if reached { c.resume() }
        }
    }

    var count: Int { state.withLock { $0.count } }
    /// When the last completion was recorded.
    var last: ContinuousClock.Instant { state.withLock { $0.last } }
}
