import Synchronization

/// The simulated node runtime: an in-process kubelet for every Node labelled
/// `bosun.dev/runtime=simulated`, as kwok does — thousands of nodes and pods with no machines.
///
/// ```swift
/// let simulated = try SimulatedNodes.register(with: manager)
/// ```
///
/// **Nodes.** Each simulated node gets a status (capacity and allocatable from
/// ``SimulatedNodesOptions/capacity`` unless the Node sets them; addresses; nodeInfo; Ready=True
/// with reason `KubeletReady` and the pressure conditions False) and heartbeats as a kubelet
/// does: its Lease in `kube-node-lease` is renewed every 10 s, and its status is posted when it
/// changed or every 5 minutes, moving the conditions' `lastHeartbeatTime`.
///
/// **Pods** bound to a simulated node (`spec.nodeName`) run as ``SimulatedPodBehavior`` (the
/// `sim.bosun.dev/...` annotations) says: Pending → Running with container statuses, addresses
/// and the kubelet's conditions; containers exit after `run-seconds` with `exit-code`, and the
/// restart policy decides what follows (`Always` restarts any exit and `OnFailure` a non-zero
/// one, with CrashLoopBackOff as in ``ContainerRestartBackoff``; otherwise the pod ends
/// Succeeded or Failed). A deleted pod's containers stop at once (exit code 143) and the pod is
/// removed (deleted again with grace period 0), as a kubelet finishes a graceful deletion.
///
/// **Cost.** Pods are the keys of one controller and nodes of another (`simulated-kubelet-heartbeat`,
/// so that a burst of pod work never delays a heartbeat past the node monitor's grace period);
/// each has one work queue — one deadline heap and one sleeping timer task — for every container
/// timer or every heartbeat: no task per node or pod. A pod's state lives in its status; memory
/// holds only its address and, while it crash-loops, its backoff. A heartbeat touches only the
/// Lease unless the node changed.
///
/// **Node failures, for node-lifecycle tests.**
/// - ``stop(node:)``: the kubelet goes silent, as when a machine drops off the network: no
///   more lease renewals or status posts, and its pods' statuses freeze (their containers go on
///   running; nothing is reported). The node lifecycle controller sees the Lease expire.
/// - ``fail(node:message:)``: the kubelet keeps heartbeating but reports the node
///   `Ready=False` (reason `KubeletNotReady`), as when its container runtime is down.
/// - ``restart(node:)``: the kubelet comes back: it posts its status (Ready=True) and renews
///   its Lease, and its pods report what happened meanwhile (containers that exited while the
///   node was silent show their real exit times).
///
/// Each takes effect at the node's next heartbeat, within one ``SimulatedNodesOptions/leaseRenewInterval``
/// (10 s); pods of a restarted node resume within the same interval.
public final class SimulatedNodes: NodeRuntime {
    /// The `bosun.dev/runtime` value of simulated nodes.
    public static let runtimeName = "simulated"
    /// The name of the controller this runtime registers.
    public static let controllerName = "simulated-kubelet"

    public var name: String { Self.runtimeName }
    public let options: SimulatedNodesOptions

    /// What the kubelet of a node is doing.
    public enum NodeMode: Sendable, Hashable {
        case running
        /// Silent: no heartbeats, pods not reported.
        case stopped
        /// Heartbeating, reporting Ready=False with this message.
        case failed(String)
    }

    struct PodMemory {
        var uid: String
        var backoffs: [String: ContainerRestartBackoff]
    }

    struct State {
        /// Nodes labelled for this runtime, as the Node informer last told.
        var nodes: [String: KubeletNodeState] = [:]
        var modes: [String: NodeMode] = [:]
        /// Only pods whose containers are backing off.
        var pods: [ObjectName: PodMemory] = [:]
    }

    struct Wiring: Sendable {
        var nodes: InformerLease<Node>
        var pods: InformerLease<Pod>
    }

    let state = Mutex(State())
    let wiring = Mutex<Wiring?>(nil)
    let podAddresses = FakeAddresses.pods()
    let nodeAddresses = FakeAddresses.nodes()

    let heartbeat: KubeletNodeHeartbeat

    public init(options: SimulatedNodesOptions = SimulatedNodesOptions()) {
        self.options = options
        heartbeat = KubeletNodeHeartbeat(options)
    }

    /// Makes a simulated runtime and registers it with `manager`.
    @discardableResult
    public static func register(with manager: Manager, options: SimulatedNodesOptions = SimulatedNodesOptions()) throws -> SimulatedNodes {
        let runtime = SimulatedNodes(options: options)
        try runtime.register(with: manager)
        return runtime
    }

