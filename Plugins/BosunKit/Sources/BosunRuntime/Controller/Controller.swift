import BosunKit
import CoreMetrics
import Logging
import Synchronization

/// A reconciler with its queue, workers and the informers that feed it. Made by a
/// ``ControllerBuilder`` and run by a ``Manager``.
///
/// Workers (``concurrency`` of them, never unbounded) take keys from the controller's own
/// ``WorkQueue``: one key is never reconciled by two workers at once, and a failure requeues the
/// key with its backoff. Each controller has its own queue, so a controller with a deep backlog
/// delays only itself; workers also yield between batches so they do not monopolise the
/// cooperative thread pool.
///
/// A reconcile that overruns its ``reconcileTimeout`` is cancelled, counted (result `timeout`),
/// logged, and its key requeued with backoff; its worker moves on to other keys at once. Swift
/// cannot stop a task, only ask it to stop: a reconcile that ignores cancellation runs on,
/// *abandoned* (``abandonedReconciles``), and keeps its key, so that key is not reconciled a
/// second time concurrently; it is reconciled again once the abandoned run returns. A
/// reconcile that blocks its thread (a busy loop, a blocking system call) holds one of the
/// cooperative pool's threads, which no deadline can give back.
public final class Controller: Sendable {
    public let name: String
    public let concurrency: Int
    let queue: WorkQueue<ObjectName>
    private let reconciler: any Reconciler
    private let sources: [ControllerSource]
    private let attached = Mutex<[AttachedSource]>([])
    private let metrics: ReconcileMetrics?
    /// How long one reconcile may run before it is cancelled and its worker moves on; `nil`: no
    /// limit.
    public let reconcileTimeout: Duration?
    /// The reconciles' deadlines, on wall time unless a test drives the clock; `nil` without a
    /// timeout.
    private let deadlines: DeadlineWatch?
    private let abandoned = Mutex(0)
    /// Where the workers and their reconciles run; `nil`: the shared cooperative pool.
    let executor: (any TaskExecutor)?
    public let priority: ReconcilePriority
    /// The manager's: urgent controllers close it, normal ones on the shared pool wait at it.
    private let gate: ReconcileGate?

    init(name: String, concurrency: Int, queue: WorkQueue<ObjectName>, reconciler: any Reconciler,
         sources: [ControllerSource], metricsFactory: (any MetricsFactory)?,
         reconcileTimeout: Duration? = nil, deadlineClock: any RuntimeClock = SystemRuntimeClock(),
         executor: (any TaskExecutor)? = nil, priority: ReconcilePriority = .normal, gate: ReconcileGate? = nil) {
        self.name = name
        self.priority = priority
        self.gate = gate
        self.concurrency = max(1, concurrency)
        self.queue = queue
        self.reconciler = reconciler
        self.sources = sources
        self.reconcileTimeout = reconcileTimeout
        self.executor = executor
        deadlines = reconcileTimeout.map { DeadlineWatch(clock: deadlineClock, timeout: $0) }
        metrics = metricsFactory.map { ReconcileMetrics(controller: name, factory: $0) }
    }

    /// Reconciles past their deadline that have not returned yet (they ignored cancellation).
    public var abandonedReconciles: Int { abandoned.withLock { $0 } }

    /// Acquires the informers and starts feeding the queue. Informers start at once, so caches
    /// warm up even before this process leads.
    func attach(to informers: InformerRegistry) {
        let queue = self.queue
        let enqueue: @Sendable (ObjectName, Bool) -> Void = { name, initial in
            queue.add(name, priority: initial ? .low : .high)
        }
        let sources = self.sources.map { $0.attach(informers, enqueue) }
        attached.withLock { $0 = sources }
    }

    /// Queues `key` for a reconcile, as an event would: for sources outside the cluster (a
    /// timer, a node runtime's own state) that have no informer to come through.
    public func enqueue(_ key: ObjectName) {
        queue.add(key, priority: .high)
    }

    /// Waits until every informer feeding this controller has loaded its initial list.
    func waitForSync() async {
        for source in attached.withLock({ $0 }) { await source.waitForSync() }
    }

    /// Whether every informer feeding this controller has loaded.
    var hasSynced: Bool { attached.withLock { $0.allSatisfy { $0.hasSynced() } } }

    /// Removes the handlers, releases the informers and shuts the queue down.
    func detach() {
        let sources = attached.withLock { a -> [AttachedSource] in
            defer { a.removeAll() }
            return a
        }
        for source in sources { source.detach() }
        queue.shutDown()
    }

    /// Runs the workers until the queue shuts down or the task is cancelled, and the deadline
    /// watch beside them. Workers start once every informer feeding the controller has loaded
    /// (as controller-runtime's `Start` waits for its sources): a controller added while the
    /// manager runs — a plugin loaded later — would otherwise act on a half-empty cache, and
    /// create what already exists.
    func run(_ context: ReconcileContext) async {
        await waitForSync()
        await withTaskGroup(of: Bool.self) { group in
            if let deadlines {
                group.addTask {
                    await deadlines.run()
                    return false
                }
            }
            for _ in 0..<concurrency {
                group.addTask(executorPreference: executor, priority: priority == .urgent ? .high : nil) {
                    await self.work(context)
                    return true
                }
            }
            var working = concurrency
            while let wasWorker = await group.next() {
                guard wasWorker else { continue }
                working -= 1
                if working == 0 { group.cancelAll() }
            }
        }
    }

