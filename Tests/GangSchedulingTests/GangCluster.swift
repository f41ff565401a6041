import BosunScheduler
import GangSchedulingCore
import Testing

/// A store, a manager on a manual clock, the default scheduler with the gang plugin (ties to
/// the first node), the PodGroup controller, and nodes with room as given. No kubelet: tests set
/// pod phases themselves.
struct GangCluster {
    let env: TestEnvironment
    let gang: GangScheduling
    let scheduler: Scheduler

    static func start(nodes: [(name: String, cpu: String)], arguments: CoschedulingArguments = CoschedulingArguments())
        async throws -> GangCluster
    {
        let env = try await TestEnvironment.start()
        try KindRegistry.shared.register(PodGroup.self)
        _ = try await env.api.create(PodGroup.customResourceDefinition)
        let gang = GangScheduling(arguments: arguments)
        try gang.registerController(with: env.manager)
        let scheduler = try Scheduler.register(with: env.manager) { handle, bind in
            let plugin = gang.schedulerPlugin(handle: handle)
            var profile = Profile.defaults(bind: bind, extra: [plugin], queueSort: plugin)
            profile.tieBreak = .first
            return profile
        }
        env.startManager()
        for (name, cpu) in nodes {
            var node = Node(metadata: ObjectMeta(labels: ["kubernetes.io/hostname": name], name: name))
            node.status.allocatable = ["cpu": Quantity(stringLiteral: cpu), "memory": "64Gi", "pods": "110"]
            node.status.conditions = [NodeCondition(status: "True", type: "Ready")]
            _ = try await env.api.create(node)
        }
        let cluster = GangCluster(env: env, gang: gang, scheduler: scheduler)
        try await env.waitUntil("the scheduler sees the nodes") { scheduler.cache.nodeCount == nodes.count }
        return cluster
    }

    var clock: ManualClock { env.clock }

    @discardableResult
    func podGroup(_ name: String, minMember: Int32, timeoutSeconds: Int32? = nil, minResources: [String: Quantity]? = nil,
                  policy: PodGroup.MemberLossPolicy? = nil) async throws -> PodGroup {
        var group = PodGroup(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: PodGroup.Spec(minMember: minMember, minResources: minResources, scheduleTimeoutSeconds: timeoutSeconds))
        if let policy { group.metadata.annotations = [PodGroup.memberLossPolicyAnnotation: policy.rawValue] }
        let created = try await env.api.create(group)
        try await env.waitUntil("the plugin knows PodGroup \(name)") { gang.state.group("default/\(name)")?.podGroup != nil }
        return created
    }

    /// A pod of `group` (or none) requesting `cpu`.
    @discardableResult
    func pod(_ name: String, group: String?, cpu: String = "1", priority: Int32? = nil) async throws -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default"))
        if let group { pod.metadata.labels = [PodGroup.memberLabel: group] }
        pod.spec.containers = [Container(name: "c", image: "busybox",
                                         resources: ResourceRequirements(requests: ["cpu": Quantity(stringLiteral: cpu)]))]
        pod.spec.priority = priority
        return try await env.api.create(pod)
    }

    func pods(of group: String) async throws -> [Pod] {
        try await env.api.listAll(Pod.self, namespace: "default").filter { $0.metadata.labels?[PodGroup.memberLabel] == group }
    }

    func nodeName(_ pod: String) async throws -> String? {
        try await env.api.get(Pod.self, namespace: "default", name: pod).spec.nodeName
    }

    func boundCount(_ group: String) async throws -> Int {
        try await pods(of: group).filter { $0.spec.nodeName != nil }.count
    }

    /// Members of `group` waiting at Permit.
    func waitingCount(_ group: String) -> Int {
        scheduler.framework.waitingPods.all.filter { $0.pod.labels[PodGroup.memberLabel] == group }.count
    }

    /// Members of `group` holding capacity without being bound: assumed in the cache.
    func heldCount(_ group: String) async throws -> Int {
        try await pods(of: group).filter { pod in
            scheduler.cache.isAssumed(uid: pod.metadata.uid ?? "")
        }.count
    }

    /// Every unbound member of `group` waits in the queue (backoff or unschedulable) and none is
    /// in flight or held: a state that lasts until the clock moves or the cluster changes. With
    /// `tried`, each has been tried (not merely held back waiting for its group).
    func isSettled(_ group: String, tried: Bool = true) async throws -> Bool {
        for pod in try await pods(of: group) where pod.spec.nodeName == nil {
            let uid = pod.metadata.uid ?? ""
            guard let location = scheduler.queue.location(of: uid), location == .backoff || location == .unschedulable,
                  !scheduler.cache.isAssumed(uid: uid), let queued = scheduler.queue.queued(uid: uid)
            else { return false }
            if tried && (queued.attempts == 0 || queued.gatingPlugin != nil) { return false }
        }
        return waitingCount(group) == 0
    }

    /// Nothing left for the scheduler to do at the current time: every unbound pod waits in
    /// the unschedulable pool, in backoff that has not expired, or at Permit.
    func isQuiet() async throws -> Bool {
        let now = clock.now()
        let queue = scheduler.queue
        for pod in try await env.api.listAll(Pod.self, namespace: "default")
        where pod.spec.nodeName == nil && pod.metadata.deletionTimestamp == nil {
            let uid = pod.metadata.uid ?? ""
            switch queue.location(of: uid) {
            case .unschedulable: continue
            case .backoff:
                guard let queued = queue.queued(uid: uid), queue.backoffExpiry(of: queued) > now else { return false }
            case .inFlight:
                // Waiting at Permit, with no decision its binding cycle has yet to act on.
                guard let waiting = scheduler.framework.waitingPods.get(uid: uid), !waiting.isDecided else { return false }
            case .active, nil:
                return false
            }
        }
        return true
    }

    /// Moves the clock a second at a time (the queue flushes backoff each second), letting the
    /// scheduler finish what each second allows, until `done`; returns the clock time it took.
    func advanceUntil(_ what: String, step: Duration = .seconds(1), limit: Duration = .seconds(120),
                      _ done: @Sendable () async throws -> Bool) async throws -> Duration {
        var advanced = Duration.zero
        while true {
            try await env.waitUntil("the scheduler is quiet") { try await isQuiet() }
            if try await done() { return advanced }
            guard advanced < limit else { throw TestEnvironmentError.timedOut("\(what) within \(limit) of clock time") }
            clock.advance(by: step)
            advanced += step
            // The queue's own flush runs on the clock too, but may not be asleep on it yet.
            scheduler.queue.flushBackoffCompleted()
        }
    }

    func setPhase(_ name: String, _ phase: String) async throws {
        var pod = try await env.api.get(Pod.self, namespace: "default", name: name)
        pod.status.phase = phase
        _ = try await env.api.updateStatus(pod)
    }

    func podGroupStatus(_ name: String) async throws -> PodGroup.Status? {
        try await env.api.get(PodGroup.self, namespace: "default", name: name).status
    }

    func stop() async {
        await env.stop()
    }
}
