import BosunRuntime
import Synchronization

/// kube-controller-manager's garbage collector: deletes objects whose owners are all gone, and
/// carries out the `Background`, `Foreground` and `Orphan` propagation of deletes.
///
/// It monitors every resource the server serves — built-in and custom, and resources of CRDs
/// created later (it watches CRDs and rediscovers) — and keeps the ownerReference graph of all
/// their objects (``DependencyGraph``). Graph changes queue objects on two queues, as upstream:
///
/// - *attempt to delete*: an object whose owners may all be gone is read again from the API
///   server (never from a cache), its owners looked up there too, and it is deleted when none
///   exists (GC-1), or stripped of references to absent and foreground-deleting owners when one
///   does (GC-2). An owner being deleted in the foreground has its dependents deleted and loses
///   its `foregroundDeletion` finalizer once no dependent with `blockOwnerDeletion` remains
///   (GC-4); a dependent that is itself waiting for its own dependents has its references made
///   non-blocking, so that the two never wait for each other (GC-6).
/// - *attempt to orphan*: an owner deleted with `Orphan` is removed from its dependents'
///   ownerReferences, then loses its `orphan` finalizer (GC-5).
///
/// A namespaced owner in another namespace counts as absent; a cluster-scoped object with a
/// namespaced owner is never collected; both get a Warning `OwnerRefInvalidNamespace` event
/// (GC-7). Events are not monitored, as upstream.
public final class GarbageCollector: Sendable {
    public struct Options: Sendable {
        /// Workers on each queue (upstream `--concurrent-gc-syncs`).
        public var workers: Int
        /// Resources never monitored.
        public var ignoredResources: Set<GroupResource>
        /// How many owners found absent are remembered, so their dependents need not GET them.
        public var absentOwnerCacheSize: Int

        public init(
            workers: Int = 20,
            ignoredResources: Set<GroupResource> = [
                GroupResource(group: "", resource: "events"), GroupResource(group: "events.k8s.io", resource: "events"),
            ],
            absentOwnerCacheSize: Int = 500
        ) {
            self.workers = workers
            self.ignoredResources = ignoredResources
            self.absentOwnerCacheSize = absentOwnerCacheSize
        }
    }

    public static let name = "garbage-collector"
    /// The component its events are reported by, as upstream's.
    public static let eventComponent = "garbage-collector-controller"

    let options: Options
    /// Reads by descriptor go to the API server; writes also show in this process's caches.
    let client: CachedClient
    let clock: any RuntimeClock
    let logger: Logger
    let events: EventRecorder
    let attemptToDelete: WorkQueue<CompactUID>
    let attemptToOrphan: WorkQueue<CompactUID>
    let graph = Mutex(DependencyGraph())
    let absentOwners: Mutex<AbsentOwnerCache>
    private let pageSize: Int
    private let inactivityTimeout: Duration
    private let monitoring = Mutex(Monitoring())

    private struct Monitoring {
        var running = false
        var monitors: [GroupResource: ResourceMonitor] = [:]
        /// Served resources by group and kind: how an ownerReference's kind maps to a resource.
        var resources: [GroupKind: ResourceDescriptor] = [:]
        var discovered = false
        var resyncRequests: AsyncStream<Void>.Continuation?
        var resyncTask: Task<Void, Never>?
        var syncWaiters: [CheckedContinuation<Void, Never>] = []
    }

    struct GroupKind: Hashable {
        var group: String
        var kind: String
    }

    init(manager: Manager, options: Options) {
        self.options = options
        client = manager.client
        clock = manager.clock
        var logger = manager.logger
        logger[metadataKey: "controller"] = "\(Self.name)"
        self.logger = logger
        events = EventRecorder(client: manager.api, clock: manager.clock, component: Self.eventComponent, logger: logger)
        attemptToDelete = WorkQueue(name: "garbage_collector_attempt_to_delete", clock: manager.clock,
                                    metrics: manager.options.metricsFactory)
        attemptToOrphan = WorkQueue(name: "garbage_collector_attempt_to_orphan", clock: manager.clock,
                                    metrics: manager.options.metricsFactory)
        absentOwners = Mutex(AbsentOwnerCache(capacity: options.absentOwnerCacheSize))
        pageSize = manager.options.informerPageSize
        inactivityTimeout = manager.options.watchInactivityTimeout
    }

