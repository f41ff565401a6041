import BosunRuntime

/// kube-controller-manager's DaemonSet controller: one pod of the template on every eligible
/// node.
///
/// - A node is eligible when the template's `nodeName` is empty or the node's, it matches
///   `nodeSelector` and required node affinity, and the pod tolerates its NoSchedule and
///   NoExecute taints — with the tolerations every daemon pod gets (not-ready and unreachable
///   NoExecute forever; disk-, memory-, pid-pressure and unschedulable NoSchedule;
///   network-unavailable for host-network pods). An untolerated NoSchedule taint only stops new
///   pods; an untolerated NoExecute taint deletes the pod.
/// - Pods are pinned with required affinity `matchFields metadata.name In [node]`; the scheduler
///   binds them. Labels: `controller-revision-hash` (and `pod-template-generation` when the set
///   carries a template generation).
/// - Failed pods are deleted (Warning `FailedDaemonPod`) with a per-node backoff (1 s doubling to
///   15 min) and replaced; succeeded pods too (`SucceededDaemonPod`); extra pods on a node go,
///   the oldest stays.
/// - RollingUpdate with `maxUnavailable` and `maxSurge` (percentages of the desired count, both
///   rounded up), or OnDelete.
/// - Status: `desiredNumberScheduled`, `currentNumberScheduled`, `numberMisscheduled`,
///   `numberReady`, `updatedNumberScheduled`, `numberAvailable`, `numberUnavailable`,
///   `observedGeneration`, `collisionCount`.
///
/// A sync reads nodes and pods from the informers only, and does work linear in the nodes.
public enum DaemonSetController {
    public static let name = "daemonset"
    /// Creates or deletes per sync (upstream `BurstReplicas`).
    public static let burstReplicas = 250
    static let rollingUpdate = "RollingUpdate"
    static let onDelete = "OnDelete"
    /// The deprecated pod label carrying the set's template generation.
    static let templateGenerationLabel = "pod-template-generation"
    /// The set annotation the apps/v1 API keeps the template generation in.
    static let templateGenerationAnnotation = "deprecated.daemonset.template.generation"

    /// Registers the controller with `manager`: it reconciles DaemonSets, woken by their pods,
    /// the nodes and their ControllerRevisions.
    @discardableResult
    public static func register(with manager: Manager) throws -> Controller {
        let setLease = manager.informer(for: DaemonSet.self)
        let podLease = manager.informer(for: Pod.self)
        let nodeLease = manager.informer(for: Node.self)
        let revisionLease = manager.informer(for: ControllerRevision.self)
        defer {
            setLease.release()
            podLease.release()
            nodeLease.release()
            revisionLease.release()
        }
        let pods = ControlledPodIndex(ownerKind: DaemonSet.kind)
        let expectations = TrackedExpectations(clock: manager.clock)
        let podEvents = PodOwnerEvents(owners: setLease.informer, pods: pods, expectations: expectations) {
            try? $0.spec.selector.compiled()
        }
        let nodeEvents = DaemonSetEvents(sets: setLease.informer)
        return try manager.controller(for: DaemonSet.self)
            .named(name)
            .withPredicates(Predicate { event in
                // A set replaced under the same name must not inherit the old one's expectations.
                if case .updated(let old, let new) = event.change, old.metadata.uid != new.metadata.uid {
                    expectations.forget(ObjectName(of: old))
                }
                return true
            })
            .watchesChanges(of: Pod.self) { podEvents.keys(for: $0) }
            .watchesChanges(of: Node.self) { nodeEvents.keys(for: $0) }
            .owns(ControllerRevision.self)
            .complete(DaemonSetSync(
                pods: pods, podCache: podLease.informer, nodes: nodeLease.informer, revisions: revisionLease.informer,
                expectations: expectations, backoff: FailedPodBackoff(), burstReplicas: burstReplicas))
    }
}
