/// What a kubelet keeps of one of its nodes between heartbeats. Shared by the node runtimes so
/// that every runtime's nodes heartbeat alike and the node lifecycle controller cannot tell them
/// apart.
public struct KubeletNodeState: Sendable {
    public var uid: String?
    /// Kept so that a renewal is one write, not a read and a write.
    public var lease: Lease?
    public var leaseRenewed: Time?
    public var lastReport: Time?
    /// The Node changed (or its kubelet was stopped, failed or restarted) since its status was last compared.
    public var dirty = true
    /// Post the status at the next heartbeat even if unchanged (a kubelet that restarted).
    public var forceReport = true
    /// The kubelet came back: its next status post re-syncs its pods.
    public var wakePods = false

    public init(uid: String? = nil) {
        self.uid = uid
    }

    /// Keeps a runtime's set of nodes current from a Node event; true when the event concerns
    /// one of them (so its key is synced, or cleaned up after a deletion or relabelling).
    public static func observe(_ event: InformerEvent<Node>, ours: Bool, in nodes: inout [String: KubeletNodeState]) -> Bool {
        let node = event.object
        switch event.change {
        case .deleted:
            return nodes.removeValue(forKey: node.name) != nil
        case .added, .updated:
            guard ours else { return nodes.removeValue(forKey: node.name) != nil }
            if nodes[node.name] == nil {
                nodes[node.name] = KubeletNodeState()
            } else {
                nodes[node.name]?.dirty = true
            }
            return true
        }
    }
}

/// The heartbeat settings a runtime's options carry, so that each runtime keeps its own
/// defaults and documentation while the heartbeat reads them alike.
public protocol KubeletNodeTimings {
    /// How often a node's Lease in `kube-node-lease` is renewed.
    var leaseRenewInterval: Duration { get }
    /// The Lease's `leaseDurationSeconds`.
    var leaseDurationSeconds: Int32 { get }
    /// How often an unchanged node status is posted anyway.
    var statusReportInterval: Duration { get }
}

/// A kubelet's node heartbeat, as the kubelet's node status and lease controllers do it: the
/// Lease in `kube-node-lease` renewed every ``leaseRenewInterval``, the status posted when it
/// changed or every ``statusReportInterval``. Runtimes differ only in the status they want.
public struct KubeletNodeHeartbeat: Sendable {
    public static let leaseNamespace = "kube-node-lease"

    public var leaseRenewInterval: Duration
    public var leaseDurationSeconds: Int32
    public var statusReportInterval: Duration

    public init(leaseRenewInterval: Duration, leaseDurationSeconds: Int32, statusReportInterval: Duration) {
        self.leaseRenewInterval = leaseRenewInterval
        self.leaseDurationSeconds = leaseDurationSeconds
        self.statusReportInterval = statusReportInterval
    }

    public init(_ timings: some KubeletNodeTimings) {
        self.init(
            leaseRenewInterval: timings.leaseRenewInterval, leaseDurationSeconds: timings.leaseDurationSeconds,
            statusReportInterval: timings.statusReportInterval)
    }

    /// The controllers of a kubelet runtime: one whose keys are the pods bound to the runtime's
    /// nodes (namespaced names), and one whose keys are the nodes themselves (cluster-scoped
    /// names: heartbeats), named ``heartbeatControllerName(_:)``. Heartbeats have a queue and
    /// workers of their own, as a kubelet's node status and lease loops run apart from its pod
    /// workers: behind a burst of 100,000 pod syncs in a shared queue they fell past the node
    /// monitor's grace period, and healthy nodes were marked Unknown and their pods evicted.
    /// They also run on a thread of their own (``heartbeatExecutor``).
    ///
    /// `observesNode` keeps the runtime's set of nodes current, so pod events are filtered
    /// without reading Nodes; `fansOutToPods` says when a Node event must re-sync the pods bound
    /// to it.
    public static func controllers(
        in manager: Manager, named name: String, pods: Informer<Pod>, concurrency: Int?,
        admitsPod: @escaping @Sendable (InformerEvent<Pod>) -> Bool,
        observesNode: @escaping @Sendable (InformerEvent<Node>) -> Bool,
        fansOutToPods: @escaping @Sendable (InformerEvent<Node>) -> Bool
    ) -> KubeletControllers {
        var podSyncs = manager.controller(for: Pod.self)
            .named(name)
            .withPredicates(Predicate(admitsPod))
            .watches(Node.self, predicates: [Predicate(fansOutToPods)]) { node in
                pods.byIndex(Indexers.nodeName, node.name).map { ObjectName(of: $0) }
            }
        var heartbeats = manager.controller(for: Node.self)
            .named(heartbeatControllerName(name))
            .withPredicates(Predicate(observesNode))
        // Under a test's manual clock time moves only when the test moves it, so heartbeats
        // cannot fall behind it; they stay on the shared pool, in step with the turns a test
        // gives its tasks (on a thread of their own they raced a test stepping the clock).
        if !(manager.clock is ManualClock) { heartbeats = heartbeats.executor(heartbeatExecutor) }
        if let concurrency {
            podSyncs = podSyncs.concurrency(concurrency)
            heartbeats = heartbeats.concurrency(concurrency)
        }
        return KubeletControllers(manager: manager, names: [name, heartbeatControllerName(name)], podSyncs: podSyncs, heartbeats: heartbeats)
    }