    /// Registers the collector with `manager`: it monitors while the manager runs and collects
    /// while it leads.
    @discardableResult
    public static func register(with manager: Manager, options: Options = Options()) throws -> GarbageCollector {
        let collector = GarbageCollector(manager: manager, options: options)
        try manager.add(Runnable(
            name: name, waitForSync: { await collector.waitForSync() }, hasSynced: { collector.hasSynced },
            run: { await collector.run() }))
        return collector
    }

    /// How many objects the graph holds (observed, and owners only referenced so far).
    public var graphSize: Int { graph.withLock { $0.count } }

    /// Whether the graph has observed the object with this uid (upstream's `GraphHasUID`, for
    /// tests that must not act before the collector has seen what they made).
    func hasObserved(uid: String) -> Bool {
        graph.withLock { $0.snapshot(CompactUID(uid))?.isObserved } ?? false
    }

    /// Whether every served resource's monitor has loaded its objects into the graph.
    public var hasSynced: Bool {
        monitoring.withLock { $0.discovered && $0.monitors.values.allSatisfy(\.hasSynced) }
    }

    // MARK: Running

    /// Starts monitoring and waits until the graph holds every object.
    func waitForSync() async {
        startMonitoring()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = monitoring.withLock { m -> Bool in
                if !m.running || (m.discovered && m.monitors.values.allSatisfy(\.hasSynced)) { return true }
                m.syncWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Runs the workers until cancelled, then stops monitoring.
    func run() async {
        startMonitoring()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.workers) {
                group.addTask { await self.work(self.attemptToDelete, self.processAttemptToDelete) }
                group.addTask { await self.work(self.attemptToOrphan, self.processAttemptToOrphan) }
            }
        }
        stopMonitoring()
    }

    private func work(_ queue: WorkQueue<CompactUID>, _ process: @Sendable (CompactUID) async -> Outcome) async {
        while let uid = await queue.next() {
            switch await process(uid) {
            case .forget: queue.forget(uid)
            case .requeue: queue.addRateLimited(uid)
            }
            queue.done(uid)
        }
    }

    enum Outcome {
        case forget
        case requeue
    }

    // MARK: Monitors

