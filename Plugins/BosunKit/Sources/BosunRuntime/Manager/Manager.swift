import BosunKit
import BosunStore
import CoreMetrics
import Foundation
import Logging
import Synchronization

/// What a ``Manager`` is configured with.
public struct ManagerOptions: Sendable {
    /// Workers per controller unless its builder says otherwise: the number of cores.
    public var defaultConcurrency: Int
    /// Elect a leader on this Lease before running controllers; `nil` runs them at once.
    public var leaderElection: LeaderElectionConfig?
    /// After losing the lease, stop the controllers and campaign again with the caches kept
    /// warm, rather than end ``Manager/run()`` with ``LeaderElectionError/leadershipLost(lease:)``
    /// (what a host that serves more than controllers wants: Bosun's control planes sharing etcd).
    public var campaignAfterLosingLeadership: Bool
    /// Where metrics go; `nil` records none. Passed in, not global: see ``ReconcileMetrics``.
    public var metricsFactory: (any MetricsFactory)?
    /// The component name events are reported by.
    public var eventSource: String
    /// Objects per page when an informer lists.
    public var informerPageSize: Int
    /// How long a watch may stay silent before an informer restarts it.
    public var watchInactivityTimeout: Duration
    /// Objects per informer kept decoded (recently changed or read); the rest stay as JSON
    /// and are decoded when read. The default, 8,192, holds every Node and every node Lease of
    /// Kubernetes' largest supported cluster (5,000 nodes): the loops that visit each node in
    /// turn (node lifecycle, heartbeats, pod GC) would otherwise evict each other's values and
    /// decode every read again — at 4,096 that was about a quarter of an idle 5,000-node
    /// cluster's CPU.
    public var decodedCacheCapacity: Int
    /// How long one reconcile may run before it is cancelled, its key requeued with backoff and
    /// its worker freed, unless a controller's builder says otherwise; `nil`: no limit. See
    /// ``Controller``.
    public var reconcileTimeout: Duration?
    /// The clock reconcile deadlines are measured on: wall time by default, even when the
    /// manager's clock is a test's ``ManualClock`` (a test moving its clock by minutes must not
    /// expire the reconciles that happen to be running). Tests of deadlines pass a ManualClock.
    public var reconcileDeadlineClock: any RuntimeClock
    /// The longest stretch for which an ``ReconcilePriority/urgent`` controller's work holds
    /// the other controllers' reconciles back (see ``ReconcilePriority``).
    public var urgentDeferralLimit: Duration

    public init(
        defaultConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount, leaderElection: LeaderElectionConfig? = nil,
        metricsFactory: (any MetricsFactory)? = nil, eventSource: String = "bosun-controller-manager",
        informerPageSize: Int = 500, watchInactivityTimeout: Duration = .seconds(300), decodedCacheCapacity: Int = 8192,
        campaignAfterLosingLeadership: Bool = false,
        reconcileTimeout: Duration? = .seconds(30), reconcileDeadlineClock: any RuntimeClock = SystemRuntimeClock(),
        urgentDeferralLimit: Duration = .seconds(2)
    ) {
        self.urgentDeferralLimit = urgentDeferralLimit
        self.campaignAfterLosingLeadership = campaignAfterLosingLeadership
        self.reconcileTimeout = reconcileTimeout
        self.reconcileDeadlineClock = reconcileDeadlineClock
        self.decodedCacheCapacity = decodedCacheCapacity
        self.defaultConcurrency = defaultConcurrency
        self.leaderElection = leaderElection
        self.metricsFactory = metricsFactory
        self.eventSource = eventSource
        self.informerPageSize = informerPageSize
        self.watchInactivityTimeout = watchInactivityTimeout
    }
}

/// Runs controllers: owns the shared informers, the cached client, the event recorder, and
/// (optionally) leader election, as controller-runtime's manager does.
///
/// Controllers can be added and removed while the manager runs — a plugin loads, a plugin
/// unloads — and their informers are shared and released with them.
public final class Manager: Sendable {
    public let options: ManagerOptions
    /// The uncached client.
    public let api: any Client
    /// The client controllers use: cached reads, read-your-writes.
    public let client: CachedClient
    public let informers: InformerRegistry
    public let events: EventRecorder
    public let clock: any RuntimeClock
    public let logger: Logger
    /// Where normal controllers' workers wait while urgent ones have work.
    let reconcileGate: ReconcileGate

