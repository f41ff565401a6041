import BosunKit
import BosunStore
import CoreMetrics
import Synchronization

/// The queue between a controller's event handlers and its workers: keys of objects to
/// reconcile, as Kubernetes' rate-limiting delaying workqueue, with two priority lanes.
///
/// A key is the unit of work, not an event: ten changes to an object while its key waits are
/// one reconcile, because the reconciler reads the latest state anyway. A key is never handed to
/// two workers at once; one added while a worker holds it (between ``next()`` and ``done(_:)``)
/// is processed again after ``done(_:)``, so no change goes unseen.
///
/// Keys added with ``WorkQueuePriority/low`` (initial lists, resyncs) yield to
/// ``WorkQueuePriority/high`` ones (changes), with aging so they never starve; the rule is in
/// ``WorkQueuePriority``. Delayed adds (``addAfter(_:_:priority:)``, ``addRateLimited(_:priority:)``)
/// share one timer task per queue, which sleeps on the injected clock until the earliest deadline.
///
/// Each controller owns its queue and nothing is shared between queues, so a busy controller
/// cannot delay another's keys; a worker that always finds work yields every 64 keys so it does
/// not hold a thread of the cooperative pool either.
///
/// Every operation takes one lock and does O(1) work (O(log n) for delayed adds); nothing
/// allocates a task per key. The public methods are pre-specialized for ``ObjectName`` keys:
/// called from another module (a plugin's controller) a generic method would otherwise run
/// unspecialized, with every dictionary operation going through witness tables, about six times
/// slower.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    public typealias Priority = WorkQueuePriority

    /// The queue's name: the `name` dimension of its metrics.
    public let name: String
    private let clock: any RuntimeClock
    private let backoff: Backoff
    private let metrics: QueueMetrics?
    private let state: Mutex<WorkQueueState<Key>>

    /// - Parameters:
    ///   - metrics: where the queue reports depth, adds, latency and retries; nil for none.
    ///   - backoff: the per-key delays of ``addRateLimited(_:priority:)``.
    ///   - agingThreshold: how much longer a low key may wait than a high key added at the same
    ///     time (see ``WorkQueuePriority``).
    public init(
        name: String, clock: any RuntimeClock, metrics: (any MetricsFactory)? = nil, backoff: Backoff = .default,
        agingThreshold: Duration = .seconds(1)
    ) {
        self.name = name
        self.clock = clock
        self.backoff = backoff
        self.metrics = metrics.map { QueueMetrics(name: name, factory: $0) }
        state = Mutex(WorkQueueState(agingThreshold: agingThreshold))
    }

    deinit {
        state.withLock { $0.timers.task }?.cancel()
    }

    /// Keys waiting for a worker (not those being processed or waiting for a delay).
    public var count: Int { state.withLock { $0.lanes.count } }

    /// Workers suspended in ``next()``: lets a test wait until workers are idle instead of
    /// sleeping.
    public var waitingWorkers: Int { state.withLock { $0.lanes.waiters.count } }

    public var isShutDown: Bool { state.withLock { $0.isShutDown } }

    // MARK: Adding

    /// Queues `key` unless it is queued already, in which case a higher `priority` moves it up.
    /// Cancels a pending delayed add of the key, which this add makes pointless.
    @_specialize(where Key == ObjectName)
    public func add(_ key: Key, priority: Priority = .high) {
        let now = clock.now()
        let result = withState { $0.add(key, priority: priority, now: now) }
        switch result {
        case .ignored: break
        case .added: metrics?.adds.increment()
        case .handedOff(let handoff):
            metrics?.adds.increment()
            deliver(handoff)
        }
    }

    /// Adds `key` once `delay` has passed on the queue's clock (at once if it is not positive).
    ///
    /// Of two delays pending for a key the earlier wins. A key that is queued, or that will be
    /// queued again when its worker is done, gets no timer: it is processed soon anyway.
    @_specialize(where Key == ObjectName)
    public func addAfter(_ key: Key, _ delay: Duration, priority: Priority = .high) {
        guard delay > .zero else { return add(key, priority: priority) }
        add(key, at: clock.now().advanced(by: delay), priority: priority)
    }

    @_specialize(where Key == ObjectName)
    private func add(_ key: Key, at deadline: Time, priority: Priority) {
        let superseded = state.withLock { s -> Task<Void, Never>? in
            guard s.addLater(key, at: deadline, priority: priority) else { return nil }
            s.timers.generation &+= 1
            s.timers.armed = deadline
            let superseded = s.timers.task
            s.timers.task = startTimer(generation: s.timers.generation, deadline: deadline)
            return superseded
        }
        superseded?.cancel()
    }

    /// Adds `key` after its backoff, which doubles with each call until ``forget(_:)``: how a
    /// controller retries a failed reconcile.
    @_specialize(where Key == ObjectName)
    public func addRateLimited(_ key: Key, priority: Priority = .high) {
        // The backoff runs from the failure, read before the retry count shows it: whoever sees
        // the count (a test stepping a manual clock) sees a deadline that cannot move later.
        let failedAt = clock.now()
        let retry = state.withLock { s -> Int in
            s.failures[key, default: 0] += 1
            return s.failures[key] ?? 1
        }
        metrics?.retries.increment()
        add(key, at: failedAt.advanced(by: backoff.delay(forRetry: retry)), priority: priority)
    }

    /// Resets the key's backoff: call it when the key was processed successfully.
    @_specialize(where Key == ObjectName)
    public func forget(_ key: Key) {
        state.withLock { s in
            if !s.failures.isEmpty { s.failures.removeValue(forKey: key) }
        }
    }

    /// How many times the key failed since it was last forgotten.
    @_specialize(where Key == ObjectName)
    public func retries(_ key: Key) -> Int {
        state.withLock { $0.failures[key] ?? 0 }
    }

    // MARK: Taking

    /// The next key to process, waiting until there is one; the caller must call ``done(_:)``
    /// with it. Nil once the queue is shut down, or when the calling task is cancelled: a key
    /// handed over at the moment of cancellation goes back to the queue rather than being lost.
    @_specialize(where Key == ObjectName)
    public func next() async -> Key? {
        guard !Task.isCancelled else { return nil }
        let id: UInt64
        switch withState({ $0.takeOrReserve() }) {
        case .taken(let key, let addedAt, let yield):
            recordLatency(since: addedAt)
            if yield { await Task.yield() }
            return key
        case .shutDown:
            return nil
        case .wait(let waiterID):
            id = waiterID
        }
        let key = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Key?, Never>) in
                let attempt = withState { s in
                    s.takeOrWait(id: id, continuation: continuation, cancelled: Task.isCancelled)
                }
                switch attempt {
                case nil: break
                case .taken(let key, let addedAt)?:
                    recordLatency(since: addedAt)
                    continuation.resume(returning: key)
                case .empty?:
                    continuation.resume(returning: nil)
                }
            }
        } onCancel: {
            state.withLock { $0.lanes.removeWaiter(id: id) }?.continuation.resume(returning: nil)
        }
        if let key, Task.isCancelled {
            if let handoff = withState({ $0.giveBack(key) }) { deliver(handoff) }
            return nil
        }
        return key
    }

    /// The next key if one is ready now, without waiting: for taking keys in batches. The caller
    /// must call ``done(_:)`` with it.
    @_specialize(where Key == ObjectName)
    public func tryNext() -> Key? {
        guard case .taken(let key, let addedAt) = withState({ $0.take() }) else { return nil }
        recordLatency(since: addedAt)
        return key
    }

    /// Ends processing of a key from ``next()`` or ``tryNext()``. If it was added meanwhile it is
    /// queued again now.
    @_specialize(where Key == ObjectName)
    public func done(_ key: Key) {
        if let handoff = withState({ $0.done(key) }) { deliver(handoff) }
    }

    // MARK: Shutdown

    /// Stops the queue: waiting and later calls of ``next()`` return nil, adds are ignored, pending
    /// delays are dropped. Keys being processed may still be passed to ``done(_:)``.
    public func shutDown() {
        let (waiters, timer) = withState { $0.shutDown() }
        timer?.cancel()
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    // MARK: Internals

    /// Runs `body` under the lock and keeps the depth gauge in step; the gauge is set under the
    /// lock so concurrent changes cannot record their depths out of order.
    private func withState<R: Sendable>(_ body: (inout WorkQueueState<Key>) -> R) -> R {
        state.withLock { s in
            let before = s.lanes.count
            let result = body(&s)
            if let metrics, s.lanes.count != before { metrics.depth.record(s.lanes.count) }
            return result
        }
    }

    private func deliver(_ handoff: WorkQueueHandoff<Key>) {
        recordLatency(since: handoff.addedAt)
        handoff.continuation.resume(returning: handoff.key)
    }

    private func recordLatency(since addedAt: Time) {
        metrics?.recordLatency(from: addedAt, to: clock.now())
    }

    /// The one timer task: sleeps until `deadline`, adds what is due, and sleeps again until the
    /// next deadline; ends when none is left, when replaced by a task for an earlier deadline
    /// (`generation` no longer current), or when the queue is gone.
    private func startTimer(generation: UInt64, deadline: Time) -> Task<Void, Never> {
        let clock = self.clock
        return Task.detached { [weak self] in
            var deadline = deadline
            while true {
                do {
                    try await clock.sleep(until: deadline)
                } catch {
                    // Cancelled: superseded or shut down. Any other failure of the clock must
                    // not strand the delayed keys, so the loop carries on as if woken.
                    if Task.isCancelled { return }
                }
                guard let queue = self, let next = queue.fireTimers(generation: generation) else { return }
                deadline = next
            }
        }
    }

    private func fireTimers(generation: UInt64) -> Time? {
        let now = clock.now()
        let (handoffs, added, next) = withState { $0.fireTimers(generation: generation, now: now) }
        if added > 0 { metrics?.adds.increment(by: added) }
        for handoff in handoffs { deliver(handoff) }
        return next
    }
}
