import Synchronization

/// How a controller's reconciles share the process's cores with other controllers' when both
/// have work.
///
/// Every controller of a manager runs on the same few cores. Most of them react to changes, and
/// a backlog only delays them; a controller whose work is due at a given time — the CronJob
/// controller at each minute — is late by however long the others' backlog holds the cores. Its
/// own writes make that backlog: ten thousand Jobs created at the minute wake the Job
/// controller, the scheduler and the kubelets ten thousand times each.
public enum ReconcilePriority: Sendable, Hashable {
    /// Reconciles as work arrives, after any ``urgent`` controller's work that is waiting.
    case normal
    /// For work that is due at a time. Its workers run at high task priority, and while it has
    /// keys queued or reconciling, the workers of ``normal`` controllers on the shared pool
    /// wait before starting their next reconcile — for at most
    /// ``ManagerOptions/urgentDeferralLimit`` at a stretch, so nothing starves behind an urgent
    /// controller that never runs dry. Informers, the store and controllers on their own
    /// executor (heartbeats) are never held.
    case urgent
}

/// Holds ``ReconcilePriority/normal`` reconciles while ``ReconcilePriority/urgent`` controllers
/// have work.
///
/// The gate closes when an urgent worker takes a key and opens when no urgent reconcile runs
/// and no urgent queue holds a key. Closed longer than `limit`, it opens and stays open until
/// the urgent work has drained once; a waiting worker that is cancelled (its controller
/// stopping) leaves at once.
final class ReconcileGate: Sendable {
    private struct State {
        /// Urgent controller name → reconciles running.
        var running: [String: Int] = [:]
        /// Urgent controllers whose queue held keys when their last reconcile ended.
        var backlogged: Set<String> = []
        var closed = false
        /// Opened by the limit while urgent work remains: stays open until that work drains.
        var overridden = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
        var limitTimer: Task<Void, Never>?
    }

    private let state = Mutex(State())
    /// `closed && !overridden`, kept beside the state for the check every normal reconcile
    /// makes: a flag read, not a lock every worker of every controller takes.
    private let holding = Atomic<Bool>(false)
    let limit: Duration
    /// Measures the limit: wall time, unless a test drives it.
    private let clock: any RuntimeClock

    init(limit: Duration, clock: any RuntimeClock) {
        self.limit = limit
        self.clock = clock
    }

    /// Whether normal reconciles are being held now.
    var isHolding: Bool { holding.load(ordering: .acquiring) }

    /// Normal workers waiting at the gate now.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// An urgent controller's worker took a key.
    func urgentBegan(_ controller: String) {
        let timer = state.withLock { s -> Bool in
            s.running[controller, default: 0] += 1
            guard !s.closed else { return false }
            s.closed = true
            holding.store(true, ordering: .releasing)
            return true
        }
        guard timer else { return }
        let (limit, clock) = (self.limit, self.clock)
        let task = Task { [weak self] in
            try? await clock.sleep(for: limit)
            if !Task.isCancelled { self?.override() }
        }
        state.withLock { s in
            // Opened again before the timer was stored: it has nothing to end.
            if s.closed && s.limitTimer == nil { s.limitTimer = task } else { task.cancel() }
        }
    }

    /// An urgent controller's reconcile returned; `backlog`: keys its queue holds now.
    func urgentEnded(_ controller: String, backlog: Int) {
        openIfIdle { s in
            let left = (s.running[controller] ?? 1) - 1
            s.running[controller] = left > 0 ? left : nil
            if backlog > 0 { s.backlogged.insert(controller) } else { s.backlogged.remove(controller) }
        }
    }

    /// An urgent controller was removed: what it left queued holds nobody back.
    func urgentRemoved(_ controller: String) {
        openIfIdle { s in
            s.running[controller] = nil
            s.backlogged.remove(controller)
        }
    }

    /// Applies `update`, then opens the gate if no urgent work is left.
    private func openIfIdle(after update: (inout State) -> Void) {
        let released = state.withLock { s -> ([CheckedContinuation<Void, Never>], Task<Void, Never>?) in
            update(&s)
            guard s.closed, s.running.isEmpty, s.backlogged.isEmpty else { return ([], nil) }
            s.closed = false
            s.overridden = false
            holding.store(false, ordering: .releasing)
            defer { s.waiters = [:]; s.limitTimer = nil }
            return (Array(s.waiters.values), s.limitTimer)
        }
        released.1?.cancel()
        for waiter in released.0 { waiter.resume() }
    }

    /// Returns when a normal reconcile may start: at once unless the gate is holding.
    func pass() async {
        guard isHolding else { return }
        let id = state.withLock { s -> UInt64 in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let wait = state.withLock { s -> Bool in
                    guard s.closed && !s.overridden && !Task.isCancelled else { return false }
                    s.waiters[id] = continuation
                    return true
                }
                if !wait { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The limit passed with the gate still closed: let normal work through.
    private func override() {
        let released = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard s.closed else { return [] }
            s.overridden = true
            holding.store(false, ordering: .releasing)
            s.limitTimer = nil
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in released { waiter.resume() }
    }
}