    private struct State {
        var controllers: [String: Controller] = [:]
        var runnables: [String: Runnable] = [:]
        var workers: [String: Task<Void, Never>] = [:]
        var leading = false
    }

    private let state = Mutex(State())

    public init(
        client api: any Client, clock: any RuntimeClock = SystemRuntimeClock(),
        logger: Logger = Logger(label: "bosun.controllers"), options: ManagerOptions = ManagerOptions()
    ) {
        self.api = api
        self.clock = clock
        self.logger = logger
        self.options = options
        informers = InformerRegistry(
            client: api, clock: clock, logger: logger, pageSize: options.informerPageSize,
            inactivityTimeout: options.watchInactivityTimeout, decodedCapacity: options.decodedCacheCapacity)
        client = CachedClient(api: api, informers: informers)
        events = EventRecorder(client: api, clock: clock, component: options.eventSource, logger: logger)
        reconcileGate = ReconcileGate(limit: options.urgentDeferralLimit, clock: options.reconcileDeadlineClock)
    }

    /// Starts declaring a controller for `T` (named after the kind unless ``ControllerBuilder/named(_:)``).
    public func controller<T: Resource>(for type: T.Type) -> ControllerBuilder<T> {
        ControllerBuilder(manager: self, name: T.kind.lowercased())
    }

    /// A shared informer, for reads the caches should serve (a reconciler reading `Secret`s, say).
    /// Release the lease when done.
    public func informer<T: Resource>(
        for type: T.Type, namespace: String? = nil, labelSelector: Selector = .everything
    ) -> InformerLease<T> {
        informers.acquire(type, namespace: namespace, labelSelector: labelSelector)
    }

    func add(
        name: String, reconciler: any Reconciler, sources: [ControllerSource], concurrency: Int, backoff: Backoff = .default,
        reconcileTimeout: Duration?, executor: (any TaskExecutor)? = nil, priority: ReconcilePriority = .normal
    ) throws -> Controller {
        let queue = WorkQueue<ObjectName>(name: name, clock: clock, metrics: options.metricsFactory, backoff: backoff)
        let controller = Controller(
            name: name, concurrency: concurrency, queue: queue, reconciler: reconciler, sources: sources,
            metricsFactory: options.metricsFactory, reconcileTimeout: reconcileTimeout,
            deadlineClock: options.reconcileDeadlineClock, executor: executor, priority: priority, gate: reconcileGate)
        let startNow = try state.withLock { (s: inout State) throws -> Bool in
            guard s.controllers[name] == nil && s.runnables[name] == nil else {
                throw ManagerError.duplicateController(name)
            }
            s.controllers[name] = controller
            return s.leading
        }
        controller.attach(to: informers)
        if startNow { start(controller) }
        return controller
    }

    /// Stops a controller, waits for its running reconciles, and releases its informers.
    public func remove(controller name: String) async {
        let (controller, worker) = state.withLock { s in
            (s.controllers.removeValue(forKey: name), s.workers.removeValue(forKey: name))
        }
        guard let controller else { return }
        controller.detach()
        worker?.cancel()
        await worker?.value
        if controller.priority == .urgent { reconcileGate.urgentRemoved(name) }
    }

    /// Adds work that runs while this manager leads (now, if it leads already). Its name shares
    /// the controllers' namespace.
    public func add(_ runnable: Runnable) throws {
        let startNow = try state.withLock { (s: inout State) throws -> Bool in
            guard s.controllers[runnable.name] == nil && s.runnables[runnable.name] == nil else {
                throw ManagerError.duplicateController(runnable.name)
            }
            s.runnables[runnable.name] = runnable
            return s.leading
        }
        if startNow { start(runnable) }
    }

    /// Cancels a runnable and waits for it to return.
    public func remove(runnable name: String) async {
        let worker = state.withLock { s -> Task<Void, Never>? in
            guard s.runnables.removeValue(forKey: name) != nil else { return nil }
            return s.workers.removeValue(forKey: name)
        }
        worker?.cancel()
        await worker?.value
    }

    /// The names of the registered controllers.
    public var controllerNames: [String] { state.withLock { $0.controllers.keys.sorted() } }