    private func work(_ base: ReconcileContext) async {
        var sinceYield = 0
        let urgent = priority == .urgent, held = priority == .normal && executor == nil
        while let key = await queue.next() {
            if urgent {
                gate?.urgentBegan(name)
            } else if held, let gate {
                await gate.pass()
            }
            if let reconcileTimeout, let deadlines {
                await reconcile(key, base, within: reconcileTimeout, watchedBy: deadlines)
            } else {
                await reconcile(key, base)
                queue.done(key)
            }
            if urgent { gate?.urgentEnded(name, backlog: queue.count) }
            sinceYield += 1
            if sinceYield == 64 {
                sinceYield = 0
                await Task.yield()
            }
        }
    }

    /// Runs the reconcile in its own task and waits for it or for the deadline, whichever comes
    /// first. The key is done only when the reconcile has returned, however late.
    private func reconcile(
        _ key: ObjectName, _ base: ReconcileContext, within timeout: Duration, watchedBy deadlines: DeadlineWatch
    ) async {
        let race = ReconcileRace()
        let run = Task(executorPreference: executor) {
            await self.reconcile(key, base)
            self.queue.done(key)
            if !race.settle(.finished) {
                self.abandoned.withLock { $0 -= 1 }
                base.logger.info("abandoned reconcile returned", metadata: ["key": "\(key)"])
            }
        }
        let watched = deadlines.begin(race)
        let outcome = await withTaskCancellationHandler {
            await race.wait()
        } onCancel: {
            run.cancel()
        }
        deadlines.end(watched)
        guard outcome == .expired else { return }
        run.cancel()
        abandoned.withLock { $0 += 1 }
        queue.addRateLimited(key)
        metrics?.recordTimeout()
        base.logger.warning("reconcile exceeded its deadline; cancelled, requeued with backoff, worker freed",
                            metadata: ["key": "\(key)", "timeout": "\(timeout)", "retries": "\(queue.retries(key))"])
    }

    private func reconcile(_ key: ObjectName, _ base: ReconcileContext) async {
        var context = base
        context.logger[metadataKey: "key"] = "\(key)"
        context.retries = queue.retries(key)
        let started = ContinuousClock.now
        // `requeue(after:)` counts from when the reconcile began, by the context's clock: the
        // reconcile computed its delay from what it read then.
        let begun = context.clock.now()
        do {
            let result = try await reconciler.reconcile(key, context: context)
            queue.forget(key)
            if let delay = result.requeueAfter {
                let spent = begun.duration(to: context.clock.now())
                queue.addAfter(key, spent > .zero ? max(.zero, delay - spent) : delay)
                metrics?.record(.requeueAfter, since: started)
            } else {
                metrics?.record(.success, since: started)
            }
        } catch let error as TerminalError {
            queue.forget(key)
            context.logger.error("reconcile failed; not retrying", metadata: ["error": "\(error.underlying)"])
            metrics?.record(.terminalError, since: started)
        } catch {
            if Task.isCancelled { return }
            queue.addRateLimited(key)
            context.logger.warning("reconcile failed; retrying with backoff", metadata: ["error": "\(error)", "retries": "\(context.retries + 1)"])
            metrics?.record(.error, since: started)
        }
    }
}

/// Where a controller's keys come from: one informer and how its events map to keys.
struct ControllerSource: Sendable {
    let attach: @Sendable (InformerRegistry, @escaping @Sendable (ObjectName, Bool) -> Void) -> AttachedSource
}

struct AttachedSource: Sendable {
    let waitForSync: @Sendable () async -> Void
    let hasSynced: @Sendable () -> Bool
    let detach: @Sendable () -> Void
}

extension ControllerSource {
    /// Events of `T`'s informer in `namespace`, filtered by `predicates`, mapped to keys.
    static func informer<T: Resource>(
        _ type: T.Type, namespace: String?, labelSelector: Selector, predicates: [Predicate<T>],
        map: @escaping @Sendable (InformerEvent<T>) -> [ObjectName]
    ) -> ControllerSource {
        ControllerSource { informers, enqueue in
            let lease = informers.acquire(T.self, namespace: namespace, labelSelector: labelSelector)
            let informer = lease.informer
            let id = informer.addHandler { event in
                for predicate in predicates where !predicate.admits(event) { return }
                for key in map(event) { enqueue(key, event.isInitial) }
            }
            return AttachedSource(
                waitForSync: { await informer.waitForSync() },
                hasSynced: { informer.hasSynced },
                detach: {
                    informer.removeHandler(id)
                    lease.release()
                })
        }
    }
}
