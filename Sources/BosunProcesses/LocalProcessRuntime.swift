import BosunKit
import BosunNodes
import Foundation
import Synchronization

/// The local node runtime (`process`): the kubelet of every Node labelled
/// `bosun.dev/runtime=process` — normally just `local`, this machine — running the pods bound
/// to it as real processes.
///
/// ```swift
/// let local = try LocalProcessRuntime.register(with: manager)
/// ```
///
/// **Nodes.** A node gets this machine's capacity (cores, physical memory, 110 pods), addresses
/// (`127.0.0.1` and the host name), `nodeInfo` (kernel, OS, architecture, machine and boot ids)
/// and Ready=True; its Lease in `kube-node-lease` is renewed every 10 s and its status posted
/// when it changed or every 5 minutes, as a kubelet does.
///
/// **Pods.** Init containers run one at a time, each to completion; a failing one is retried
/// with the restart backoff, or fails the pod under `restartPolicy: Never`. Then every container
/// starts:
///
/// - A container with a `command` runs it as a process (`command` followed by `args`, `$(VAR)`
///   expanded), in its own process group, with the environment a kubelet resolves
///   (``ContainerEnvironment``: `env` with `valueFrom`, `envFrom`; on top of `PATH` and
///   `HOSTNAME`) and `workingDir`; its output is its log
///   (``logs(namespace:pod:container:previous:)``). A ConfigMap or Secret it needs that is
///   missing keeps it waiting in `CreateContainerConfigError`. Its startup, liveness and
///   readiness probes (`exec`, `httpGet`, `tcpSocket`) run as the kubelet's
///   (``ContainerProber``); without a readiness probe it is `ready` while it runs.
/// - **A container without a `command` has nothing to run**: there is no image runtime, so no
///   image entrypoint. It is reported Running and ready until the pod is deleted — as if it
///   were a pause container — so a Deployment of `nginx` becomes Available, though nothing
///   serves port 80. `args` without `command` are ignored for the same reason.
///
/// An exit is reported as Kubernetes does (`terminated` with the exit code, 128 + signal for a
/// signal, reason `Completed` or `Error`; an executable that cannot start is exit code 128,
/// reason `StartError`), and the restart policy decides what follows: `Always` restarts any
/// exit, `OnFailure` a non-zero one, with `CrashLoopBackOff` as in ``ContainerRestartBackoff``
/// (the previous run becomes `lastState`); otherwise the pod ends Succeeded or Failed. Phase and
/// conditions are ``KubeletPodStatus``'s; `hostIP` and `podIP` are `127.0.0.1`: pods share the
/// host's network.
///
/// **Deletion.** A pod being deleted has its processes stopped as the kubelet stops containers
/// (SIGTERM to each process group, SIGKILL after the pod's `deletionGracePeriodSeconds`), then
/// its final status is written and it is removed (deleted again with grace period 0).
///
/// **No process outlives its pod or Bosun**: a pod that vanishes (force-deleted, moved away
/// from the node) has its processes stopped; stopping the manager, or ``shutdown()``, stops
/// every process (SIGKILL after ``LocalProcessRuntimeOptions/shutdownGracePeriod`` at most); and
/// if Bosun dies outright, the kernel kills each container's leader (``ContainerProcess``).
/// This runtime is the adopter of orphaned processes, so what a container leaves behind is
/// reaped.
///
/// Not supported (yet): volumes other than claims and hostPath (``PodVolumes``; processes see
/// the host's file system), `grpc` probes, resource limits, `lifecycle` hooks. After Bosun restarts, a pod it was running finds its
/// processes gone: they are reported exited (137, `ContainerStatusUnknown`) and the restart
/// policy applies; logs of earlier runs are not kept across restarts.
public final class LocalProcessRuntime: NodeRuntime {
    /// The `bosun.dev/runtime` value of local-process nodes.
    public static let runtimeName = "process"
    /// The name of the local node `bosun up` creates.
    public static let localNodeName = "local"
    /// The name of the controller this runtime registers.
    public static let controllerName = "process-kubelet"
    /// The runnable that stops every process when the manager stops.
    static let shutdownName = "process-kubelet-shutdown"
    /// Where pods and nodes are reached: pods share the host's network.
    static let loopback = "127.0.0.1"

    public var name: String { Self.runtimeName }
    public let options: LocalProcessRuntimeOptions