    /// Where every kubelet runtime's heartbeats run: a thread of their own, so that no burst of
    /// other work queued on the shared pool delays them (on the wall clock; under a test's
    /// `ManualClock` they stay on the shared pool).
    public static let heartbeatExecutor = DedicatedExecutor(label: "bosun.kubelet-heartbeats")

    /// The name of the heartbeat controller of the kubelet runtime whose pod controller is `name`.
    public static func heartbeatControllerName(_ name: String) -> String {
        name + "-heartbeat"
    }

    /// One heartbeat of node `name`: its status when it changed or a report is due, its Lease
    /// when the renewal is due; then sleep until the next of the two.
    ///
    /// The runtime's node states stay behind its own lock, reached through `states`; the lock is
    /// never held across a write. `observe` reads the Node, `nil` when it is gone or no longer
    /// the runtime's, and `forget` lets go of what the runtime keeps for it.
    public func sync(
        _ name: String, silent: Bool, context: ReconcileContext,
        states: (_ body: (inout [String: KubeletNodeState]) -> Void) -> Void,
        observe: () -> Node?, forget: () -> Void, desired: (_ node: Node, _ now: Time) -> NodeStatus
    ) async throws -> ReconcileResult {
        let now = context.clock.now()
        var known: KubeletNodeState?
        states { known = $0[name] }
        guard var node = known else {
            forget()
            return .done
        }
        // A silent kubelet keeps its place in the queue, so that it resumes without an event.
        if silent { return .requeue(after: leaseRenewInterval) }

        if node.dirty || isDue(node.lastReport, force: node.forceReport, now: now) {
            states { $0[name]?.dirty = false }
            guard let object = observe() else {
                forget()
                return .done
            }
            if node.uid != object.metadata.uid { node = KubeletNodeState(uid: object.metadata.uid) }
            let wanted = desired(object, now)
            let lastReport = Self.lastReport(object.status)
            if wanted != object.status || isDue(lastReport, force: node.forceReport, now: now) {
                var updated = object
                updated.status = Self.heartbeat(wanted, now: now)
                _ = try await context.client.updateStatus(updated)
                node.lastReport = now.truncatedToSeconds
            } else {
                node.lastReport = lastReport
            }
            node.forceReport = false
        }

        if node.leaseRenewed.map({ $0.advanced(by: leaseRenewInterval) <= now }) ?? true {
            do {
                node.lease = try await renewLease(name, uid: node.uid, cached: node.lease, now: now, client: context.client)
            } catch let error as APIError where error.code == 409 || error.code == 404 {
                // Someone else wrote it, or deleted it: read it again on the retry.
                states { $0[name]?.lease = nil }
                throw error
            }
            node.leaseRenewed = now
        }
        states { nodes in
            guard var current = nodes[name] else { return }
            current.uid = node.uid
            current.lease = node.lease
            current.leaseRenewed = node.leaseRenewed
            current.lastReport = node.lastReport
            // A restart asked for while this heartbeat ran still gets its report.
            current.forceReport = current.forceReport && node.forceReport
            nodes[name] = current
        }

        var next = (node.leaseRenewed ?? now).advanced(by: leaseRenewInterval)
        if let report = node.lastReport { next = min(next, report.advanced(by: statusReportInterval)) }
        // Rounded up to a tenth of a second, so that heartbeats due within the same tenth share
        // one timer firing and one wake-up of the heartbeat thread: 5,000 nodes, each due at its
        // own moment, woke it 500 times a second (5.4–5.7 % of a core where 5 % is the budget).
        // A heartbeat comes at most 100 ms later for it.
        return .requeue(after: max(now.duration(to: next.roundedUpToTenthOfASecond), .milliseconds(1)))
    }

    private func isDue(_ lastReport: Time?, force: Bool, now: Time) -> Bool {
        force || lastReport.map { $0.advanced(by: statusReportInterval) <= now } ?? true
    }

