import BosunRuntime
import Synchronization

/// kube-controller-manager's pod garbage collector. Every ``Options/checkPeriod`` (20 s) it
/// force-deletes (grace period 0):
///
/// - terminated pods beyond ``Options/terminatedPodThreshold``, evicted ones first, then the
///   oldest (PGC-1);
/// - pods bound to a node that has been missing for ``Options/quarantineTime`` (confirmed with
///   an uncached GET), after adding `DisruptionTarget` (reason `DeletionByPodGC`) (PGC-2);
/// - terminating pods that were never scheduled (PGC-3);
/// - terminating pods on a not-ready node tainted `node.kubernetes.io/out-of-service` (PGC-4).
///
/// A pod not yet Succeeded or Failed is marked Failed before it is deleted (PGC-5), so that a
/// Job counting failed pods sees it.
///
/// The pass does not list and decode every pod: a handler on the shared pod informer keeps the
/// few facts the checks need (which pods are terminated, which are terminating, which nodes
/// pods are bound to), and only the pods about to be deleted are read.
public final class PodGCController: Sendable {
    public struct Options: Sendable {
        /// Terminated pods kept before the oldest are deleted; 0 turns that check off (upstream
        /// `--terminated-pod-gc-threshold`).
        public var terminatedPodThreshold: Int
        /// How often the checks run.
        public var checkPeriod: Duration
        /// How long a node must stay missing before its pods are deleted.
        public var quarantineTime: Duration

        public init(terminatedPodThreshold: Int = 12_500, checkPeriod: Duration = .seconds(20), quarantineTime: Duration = .seconds(40)) {
            self.terminatedPodThreshold = terminatedPodThreshold
            self.checkPeriod = checkPeriod
            self.quarantineTime = quarantineTime
        }
    }

    public static let name = "pod-garbage-collector"
    static let outOfServiceTaint = "node.kubernetes.io/out-of-service"

    let options: Options
    let client: CachedClient
    let api: any Client
    let clock: any RuntimeClock
    let logger: Logger
    let pods: Informer<Pod>
    let nodes: Informer<Node>
    private let state = Mutex(State())

    private struct State {
        var facts = PodGCLedger()
        /// Node names seen missing, and since when (upstream's delaying `nodeQueue`).
        var quarantine: [String: Time] = [:]
        var passes = 0
    }

    init(manager: Manager, options: Options, pods: Informer<Pod>, nodes: Informer<Node>) {
        self.options = options
        client = manager.client
        api = manager.api
        clock = manager.clock
        var logger = manager.logger
        logger[metadataKey: "controller"] = "\(Self.name)"
        self.logger = logger
        self.pods = pods
        self.nodes = nodes
    }

    /// Registers the controller (and the informers it reads) with `manager`.
    @discardableResult
    public static func register(with manager: Manager, options: Options = Options()) throws -> PodGCController {
        let pods = manager.informer(for: Pod.self).informer
        let nodes = manager.informer(for: Node.self).informer
        pods.indexByNodeName()
        let controller = PodGCController(manager: manager, options: options, pods: pods, nodes: nodes)
        pods.addHandler { [weak controller] event in controller?.record(event) }
        try manager.add(Runnable(
            name: name,
            waitForSync: {
                await pods.waitForSync()
                await nodes.waitForSync()
            },
            hasSynced: { pods.hasSynced && nodes.hasSynced },
            run: { await controller.run() }))
        return controller
    }

    /// How many passes have finished: tests wait on it instead of sleeping.
    public var completedPasses: Int { state.withLock { $0.passes } }

    /// A pass now, then one every check period (on the deadline, so a pass that ran late does
    /// not push the next ones back).
    private func run() async {
        var next = clock.now()
        while !Task.isCancelled {
            await collect()
            next = next.advanced(by: options.checkPeriod)
            let now = clock.now()
            if next < now { next = now }
            do { try await clock.sleep(until: next) } catch { return }
        }
    }

    private func record(_ event: InformerEvent<Pod>) {
        state.withLock { s in
            switch event.change {
            case .added(let pod):
                s.facts.add(pod)
            case .updated(let old, let new):
                s.facts.remove(old)
                s.facts.add(new)
            case .deleted(let pod):
                s.facts.remove(pod)
            }
        }
    }