    /// Registers the `simulated-kubelet` controller, whose keys are the pods bound to simulated
    /// nodes, and `simulated-kubelet-heartbeat`, whose keys are the nodes.
    public func register(with manager: Manager) throws {
        let nodes = manager.informer(for: Node.self)
        let pods = manager.informer(for: Pod.self)
        pods.informer.indexByNodeName()
        let installed = wiring.withLock { w -> Bool in
            guard w == nil else { return false }
            w = Wiring(nodes: nodes, pods: pods)
            return true
        }
        guard installed else {
            nodes.release()
            pods.release()
            throw ManagerError.duplicateController(Self.controllerName)
        }
        let builder = KubeletNodeHeartbeat.controllers(
            in: manager, named: Self.controllerName, pods: pods.informer, concurrency: options.concurrency ?? SimulatedNodesOptions.defaultConcurrency,
            admitsPod: { [weak self] event in self?.admitsPodEvent(event) ?? false },
            observesNode: { [weak self] event in self?.observeNode(event) ?? false },
            fansOutToPods: { [weak self] event in self?.fansOutToPods(event) ?? false })
        do {
            try builder.complete(SimulatedKubelet(runtime: self))
        } catch {
            wiring.withLock { $0 = nil }
            nodes.release()
            pods.release()
            throw error
        }
    }

    /// Removes the controller from `manager` and lets go of the informers.
    public func unregister(from manager: Manager) async {
        await manager.remove(controller: Self.controllerName)
        await manager.remove(controller: KubeletNodeHeartbeat.heartbeatControllerName(Self.controllerName))
        let released = wiring.withLock { w -> Wiring? in
            defer { w = nil }
            return w
        }
        released?.nodes.release()
        released?.pods.release()
    }

    // MARK: Node failures

    /// Silences `node`'s kubelet (see the type's documentation).
    public func stop(node: String) {
        setMode(.stopped, of: node)
    }

    /// Makes `node`'s kubelet report `Ready=False` with `message` while it keeps heartbeating.
    public func fail(node: String, message: String = "container runtime is down") {
        setMode(.failed(message), of: node)
    }

    /// Brings back a stopped or failed node's kubelet.
    public func restart(node: String) {
        setMode(.running, of: node)
    }

    /// What `node`'s kubelet is doing.
    public func mode(of node: String) -> NodeMode {
        state.withLock { $0.modes[node] ?? .running }
    }

    private func setMode(_ mode: NodeMode, of node: String) {
        state.withLock { s in
            let wasStopped = s.modes[node] == .stopped
            if mode == .running { s.modes[node] = nil } else { s.modes[node] = mode }
            s.nodes[node]?.dirty = true
            if mode != .stopped { s.nodes[node]?.forceReport = true }
            if wasStopped && mode != .stopped { s.nodes[node]?.wakePods = true }
        }
    }

    // MARK: Event filters

    /// Keeps the set of simulated nodes current; admits events of simulated nodes (and the
    /// deletion or relabelling of one, so its key is cleaned up).
    func observeNode(_ event: InformerEvent<Node>) -> Bool {
        let simulated = isSimulated(event.object)
        return state.withLock { KubeletNodeState.observe(event, ours: simulated, in: &$0.nodes) }
    }

    /// Whether a Node event must re-sync the pods bound to the node: it became simulated, its
    /// readiness changed (one the node lifecycle controller gave up on), or its kubelet came
    /// back from a stop and posted its status.
    func fansOutToPods(_ event: InformerEvent<Node>) -> Bool {
        switch event.change {
        case .added(let node):
            return isSimulated(node)
        case .deleted:
            return false
        case .updated(let old, let new):
            guard isSimulated(new) else { return false }
            if !isSimulated(old) || Self.readyStatus(old) != Self.readyStatus(new) { return true }
            return state.withLock { s in
                guard s.nodes[new.name]?.wakePods == true, s.modes[new.name] != .stopped else { return false }
                s.nodes[new.name]?.wakePods = false
                return true
            }
        }
    }

    /// Pod events that matter to a kubelet: pods bound to a simulated node, when they appear,
    /// go, move, are being deleted or change their annotations — not the status writes this
    /// runtime makes itself (unless readiness gates make another writer's conditions matter).
    func admitsPodEvent(_ event: InformerEvent<Pod>) -> Bool {
        let pod = event.object
        guard let nodeName = pod.spec.nodeName, !nodeName.isEmpty else { return false }
        let known = state.withLock { $0.nodes[nodeName] != nil }
        guard known else {
            if case .deleted = event.change { return true }
            return false
        }
        guard case .updated(let old, let new) = event.change else { return true }
        return old.spec.nodeName != new.spec.nodeName
            || old.metadata.uid != new.metadata.uid
            || old.metadata.deletionTimestamp != new.metadata.deletionTimestamp
            || old.metadata.annotations != new.metadata.annotations
            || (!(new.spec.readinessGates ?? []).isEmpty && old.status.conditions != new.status.conditions)
    }

    func isSimulated(_ node: Node) -> Bool {
        node.metadata.labels?[NodeRuntimeLabel.key] == Self.runtimeName
    }

    static func readyStatus(_ node: Node) -> String? {
        node.status.conditions?.first { $0.type == "Ready" }?.status
    }
}