    /// Renews (or creates) the node's Lease, as the kubelet's lease controller does.
    private func renewLease(_ name: String, uid: String?, cached: Lease?, now: Time, client: CachedClient) async throws -> Lease {
        // What the Lease's JSON holds anyway; a value that encodes exactly stays typed through the store.
        let renewTime = MicroTime(now).truncatedToMicroseconds
        var lease = cached
        if lease == nil { lease = try await client.api.getIfPresent(Lease.self, namespace: Self.leaseNamespace, name: name) }
        guard var lease else {
            var owners: [OwnerReference]?
            if let uid { owners = [OwnerReference(apiVersion: "v1", kind: "Node", name: name, uid: uid)] }
            return try await client.create(Lease(
                metadata: ObjectMeta(name: name, namespace: Self.leaseNamespace, ownerReferences: owners),
                spec: LeaseSpec(holderIdentity: name, leaseDurationSeconds: leaseDurationSeconds, renewTime: renewTime)))
        }
        lease.spec.holderIdentity = name
        lease.spec.leaseDurationSeconds = leaseDurationSeconds
        lease.spec.renewTime = renewTime
        return try await client.update(lease)
    }

    /// When the status was last posted: the Ready condition's heartbeat.
    static func lastReport(_ status: NodeStatus) -> Time? {
        status.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime
    }

    /// `status` with every condition's heartbeat at `now`.
    static func heartbeat(_ status: NodeStatus, now: Time) -> NodeStatus {
        var status = status
        status.conditions = status.conditions?.map { condition in
            var condition = condition
            condition.lastHeartbeatTime = now.truncatedToSeconds
            return condition
        }
        return status
    }

    /// The kubelet's node conditions on top of `existing`: the three pressure conditions False
    /// and Ready True, or False with `failure` as its message. Heartbeat times are kept, so that
    /// an unchanged node compares equal; a transition moves its condition's transition time.
    public static func conditions(_ existing: [NodeCondition]?, failure: String? = nil, now: Time) -> [NodeCondition] {
        var conditions = existing ?? []
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            var condition = NodeCondition(status: value ? "True" : "False", type: type, message: message, reason: reason)
            if let index = conditions.firstIndex(where: { $0.type == type }) {
                let old = conditions[index]
                condition.lastHeartbeatTime = old.lastHeartbeatTime ?? now.truncatedToSeconds
                condition.lastTransitionTime = old.status == condition.status ? old.lastTransitionTime : now.truncatedToSeconds
                conditions[index] = condition
            } else {
                condition.lastHeartbeatTime = now.truncatedToSeconds
                condition.lastTransitionTime = now.truncatedToSeconds
                conditions.append(condition)
            }
        }
        set("MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
        set("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure")
        set("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available")
        if let failure {
            set("Ready", false, "KubeletNotReady", failure)
        } else {
            set("Ready", true, "KubeletReady", "kubelet is posting ready status")
        }
        return conditions
    }
}

extension KubeletPodStatus {
    /// A finished pod never runs again (a replacement is a new pod), so nothing more is reported of it.
    public static func isTerminal(_ pod: Pod) -> Bool {
        pod.status.phase == "Succeeded" || pod.status.phase == "Failed"
    }

    /// One address of each kind: the runtimes' pods are single-stack.
    public static func setAddresses(_ status: inout PodStatus, hostIP: String, podIP: String) {
        status.hostIP = hostIP
        status.hostIPs = [HostIP(ip: hostIP)]
        status.podIP = podIP
        status.podIPs = [PodIP(ip: podIP)]
    }

    /// The status every sync ends with, so that the runtimes agree on how containers' statuses
    /// become the pod's phase and conditions.
    public static func finish(
        _ status: inout PodStatus, spec: PodSpec, phase: String, initStatuses: [ContainerStatus], statuses: [ContainerStatus],
        sandboxReady: Bool, now: Time
    ) {
        status.phase = phase
        status.initContainerStatuses = initStatuses.isEmpty ? nil : initStatuses
        status.containerStatuses = statuses
        var conditions = status.conditions ?? []
        setConditions(
            &conditions, spec: spec, phase: phase, sandboxReady: sandboxReady,
            initContainerStatuses: initStatuses, containerStatuses: statuses, now: now)
        status.conditions = conditions
    }
}

/// A kubelet runtime's two controllers before they are registered (see
/// ``KubeletNodeHeartbeat/controllers(in:named:pods:concurrency:admitsPod:observesNode:fansOutToPods:)``).
public struct KubeletControllers: Sendable {
    let manager: Manager
    /// The pods' controller's name, then the heartbeats'.
    let names: [String]
    let podSyncs: ControllerBuilder<Pod>
    let heartbeats: ControllerBuilder<Node>

    /// Registers both with `reconciler`, which tells a node key (heartbeat) from a pod key by
    /// its namespace; registers neither if either name is taken. Returns the pods' controller.
    @discardableResult
    public func complete(_ reconciler: some Reconciler) throws -> Controller {
        let taken = Set(manager.controllerNames).union(manager.runnableNames)
        for name in names where taken.contains(name) {
            throw ManagerError.duplicateController(name)
        }
        let controller = try podSyncs.complete(reconciler)
        _ = try heartbeats.complete(reconciler)
        return controller
    }
}