    struct State {
        /// Nodes labelled for this runtime, as the Node informer last told.
        var nodes: [String: KubeletNodeState] = [:]
        /// Nodes whose kubelet is stopped (``stop(node:)``).
        var silent: Set<String> = []
        var pods: [ObjectName: PodRun] = [:]
        /// Every process running, by instance: what a shutdown stops.
        var live: [ObjectIdentifier: ContainerInstance] = [:]
        /// Probe workers, by instance.
        var probes: [ObjectIdentifier: [Task<Void, Never>]] = [:]
        /// False once shut down: a process started after that is stopped at once.
        var accepting = true
    }

    struct Wiring: Sendable {
        var nodes: InformerLease<Node>
        var pods: InformerLease<Pod>
        var controller: Controller?
        var clock: any RuntimeClock
    }

    let state = Mutex(State())
    let wiring = Mutex<Wiring?>(nil)
    let machine = MachineInfo.current()

    let heartbeat: KubeletNodeHeartbeat

    public init(options: LocalProcessRuntimeOptions = LocalProcessRuntimeOptions()) {
        self.options = options
        heartbeat = KubeletNodeHeartbeat(options)
    }

    /// Makes a local-process runtime and registers it with `manager`.
    @discardableResult
    public static func register(with manager: Manager, options: LocalProcessRuntimeOptions = LocalProcessRuntimeOptions()) throws -> LocalProcessRuntime {
        let runtime = LocalProcessRuntime(options: options)
        try runtime.register(with: manager)
        return runtime
    }

    /// The Node `local` (or `name`), labelled for this runtime: what `bosun up` creates unless
    /// told not to.
    public static func localNode(named name: String = localNodeName) -> Node {
        Node(metadata: ObjectMeta(labels: [NodeRuntimeLabel.key: runtimeName], name: name))
    }

    /// Creates the Node `local` (or `name`) unless a Node of that name exists.
    public static func ensureLocalNode(named name: String = localNodeName, using client: any Client) async throws {
        guard try await client.getIfPresent(Node.self, namespace: nil, name: name) == nil else { return }
        do {
            _ = try await client.create(localNode(named: name))
        } catch let error as APIError where error.code == 409 {
            // Created meanwhile: what was wanted.
        }
    }

    /// Registers the `process-kubelet` controller (its keys are the pods bound to this runtime's
    /// nodes), `process-kubelet-heartbeat` (its keys are the nodes) and a runnable that stops
    /// every process when the manager stops.
    public func register(with manager: Manager) throws {
        ContainerProcess.adoptOrphans()
        let nodes = manager.informer(for: Node.self)
        let pods = manager.informer(for: Pod.self)
        pods.informer.indexByNodeName()
        let installed = wiring.withLock { w -> Bool in
            guard w == nil else { return false }
            w = Wiring(nodes: nodes, pods: pods, controller: nil, clock: manager.clock)
            return true
        }
        guard installed else {
            nodes.release()
            pods.release()
            throw ManagerError.duplicateController(Self.controllerName)
        }
        let builder = KubeletNodeHeartbeat.controllers(
            in: manager, named: Self.controllerName, pods: pods.informer, concurrency: options.concurrency,
            admitsPod: { [weak self] event in self?.admitsPodEvent(event) ?? false },
            observesNode: { [weak self] event in self?.observeNode(event) ?? false },
            fansOutToPods: { [weak self] event in self?.fansOutToPods(event) ?? false })
        do {
            let controller = try builder.complete(LocalKubelet(runtime: self))
            wiring.withLock { $0?.controller = controller }
            try manager.add(Runnable(name: Self.shutdownName) { [weak self] in
                self?.state.withLock { $0.accepting = true }
                // Parked until the manager stops (or loses leadership): a wait, not a timer.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(86_400)) }
                await self?.shutdown()
            })
        } catch {
            wiring.withLock { $0 = nil }
            nodes.release()
            pods.release()
            throw error
        }
    }

    /// Removes the controller from `manager`, stops every process and lets go of the informers.
    public func unregister(from manager: Manager) async {
        await manager.remove(controller: Self.controllerName)
        await manager.remove(controller: KubeletNodeHeartbeat.heartbeatControllerName(Self.controllerName))
        await manager.remove(runnable: Self.shutdownName)
        await shutdown()
        let released = wiring.withLock { w -> Wiring? in
            defer { w = nil }
            return w
        }
        released?.nodes.release()
        released?.pods.release()
    }

