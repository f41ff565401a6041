import BosunRuntime

/// kube-controller-manager's deployment controller: runs each Deployment's rollouts through
/// ReplicaSets, exactly as Kubernetes does — RollingUpdate within `maxSurge` / `maxUnavailable`,
/// Recreate, proportional scaling mid-rollout, pause and resume, the progress deadline, the
/// revision history (`kubectl rollout history` / `undo`), and the status and conditions
/// `kubectl rollout status` and `kubectl wait --for=condition=Available` read.
///
/// It never looks at pods except for Recreate (which must wait for old pods to end): the
/// ReplicaSets' status says how many replicas are ready and available. Events are recorded as
/// `deployment-controller`.
public struct DeploymentController: Reconciler {
    /// The controller's name in its manager (logs, metrics, work queue).
    public static let name = "deployment"
    /// The component events are recorded as, as upstream.
    public static let eventSource = "deployment-controller"

    let pods: Informer<Pod>
    let events: EventRecorder

    /// Registers the controller and the informers it reads with `manager`.
    ///
    /// - Parameter events: where events go; by default a recorder of the manager's API client
    ///   reporting as ``eventSource``. Tests pass their own to wait for its writes.
    @discardableResult
    public static func register(with manager: Manager, events: EventRecorder? = nil) throws -> Controller {
        let deployments = manager.informer(for: Deployment.self).informer
        let replicaSets = manager.informer(for: ReplicaSet.self).informer
        let pods = manager.informer(for: Pod.self).informer
        pods.indexByOwnerUID()
        let recorder = events ?? EventRecorder(client: manager.api, clock: manager.clock, component: eventSource, logger: manager.logger)
        let handlers = DeploymentEventHandlers(deployments: deployments, replicaSets: replicaSets)
        return try manager.controller(for: Deployment.self)
            .named(name)
            .owns(ReplicaSet.self)
            .watches(ReplicaSet.self, predicates: [DeploymentEventHandlers.orphanChanged], map: handlers.deploymentsSelecting)
            .watches(Pod.self, predicates: [DeploymentEventHandlers.podEnded], map: handlers.recreateDeploymentOfPod)
            .complete(DeploymentController(pods: pods, events: recorder))
    }

    public func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let deployment = try await context.client.getIfPresent(Deployment.self, namespace: request.namespace, name: request.name) else {
            return .done
        }
        var sync = DeploymentSync(deployment, context: context, events: events, pods: pods)
        return try await sync.run()
    }
}

/// Which Deployments a ReplicaSet or pod event concerns, beyond the owner mapping `owns` does
/// (upstream's `addReplicaSet` / `updateReplicaSet` for orphans and `deletePod`).
struct DeploymentEventHandlers: Sendable {
    let deployments: Informer<Deployment>
    let replicaSets: Informer<ReplicaSet>

    /// An orphan ReplicaSet appeared, or one changed its labels or lost its controller: the
    /// Deployments selecting it may adopt it.
    static let orphanChanged = Predicate<ReplicaSet> { event in
        switch event.change {
        case .added(let rs):
            return rs.controllerOwner == nil && rs.metadata.deletionTimestamp == nil
        case .updated(let old, let new):
            guard new.controllerOwner == nil, old.metadata.resourceVersion != new.metadata.resourceVersion else { return false }
            return old.metadata.labels != new.metadata.labels || old.controllerOwner != nil
        case .deleted:
            return false
        }
    }

    /// A pod was deleted or reached Succeeded / Failed: it no longer holds up a Recreate rollout.
    static let podEnded = Predicate<Pod> { event in
        switch event.change {
        case .added: return false
        case .updated(let old, let new): return !old.hasEnded && new.hasEnded
        case .deleted: return true
        }
    }

    /// Deployments in the ReplicaSet's namespace whose (non-empty) selector matches its labels.
    @Sendable func deploymentsSelecting(_ rs: ReplicaSet) -> [ObjectName] {
        let labels = rs.metadata.labels ?? [:]
        if labels.isEmpty { return [] }
        return deployments.list(namespace: rs.metadata.namespace ?? "").filter { d in
            guard let selector = try? d.spec.selector.compiled(), !selector.isEmpty else { return false }
            return selector.matches(labels)
        }.map { ObjectName(of: $0) }
    }

    /// A pod of one of its ReplicaSets ended: a Recreate Deployment waiting for its old pods
    /// looks again. Upstream looks at deletions only, and only once no pod is left at all (ended
    /// ones included), which leaves a rollout waiting for a resync when an old pod failed; and
    /// counting the remaining pods on every deletion costs O(pods²) when thousands go. Here the
    /// sync counts, once per burst of events (the queue merges them).
    @Sendable func recreateDeploymentOfPod(_ pod: Pod) -> [ObjectName] {
        let namespace = pod.metadata.namespace ?? ""
        guard let podOwner = pod.controllerOwner, podOwner.kind == "ReplicaSet",
              let rs = replicaSets.get(namespace: namespace, name: podOwner.name), rs.metadata.uid == podOwner.uid,
              let rsOwner = rs.controllerOwner, rsOwner.kind == "Deployment",
              let d = deployments.get(namespace: namespace, name: rsOwner.name), d.metadata.uid == rsOwner.uid,
              d.spec.strategy?.type == Deployment.recreate
        else { return [] }
        return [ObjectName(of: d)]
    }
}

extension Pod {
    /// Succeeded or Failed: its containers will not run again.
    var hasEnded: Bool { status.phase == "Succeeded" || status.phase == "Failed" }
}
