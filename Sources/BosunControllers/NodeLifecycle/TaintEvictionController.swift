import BosunRuntime

/// kube-controller-manager's taint eviction controller (the NoExecute taint manager): deletes a
/// pod bound to a node with a NoExecute taint it does not tolerate, at once, or when the
/// shortest `tolerationSeconds` of the tolerations it relies on runs out (counted from the
/// taint's `timeAdded`). Pods tolerating every such taint without a limit stay.
///
/// Before deleting, it sets the pod's `DisruptionTarget` condition (reason
/// `DeletionByTaintManager`) and records a `TaintManagerEviction` event, as upstream does.
public struct TaintEvictionController: Reconciler {
    public static let name = "taint-eviction"
    let nodes: Informer<Node>

    /// Registers the controller with `manager`: it reconciles pods, and every pod of a node whose
    /// taints change.
    @discardableResult
    public static func register(with manager: Manager) throws -> Controller {
        let nodes = manager.informer(for: Node.self).informer
        let pods = manager.informer(for: Pod.self).informer
        pods.indexByNodeName()
        return try manager.controller(for: Pod.self)
            .named(name)
            .watches(Node.self, predicates: [.onUpdate { $0.spec.taints != $1.spec.taints }]) { node in
                pods.byIndex(Indexers.nodeName, node.name).map { ObjectName(of: $0) }
            }
            .complete(TaintEvictionController(nodes: nodes))
    }

    public func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let pod = try await context.client.getIfPresent(Pod.self, namespace: request.namespace, name: request.name),
              pod.metadata.deletionTimestamp == nil, let nodeName = pod.spec.nodeName, !nodeName.isEmpty,
              let node = nodes.get(name: nodeName)
        else { return .done }
        let taints = (node.spec.taints ?? []).filter { $0.effect == "NoExecute" }
        guard !taints.isEmpty else { return .done }
        guard let seconds = pod.noExecuteTolerationSeconds(for: taints) else {
            try await evict(pod, context)
            return .done
        }
        if seconds == .max { return .done }
        // The deadline counts from when the earliest of these taints was added.
        let added = taints.compactMap(\.timeAdded).min() ?? context.clock.now()
        let deadline = added.advanced(by: .seconds(seconds))
        let remaining = context.clock.now().duration(to: deadline)
        if remaining > .zero { return .requeue(after: remaining) }
        try await evict(pod, context)
        return .done
    }

    private func evict(_ pod: Pod, _ context: ReconcileContext) async throws {
        var marked = pod
        var conditions = marked.status.conditions ?? []
        conditions.removeAll { $0.type == "DisruptionTarget" }
        conditions.append(PodCondition(
            status: "True", type: "DisruptionTarget", lastTransitionTime: context.clock.now().truncatedToSeconds,
            message: "Taint manager: deleting due to NoExecute taint", reason: "DeletionByTaintManager"))
        marked.status.conditions = conditions
        context.events.event(for: pod, type: .normal, reason: "TaintManagerEviction", message: "Marking for deletion Pod \(ObjectName(of: pod))")
        do {
            if marked.status != pod.status { _ = try await context.client.updateStatus(marked) }
            try await context.client.delete(pod)
            context.logger.info("evicted pod from a node with an untolerated NoExecute taint")
        } catch let error as APIError where error.code == 404 {
            // Already gone.
        }
    }
}
