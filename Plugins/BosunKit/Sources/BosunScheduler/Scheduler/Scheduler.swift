import Synchronization

/// The scheduler: places the pods that name it (`spec.schedulerName`) on nodes, as
/// kube-scheduler's `scheduler.go` does with one profile.
///
/// It is not a reconciler of pod keys. Its informer handlers (``SchedulerEventHandlers``) feed
/// the framework's cache and queue directly: unscheduled pods go to the queue, assigned pods and
/// nodes to the cache, and cluster events move unschedulable pods back. While the manager leads,
/// one loop pops pods and runs their scheduling cycles one at a time; each binding cycle runs in
/// a task of its own, so a slow bind never holds up the next pod.
///
/// ```swift
/// let scheduler = try Scheduler.register(with: manager)
/// ```
public final class Scheduler: Sendable {
    /// Builds the profile once the handle exists (plugins that activate pods or look at waiting
    /// pods keep it) and with the binder the scheduler provides (`pods/binding` through the
    /// manager's client).
    public typealias ProfileFactory = @Sendable (_ handle: FrameworkHandle, _ bind: @escaping DefaultBinder.BindFunction) throws -> Profile

    public let framework: Framework
    /// The `spec.schedulerName` this scheduler serves, and the component its events report.
    public var schedulerName: String { framework.profile.schedulerName }
    public var queue: SchedulingQueue { framework.queue }
    public var cache: SchedulerCache { framework.cache }

    let client: CachedClient
    let events: EventRecorder
    let clock: any RuntimeClock
    let logger: Logger
    let handlers: SchedulerEventHandlers
    /// Failures waiting to be written to their pods.
    let failureReports: FailureReports<FailureReport>
    private let registration = Mutex<Registration?>(nil)

    private struct Registration {
        var nodes: InformerLease<Node>
        var pods: InformerLease<Pod>
        var nodeHandler: Int
        var podHandler: Int
    }

    init(framework: Framework, client: CachedClient, events: EventRecorder, clock: any RuntimeClock, logger: Logger) {
        self.framework = framework
        self.client = client
        self.events = events
        self.clock = clock
        self.logger = logger
        handlers = SchedulerEventHandlers(framework: framework)
        let writer = FailureWriter(client: client, events: events, clock: clock, logger: logger)
        failureReports = FailureReports { await writer.write($0) }
    }

    /// The name of the manager runnable a scheduler registers as.
    public static func runnableName(for schedulerName: String) -> String { "scheduler/" + schedulerName }

    /// Makes a scheduler over the manager's shared Node and Pod informers and registers its loop
    /// to run while the manager leads.
    ///
    /// - Parameters:
    ///   - name: the `spec.schedulerName` served; it replaces the profile's.
    ///   - profile: by default kube-scheduler's default plugins (``Profile/defaults(bind:extra:extraWeights:)``).
    @discardableResult
    public static func register(
        with manager: Manager, name: String = "default-scheduler", queueOptions: QueueOptions = QueueOptions(),
        profile makeProfile: ProfileFactory = { _, bind in Profile.defaults(bind: bind) }
    ) throws -> Scheduler {
        let client = manager.client
        let handle = FrameworkHandle(clock: manager.clock)
        var profile = try makeProfile(handle, { pod, nodeName in
            _ = try await client.bind(Scheduler.binding(of: pod, to: nodeName), namespace: pod.metadata.namespace ?? "",
                                      options: WriteOptions())
        })
        profile.schedulerName = name
        let framework = try Framework(profile: profile, handle: handle, queueOptions: queueOptions)
        var logger = manager.logger
        logger[metadataKey: "scheduler"] = "\(name)"
        // Events say "From: default-scheduler", as kube-scheduler's do.
        let events = EventRecorder(client: manager.api, clock: manager.clock, component: name, logger: logger)
        let scheduler = Scheduler(framework: framework, client: client, events: events, clock: manager.clock, logger: logger)
        try scheduler.attach(to: manager)
        return scheduler
    }

    /// The `pods/binding` object for `pod` on `nodeName`; the uid guards against binding a
    /// recreated pod of the same name.
    static func binding(of pod: Pod, to nodeName: String) -> Binding {
        Binding(
            metadata: ObjectMeta(name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid),
            target: ObjectReference(kind: "Node", name: nodeName))
    }

    private func attach(to manager: Manager) throws {
        let nodes = manager.informer(for: Node.self)
        let pods = manager.informer(for: Pod.self)
        let handlers = self.handlers
        let nodeHandler = nodes.informer.addHandler { handlers.handle($0) }
        let podHandler = pods.informer.addHandler { handlers.handle($0) }
        registration.withLock { $0 = Registration(nodes: nodes, pods: pods, nodeHandler: nodeHandler, podHandler: podHandler) }
        do {
            try manager.add(Runnable(
                name: Self.runnableName(for: schedulerName),
                waitForSync: {
                    await nodes.informer.waitForSync()
                    await pods.informer.waitForSync()
                },
                hasSynced: { nodes.informer.hasSynced && pods.informer.hasSynced },
                run: { [self] in await run() }))
        } catch {
            detach()
            throw error
        }
    }

    private func detach() {
        guard let r = registration.withLock({ r -> Registration? in
            defer { r = nil }
            return r
        }) else { return }
        r.nodes.informer.removeHandler(r.nodeHandler)
        r.pods.informer.removeHandler(r.podHandler)
        r.nodes.release()
        r.pods.release()
    }

    /// Stops the loop, waits for it, releases the informers and closes the queue.
    public func unregister(from manager: Manager) async {
        await manager.remove(runnable: Self.runnableName(for: schedulerName))
        detach()
        queue.close()
        await events.flush()
    }

    // MARK: Running

    /// Schedules pods until the task is cancelled, with the queue's periodic flushes beside.
    /// The manager runs this while it leads; a host without a manager may call it itself.
    public func run() async {
        let flushes = Task { await queue.run() }
        defer { flushes.cancel() }
        while !Task.isCancelled {
            guard await scheduleOne() else { break }
        }
        // The manager closes nothing before this returns: let the events recorded so far land.
        await events.flush()
    }

    /// Pops one pod (waiting for one), runs its scheduling cycle, and starts its binding cycle
    /// in a task. Returns `false` once the queue is closed or the task cancelled.
    @discardableResult
    public func scheduleOne() async -> Bool {
        guard let pod = await queue.pop() else { return false }
        // Upstream `skipPodSchedule`: a pod being deleted is not placed.
        if pod.pod.metadata.deletionTimestamp != nil {
            queue.done(uid: pod.uid)
            return true
        }
        switch framework.schedulingCycle(pod) {
        case .assumed(let ticket):
            Task { await self.bind(ticket) }
        case .failed(let failure):
            handleFailure(pod.podInfo, failure)
        }
        return true
    }

    private func bind(_ ticket: BindingTicket) async {
        let pod = ticket.pod.podInfo
        switch await framework.bindingCycle(ticket) {
        case .bound(let nodeName):
            events.event(for: pod.pod, type: .normal, reason: "Scheduled",
                         message: "Successfully assigned \(pod.key) to \(nodeName)")
        case .failed(let failure):
            handleFailure(pod, failure)
        }
    }
}