    // MARK: The pass

    func collect() async {
        let facts = state.withLock { $0.facts }
        if options.terminatedPodThreshold > 0 { await collectTerminated(facts) }
        await collectTerminatingOutOfService(facts)
        await collectOrphaned(facts)
        await collectUnscheduledTerminating(facts)
        state.withLock { $0.passes += 1 }
    }

    /// PGC-1: the terminated pods beyond the threshold, evicted first, then oldest.
    private func collectTerminated(_ facts: PodGCLedger) async {
        let excess = facts.terminated.count - options.terminatedPodThreshold
        guard excess > 0 else { return }
        logger.info("garbage collecting terminated pods", metadata: ["count": "\(excess)"])
        let victims = facts.terminated.sorted { a, b in
            if a.value.evicted != b.value.evicted { return a.value.evicted }
            if a.value.created != b.value.created { return (a.value.created ?? Time(secondsSinceEpoch: 0)) < (b.value.created ?? Time(secondsSinceEpoch: 0)) }
            return a.key.name < b.key.name
        }.prefix(excess).map(\.key)
        await forEachConcurrently(victims) { name in
            guard let pod = self.pods.get(name) else { return }
            await self.markFailedAndDelete(pod)
        }
    }

    /// PGC-4: terminating pods on a not-ready node with the out-of-service taint.
    private func collectTerminatingOutOfService(_ facts: PodGCLedger) async {
        var victims: [Pod] = []
        for (name, nodeName) in facts.terminating where !nodeName.isEmpty {
            guard let node = nodes.get(name: nodeName), !node.isReady,
                  node.spec.taints?.contains(where: { $0.key == Self.outOfServiceTaint }) == true,
                  let pod = pods.get(name)
            else { continue }
            victims.append(pod)
        }
        guard !victims.isEmpty else { return }
        logger.info("garbage collecting pods terminating on out-of-service nodes", metadata: ["count": "\(victims.count)"])
        await forEachConcurrently(Self.evictedThenOldest(victims)) { await self.markFailedAndDelete($0) }
    }

    /// PGC-2: pods bound to nodes missing for the quarantine time.
    private func collectOrphaned(_ facts: PodGCLedger) async {
        let now = clock.now()
        let missing = facts.podsPerNode.keys.filter { nodes.get(name: $0) == nil }
        let due = state.withLock { s -> [String] in
            for name in missing where s.quarantine[name] == nil { s.quarantine[name] = now }
            let due = s.quarantine.filter { $0.value.advanced(by: options.quarantineTime) <= now }.map(\.key)
            for name in due { s.quarantine[name] = nil }
            return due
        }
        var deletedNodes: [String] = []
        for name in due.sorted() where nodes.get(name: name) == nil {
            do {
                if try await api.getIfPresent(Node.self, namespace: nil, name: name) == nil { deletedNodes.append(name) }
            } catch {
                // Quarantined again on the next pass if still missing.
                logger.warning("getting a missing node failed", metadata: ["node": "\(name)", "error": "\(error)"])
            }
        }
        for nodeName in deletedNodes {
            for pod in pods.byIndex(Indexers.nodeName, nodeName) {
                logger.info("deleting a pod bound to a node that no longer exists", metadata: ["pod": "\(pod.key)", "node": "\(nodeName)"])
                let condition = PodCondition(status: "True", type: "DisruptionTarget", message: "PodGC: node no longer exists",
                                             reason: "DeletionByPodGC")
                await markFailedAndDelete(pod, condition: condition)
            }
        }
    }

    /// PGC-3: terminating pods never bound to a node.
    private func collectUnscheduledTerminating(_ facts: PodGCLedger) async {
        for (name, nodeName) in facts.terminating.sorted(by: { $0.key < $1.key }) where nodeName.isEmpty {
            guard let pod = pods.get(name) else { continue }
            logger.info("deleting an unscheduled terminating pod", metadata: ["pod": "\(pod.key)"])
            await markFailedAndDelete(pod)
        }
    }