    private func startMonitoring() {
        monitoring.withLock { m in
            guard !m.running else { return }
            m.running = true
            let (requests, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            m.resyncRequests = continuation
            m.resyncTask = Task {
                for await _ in requests { await self.resync() }
            }
            continuation.yield(())
        }
    }

    private func stopMonitoring() {
        let (monitors, task, requests, waiters) = monitoring.withLock { m in
            defer {
                m.running = false
                m.discovered = false
                m.monitors = [:]
                m.resyncRequests = nil
                m.resyncTask = nil
                m.syncWaiters = []
            }
            return (Array(m.monitors.values), m.resyncTask, m.resyncRequests, m.syncWaiters)
        }
        requests?.finish()
        task?.cancel()
        for monitor in monitors { monitor.stop() }
        for waiter in waiters { waiter.resume() }
    }

    /// Asks for the served resources to be discovered again (a CRD changed, a resource went).
    func requestResync() {
        _ = monitoring.withLock { $0.resyncRequests }?.yield(())
    }

    /// Starts a monitor for each served resource without one and stops those of resources no
    /// longer served (upstream's `Sync` and `resyncMonitors`).
    private func resync() async {
        let served: [ResourceDescriptor]
        do {
            served = try await client.serverResources()
        } catch {
            logger.warning("discovering served resources failed; retrying", metadata: ["error": "\(error)"])
            do { try await clock.sleep(for: .seconds(1)) } catch { return }
            requestResync()
            return
        }
        let wanted = served.filter { !options.ignoredResources.contains($0.resourceKey) }
        var started: [ResourceMonitor] = []
        var stopped: [ResourceMonitor] = []
        monitoring.withLock { m in
            guard m.running else { return }
            m.resources = Dictionary(wanted.map { (GroupKind(group: $0.group, kind: $0.kind), $0) }, uniquingKeysWith: { a, _ in a })
            let byKey = Dictionary(wanted.map { ($0.resourceKey, $0) }, uniquingKeysWith: { a, _ in a })
            for (key, monitor) in m.monitors {
                guard let descriptor = byKey[key], Self.sameObjects(descriptor, monitor.resource) else {
                    stopped.append(monitor)
                    m.monitors[key] = nil
                    continue
                }
            }
            for descriptor in wanted where m.monitors[descriptor.resourceKey] == nil {
                let monitor = ResourceMonitor(
                    resource: descriptor, client: client, clock: clock, logger: logger, pageSize: pageSize,
                    inactivityTimeout: inactivityTimeout) { [weak self] monitor, change in self?.handle(monitor, change) }
                m.monitors[descriptor.resourceKey] = monitor
                started.append(monitor)
            }
            m.discovered = true
        }
        for monitor in stopped { monitor.stop() }
        for monitor in started { monitor.start() }
        if !started.isEmpty || !stopped.isEmpty {
            logger.debug("monitors resynced", metadata: ["started": "\(started.count)", "stopped": "\(stopped.count)"])
        }
        resumeSyncWaitersIfSynced()
    }

    /// Whether a monitor of `a` would see the same objects as one of `b`.
    private static func sameObjects(_ a: ResourceDescriptor, _ b: ResourceDescriptor) -> Bool {
        a.apiVersion == b.apiVersion && a.kind == b.kind && a.namespaced == b.namespaced
    }

    private func resumeSyncWaitersIfSynced() {
        let waiters = monitoring.withLock { m -> [CheckedContinuation<Void, Never>] in
            guard m.discovered, m.monitors.values.allSatisfy(\.hasSynced) else { return [] }
            defer { m.syncWaiters = [] }
            return m.syncWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The served resource of a kind an object or ownerReference names, by group and kind (the
    /// objects are the same whichever version names them).
    func resource(for kind: GraphKind) throws -> ResourceDescriptor {
        guard let resource = monitoring.withLock({ $0.resources[GroupKind(group: kind.group, kind: kind.kind)] }) else {
            throw GarbageCollectorError.unknownKind(kind)
        }
        return resource
    }

    // MARK: Graph changes

    private func handle(_ monitor: ResourceMonitor, _ change: ResourceMonitor.Change) {
        let effects: GraphEffects
        switch change {
        case .observed(let object):
            let observed = ObservedObject(object, kind: monitor.kind)
            effects = graph.withLock { $0.observe(observed) }
        case .deleted(let object):
            let uid = CompactUID(object.uid)
            effects = graph.withLock { $0.observeDeletion(of: uid) }
        case .relisted(let seen):
            effects = graph.withLock { $0.removeObserved(ofKind: monitor.kind, notIn: seen) }
            resumeSyncWaitersIfSynced()
        case .gone:
            monitoring.withLock { m in
                if m.monitors[monitor.resource.resourceKey] === monitor { m.monitors[monitor.resource.resourceKey] = nil }
            }
            requestResync()
            return
        }
        apply(effects)
        // A CRD added, changed or deleted: a resource may have come or gone.
        if monitor.resource.resourceKey == CustomResourceDefinition.resource.resourceKey { requestResync() }
    }

    /// Carries out what a graph change asked for.
    func apply(_ effects: GraphEffects) {
        if !effects.absentOwners.isEmpty {
            absentOwners.withLock { cache in
                for owner in effects.absentOwners { cache.add(owner) }
            }
        }
        for uid in effects.attemptToDelete { attemptToDelete.add(uid) }
        for uid in effects.attemptToDeleteLater { attemptToDelete.addRateLimited(uid) }
        for uid in effects.attemptToOrphan { attemptToOrphan.add(uid) }
        for invalid in effects.invalidNamespaceReferences {
            let namespace = invalid.dependent.namespace ?? ""
            events.event(about: invalid.dependent, type: .warning, reason: "OwnerRefInvalidNamespace",
                         message: "ownerRef \(invalid.owner) does not exist in namespace \"\(namespace)\"")
        }
    }
}

enum GarbageCollectorError: Error, CustomStringConvertible {
    /// No served resource has this kind (yet: a CRD may bring it).
    case unknownKind(GraphKind)
    /// A worker asked the graph to drop an object found absent; nothing more to do with it.
    case virtualDeleteQueued
    /// A cluster-scoped object names a namespaced owner: never resolvable, never retried.
    case namespacedOwnerOfClusterScopedObject

    var description: String {
        switch self {
        case .unknownKind(let kind): "unable to get REST mapping for \(kind.apiVersion)/\(kind.kind)"
        case .virtualDeleteQueued: "enqueued virtual delete event"
        case .namespacedOwnerOfClusterScopedObject: "cluster-scoped objects cannot refer to namespaced owners"
        }
    }
}