    /// Stops every container process (SIGTERM, then SIGKILL after the pod's grace period or
    /// ``LocalProcessRuntimeOptions/shutdownGracePeriod``, whichever is shorter) and forgets
    /// the pods; returns once all have ended. Processes started afterwards by a reconcile still
    /// under way are stopped at once. The manager calls this when it stops.
    public func shutdown() async {
        let (instances, graces, probes) = state.withLock { s -> ([ContainerInstance], [ObjectIdentifier: Duration], [Task<Void, Never>]) in
            s.accepting = false
            var graces: [ObjectIdentifier: Duration] = [:]
            for run in s.pods.values {
                for instance in run.running { graces[ObjectIdentifier(instance)] = run.grace }
            }
            s.pods = [:]
            defer { s.probes = [:] }
            return (Array(s.live.values), graces, s.probes.values.flatMap { $0 })
        }
        for probe in probes { probe.cancel() }
        let clock: any RuntimeClock = wiring.withLock { $0?.clock } ?? SystemRuntimeClock()
        let cap = options.shutdownGracePeriod
        await withTaskGroup(of: Void.self) { group in
            for instance in instances {
                let grace = min(graces[ObjectIdentifier(instance)] ?? cap, cap)
                group.addTask { await instance.stop(grace: grace, clock: clock) }
            }
        }
    }

    // MARK: Node failures

    /// Silences `node`'s kubelet: no more heartbeats or pod reports (its processes go on running).
    public func stop(node: String) {
        state.withLock { s in
            s.silent.insert(node)
            s.nodes[node]?.dirty = true
        }
    }

    /// Brings back a stopped node's kubelet.
    public func restart(node: String) {
        state.withLock { s in
            guard s.silent.remove(node) != nil else { return }
            s.nodes[node]?.dirty = true
            s.nodes[node]?.forceReport = true
            s.nodes[node]?.wakePods = true
        }
    }

    func isSilent(_ node: String) -> Bool {
        state.withLock { $0.silent.contains(node) }
    }

    // MARK: Event filters

    /// Keeps the set of this runtime's nodes current; admits their events (and the deletion or
    /// relabelling of one, so its key is cleaned up).
    func observeNode(_ event: InformerEvent<Node>) -> Bool {
        let ours = owns(event.object)
        return state.withLock { KubeletNodeState.observe(event, ours: ours, in: &$0.nodes) }
    }

    /// Whether a Node event must re-sync the pods bound to the node: it became ours, stopped
    /// being ours (its pods must stop), or its kubelet came back from a stop.
    func fansOutToPods(_ event: InformerEvent<Node>) -> Bool {
        switch event.change {
        case .added(let node):
            return owns(node)
        case .deleted(let node):
            return owns(node)
        case .updated(let old, let new):
            if owns(old) != owns(new) { return true }
            guard owns(new) else { return false }
            return state.withLock { s in
                guard s.nodes[new.name]?.wakePods == true, !s.silent.contains(new.name) else { return false }
                s.nodes[new.name]?.wakePods = false
                return true
            }
        }
    }

    /// Pod events that matter to this kubelet: pods bound to its nodes appearing, going, moving
    /// or being deleted — not the status writes it makes itself (unless readiness gates make
    /// another writer's conditions matter). A pod it runs that moves away is admitted too.
    func admitsPodEvent(_ event: InformerEvent<Pod>) -> Bool {
        let pod = event.object
        let key = ObjectName(of: pod)
        let (onOurNode, running) = state.withLock { s in
            (pod.spec.nodeName.map { s.nodes[$0] != nil } ?? false, s.pods[key] != nil)
        }
        guard onOurNode || running else { return false }
        guard case .updated(let old, let new) = event.change else { return true }
        return old.spec.nodeName != new.spec.nodeName
            || old.metadata.uid != new.metadata.uid
            || old.metadata.deletionTimestamp != new.metadata.deletionTimestamp
            || (!(new.spec.readinessGates ?? []).isEmpty && old.status.conditions != new.status.conditions)
    }

    func owns(_ node: Node) -> Bool {
        node.metadata.labels?[NodeRuntimeLabel.key] == Self.runtimeName
            && (options.nodeName == nil || node.metadata.name == options.nodeName)
    }
}
