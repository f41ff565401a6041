import BosunRuntime

/// kube-controller-manager's node lifecycle controller: watches each node's heartbeats (its
/// Lease in `kube-node-lease` and its Ready condition), marks a node whose kubelet went silent
/// `Unknown`, and keeps the `not-ready` / `unreachable` taints in step with the Ready
/// condition. Evicting the pods of a tainted node is the ``TaintEvictionController``'s job.
///
/// Every node is looked at again each ``Options/monitorPeriod``; a node is silent when neither
/// its Lease nor its Ready condition's heartbeat moved for ``Options/gracePeriod``.
public struct NodeLifecycleController: Reconciler {
    public struct Options: Sendable {
        /// How often each node is checked (upstream `--node-monitor-period`).
        public var monitorPeriod: Duration
        /// How long a node may stay silent before it is `Unknown` (`--node-monitor-grace-period`).
        public var gracePeriod: Duration

        public init(monitorPeriod: Duration = .seconds(5), gracePeriod: Duration = .seconds(40)) {
            self.monitorPeriod = monitorPeriod
            self.gracePeriod = gracePeriod
        }
    }

    public static let name = "node-lifecycle"
    let options: Options
    let leases: Informer<Lease>
    let pods: Informer<Pod>

    /// Registers the controller (and the informers it reads) with `manager`.
    @discardableResult
    public static func register(with manager: Manager, options: Options = Options()) throws -> Controller {
        let leases = manager.informer(for: Lease.self, namespace: "kube-node-lease").informer
        let pods = manager.informer(for: Pod.self).informer
        pods.indexByNodeName()
        // Leases are read at each node's periodic check, as upstream's monitorNodeHealth reads
        // them; a renewal enqueues nothing (a renewed Lease only makes a node healthier, and
        // 5,000 nodes renew 500 times a second). Watched only so that no check runs before
        // the Leases are loaded: one would find old Ready heartbeats and no Lease, and mark
        // healthy nodes Unknown after a restart.
        return try manager.controller(for: Node.self)
            .named(name)
            .watches(Lease.self, namespace: "kube-node-lease") { _ in [] }
            .complete(NodeLifecycleController(options: options, leases: leases, pods: pods))
    }

    public func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard var node = try await context.client.getIfPresent(Node.self, namespace: nil, name: request.name) else {
            return .done
        }
        let now = context.clock.now()
        let original = node
        if isSilent(node, now: now) { markUnknown(&node, now: now) }
        if node.status != original.status {
            node = try await context.client.updateStatus(node)
            let silence = lastHeartbeat(original).map { "\($0.duration(to: now).components.seconds) s" } ?? "always"
            context.logger.info("node stopped posting status; marked Unknown", metadata: ["silentFor": "\(silence)"])
            context.events.event(for: node, type: .normal, reason: "NodeNotReady", message: "Node \(node.name) status is now: NodeNotReady")
            try await markPodsNotReady(on: node.name, now: now, context)
        }
        let tainted = reconcileTaints(node, now: now)
        if tainted.spec.taints != node.spec.taints {
            _ = try await context.client.update(tainted)
        }
        return .requeue(after: Self.untilNextCheck(after: options.monitorPeriod, now: now))
    }

    /// `period`, stretched to end on a tenth of a second: nodes due within the same tenth share
    /// one timer firing (5,000 nodes, each checked every 5 s at its own moment, fired the work
    /// queue's timer 1,000 times a second). A check comes at most 100 ms late.
    static func untilNextCheck(after period: Duration, now: Time) -> Duration {
        now.duration(to: now.advanced(by: period).roundedUpToTenthOfASecond)
    }

    /// The last sign of life: the Lease's renewTime or the Ready condition's heartbeat, whichever
    /// is later; the node's creation if there is neither.
    private func lastHeartbeat(_ node: Node) -> Time? {
        var latest = node.metadata.creationTimestamp
        if let ready = node.status.conditions?.first(where: { $0.type == "Ready" }), let heartbeat = ready.lastHeartbeatTime {
            latest = max(latest ?? heartbeat, heartbeat)
        }
        if let renewed = leases.get(namespace: "kube-node-lease", name: node.name)?.spec.renewTime {
            let renewTime = Time(renewed)
            latest = max(latest ?? renewTime, renewTime)
        }
        return latest
    }

    private func isSilent(_ node: Node, now: Time) -> Bool {
        guard let last = lastHeartbeat(node) else { return false }
        return last.duration(to: now) > options.gracePeriod
    }

    /// Sets every node condition to Unknown, as `tryUpdateNodeHealth` does for a silent kubelet.
    private func markUnknown(_ node: inout Node, now: Time) {
        let neverPosted = !(node.status.conditions ?? []).contains { $0.type == "Ready" }
        var conditions = node.status.conditions ?? []
        for type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
            let index = conditions.firstIndex { $0.type == type }
            if let index, conditions[index].status == "Unknown" { continue }
            var condition = index.map { conditions[$0] } ?? NodeCondition(status: "Unknown", type: type)
            condition.status = "Unknown"
            condition.reason = neverPosted ? "NodeStatusNeverUpdated" : "NodeStatusUnknown"
            condition.message = neverPosted ? "Kubelet never posted node status." : "Kubelet stopped posting node status."
            condition.lastTransitionTime = now.truncatedToSeconds
            if condition.lastHeartbeatTime == nil { condition.lastHeartbeatTime = node.metadata.creationTimestamp }
            if let index { conditions[index] = condition } else { conditions.append(condition) }
        }
        node.status.conditions = conditions
    }

    /// The node with the `not-ready` / `unreachable` taints (NoSchedule and NoExecute) matching
    /// its Ready condition: False → not-ready, Unknown → unreachable, True → neither.
    private func reconcileTaints(_ node: Node, now: Time) -> Node {
        let ready = node.status.conditions?.first { $0.type == "Ready" }?.status
        let wanted: String? = switch ready {
        case "False": NodeTaints.notReady
        case "Unknown": NodeTaints.unreachable
        default: nil
        }
        var taints = (node.spec.taints ?? []).filter { !NodeTaints.managedKeys.contains($0.key) || $0.key == wanted }
        if let wanted {
            for effect in ["NoSchedule", "NoExecute"] where !taints.contains(where: { $0.key == wanted && $0.effect == effect }) {
                taints.append(Taint(effect: effect, key: wanted, timeAdded: effect == "NoExecute" ? now.truncatedToSeconds : nil))
            }
        }
        var result = node
        result.spec.taints = taints.isEmpty ? nil : taints
        if node.spec.taints == nil && taints.isEmpty { result.spec.taints = nil }
        return result
    }

    /// Sets Ready=False on the pods of a node that went Unknown (`MarkPodsNotReady`).
    private func markPodsNotReady(on nodeName: String, now: Time, _ context: ReconcileContext) async throws {
        for var pod in pods.byIndex(Indexers.nodeName, nodeName) {
            guard var conditions = pod.status.conditions,
                  let index = conditions.firstIndex(where: { $0.type == "Ready" }), conditions[index].status != "False"
            else { continue }
            conditions[index].status = "False"
            conditions[index].lastTransitionTime = now.truncatedToSeconds
            pod.status.conditions = conditions
            do {
                _ = try await context.client.updateStatus(pod)
            } catch let error as APIError where error.code == 404 || error.code == 409 {
                // Gone or changed meanwhile: the next pass sees it again.
            }
        }
    }
}