    /// The names of the registered runnables.
    public var runnableNames: [String] { state.withLock { $0.runnables.keys.sorted() } }

    /// Whether every controller's informers have loaded: what `/readyz` reports.
    public var hasSynced: Bool {
        let (controllers, runnables) = state.withLock { (Array($0.controllers.values), Array($0.runnables.values)) }
        return controllers.allSatisfy(\.hasSynced) && runnables.allSatisfy { $0.hasSynced() }
    }

    /// The controllers and runnables whose caches have not loaded yet, by name, sorted: what a
    /// readiness report names when the caches are not synced.
    public var unsyncedNames: [String] {
        let (controllers, runnables) = state.withLock { (Array($0.controllers.values), Array($0.runnables.values)) }
        return (controllers.filter { !$0.hasSynced }.map(\.name) + runnables.filter { !$0.hasSynced() }.map(\.name)).sorted()
    }

    /// Waits until every registered controller's informers have loaded.
    public func waitForCacheSync() async {
        for controller in state.withLock({ Array($0.controllers.values) }) { await controller.waitForSync() }
        for runnable in state.withLock({ Array($0.runnables.values) }) { await runnable.waitForSync() }
    }

    /// Whether this manager runs its controllers now (it leads, or needs no election).
    public var isLeading: Bool { state.withLock { $0.leading } }

    /// Runs until the task is cancelled: warms the caches, wins the election if one is
    /// configured, then runs every controller — and those added later. On cancellation it stops
    /// the controllers, releases the lease and stops the informers.
    public func run() async throws {
        await waitForCacheSync()
        do {
            if let config = options.leaderElection {
                let elector = try LeaderElector(client: api, clock: clock, config: config, logger: logger)
                while true {
                    do {
                        try await elector.run { try await self.lead() }
                        break
                    } catch LeaderElectionError.leadershipLost where options.campaignAfterLosingLeadership && !Task.isCancelled {
                        logger.warning("lost the lease \(config.namespace)/\(config.leaseName); controllers stopped, campaigning again")
                    }
                }
            } else {
                try await lead()
            }
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }

    /// Runs the controllers until cancelled (or until leadership is lost, which cancels it).
    private func lead() async throws {
        let (controllers, runnables) = state.withLock { s -> ([Controller], [Runnable]) in
            s.leading = true
            return (Array(s.controllers.values), Array(s.runnables.values))
        }
        for controller in controllers { start(controller) }
        for runnable in runnables { start(runnable) }
        await waitUntilCancelled()
        let workers = state.withLock { s -> [Task<Void, Never>] in
            s.leading = false
            defer { s.workers.removeAll() }
            return Array(s.workers.values)
        }
        for worker in workers { worker.cancel() }
        for worker in workers { await worker.value }
    }

    private func start(_ controller: Controller) {
        let context = ReconcileContext(
            client: client, logger: logger.with(controller: controller.name), events: events, clock: clock,
            controller: controller.name, retries: 0)
        let task = Task { await controller.run(context) }
        state.withLock { $0.workers[controller.name] = task }
    }

    private func start(_ runnable: Runnable) {
        let task = Task { await runnable.run() }
        state.withLock { $0.workers[runnable.name] = task }
    }

    private func stopAll() async {
        let controllers = state.withLock { Array($0.controllers.values) }
        for controller in controllers { controller.detach() }
        informers.stopAll()
        await events.flush()
    }
}

public enum ManagerError: Error, Hashable, CustomStringConvertible {
    case duplicateController(String)

    public var description: String {
        switch self {
        case .duplicateController(let name): "a controller named \"\(name)\" is already registered"
        }
    }
}

extension Logger {
    func with(controller: String) -> Logger {
        var copy = self
        copy[metadataKey: "controller"] = "\(controller)"
        return copy
    }
}

/// Suspends until the current task is cancelled.
func waitUntilCancelled() async {
    let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
    await withTaskCancellationHandler {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let cancelled = waiting.withLock { w -> Bool in
                if Task.isCancelled { return true }
                w = c
                return false
            }
            if cancelled { c.resume() }
        }
    } onCancel: {
        waiting.withLock { w in
            w?.resume()
            w = nil
        }
    }
}