    // MARK: Deleting

    /// Marks a pod that is not yet Succeeded or Failed as Failed (with `condition`), then
    /// deletes it with grace period 0 (PGC-5).
    private func markFailedAndDelete(_ pod: Pod, condition: PodCondition? = nil) async {
        let namespace = pod.metadata.namespace ?? ""
        do {
            if pod.status.phase != "Succeeded" && pod.status.phase != "Failed" {
                var status: JSONObject = ["phase": "Failed"]
                if var condition {
                    let now = clock.now().truncatedToSeconds
                    let existing = pod.status.conditions?.first { $0.type == condition.type }
                    condition.lastTransitionTime = existing?.status == condition.status ? existing?.lastTransitionTime : now
                    status["conditions"] = .array([condition.jsonValue()])
                }
                let patch: JSONValue = ["metadata": ["uid": .string(pod.metadata.uid ?? "")], "status": .object(status)]
                _ = try await client.patch(Pod.self, namespace: namespace, name: pod.name, .strategic, patch, subresource: "status")
            }
            try await client.delete(Pod.self, namespace: namespace, name: pod.name, options: DeleteOptions(gracePeriodSeconds: 0))
            logger.info("force-deleted pod", metadata: ["pod": "\(pod.key)"])
        } catch let error as APIError where error.code == 404 {
            // Gone already.
        } catch {
            logger.warning("force-deleting a pod failed", metadata: ["pod": "\(pod.key)", "error": "\(error)"])
        }
    }

    private func forEachConcurrently<T: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for item in items { group.addTask { await body(item) } }
        }
    }

    /// Evicted pods first, then the oldest, then by name (upstream's `byEvictionAndCreationTimestamp`).
    static func evictedThenOldest(_ pods: [Pod]) -> [Pod] {
        pods.sorted { a, b in
            if a.isEvicted != b.isEvicted { return a.isEvicted }
            let (x, y) = (a.metadata.creationTimestamp, b.metadata.creationTimestamp)
            if x != y { return (x ?? Time(secondsSinceEpoch: 0)) < (y ?? Time(secondsSinceEpoch: 0)) }
            return a.name < b.name
        }
    }
}

/// What the pod checks need to know of every pod, kept up to date by the informer's events.
struct PodGCLedger: Sendable {
    struct Terminated: Sendable, Equatable {
        var evicted: Bool
        var created: Time?
    }

    /// Pods whose phase is neither Pending, Running nor Unknown.
    var terminated: [ObjectName: Terminated] = [:]
    /// Pods being deleted, with the node they are bound to ("" if none).
    var terminating: [ObjectName: String] = [:]
    /// How many pods each node name is bound to: the nodes whose existence matters.
    var podsPerNode: [String: Int] = [:]

    mutating func add(_ pod: Pod) {
        let name = ObjectName(of: pod)
        if pod.isTerminated { terminated[name] = Terminated(evicted: pod.isEvicted, created: pod.metadata.creationTimestamp) }
        if pod.metadata.deletionTimestamp != nil { terminating[name] = pod.spec.nodeName ?? "" }
        if let node = pod.spec.nodeName, !node.isEmpty { podsPerNode[node, default: 0] += 1 }
    }

    mutating func remove(_ pod: Pod) {
        let name = ObjectName(of: pod)
        terminated[name] = nil
        terminating[name] = nil
        if let node = pod.spec.nodeName, !node.isEmpty, let count = podsPerNode[node] {
            podsPerNode[node] = count > 1 ? count - 1 : nil
        }
    }
}

extension Pod {
    /// Neither Pending, Running nor Unknown (upstream PodGC's `isPodTerminated`).
    var isTerminated: Bool {
        let phase = status.phase ?? ""
        return phase != "Pending" && phase != "Running" && phase != "Unknown"
    }

    /// Failed with reason Evicted, as the kubelet's evictions leave a pod.
    var isEvicted: Bool { status.phase == "Failed" && status.reason == "Evicted" }
}

extension Node {
    /// The Ready condition is True.
    var isReady: Bool { status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true }
}
