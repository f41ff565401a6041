import BosunRuntime

/// kube-controller-manager's ReplicaSet controller: keeps `spec.replicas` active pods matching an
/// apps/v1 ReplicaSet's selector, and reports them in its status.
///
/// - Too few active pods (finished and terminating ones do not count): creates the difference
///   from the template, `generateName: <rs>-`, controlled by the ReplicaSet, in slow-start
///   batches of at most 500 per sync. Too many: deletes the difference, in Kubernetes' order
///   (``PodDeletionOrder``).
/// - Adopts matching orphans and releases pods whose labels stop matching
///   (``ControllerRefManager``).
/// - Waits for its informer to show its creates and deletes before acting again (expectations).
/// - Status: `replicas`, `fullyLabeledReplicas`, `readyReplicas`, `availableReplicas` (honouring
///   `minReadySeconds`), `observedGeneration`, and `ReplicaFailure` after a failed create
///   (`FailedCreate`) or delete (`FailedDelete`), removed by the next clean sync. Written only
///   when it changed.
/// - A ReplicaSet being deleted only has its status updated.
/// - Events on the ReplicaSet: `SuccessfulCreate`, `SuccessfulDelete`, `FailedCreate`,
///   `FailedDelete` (``PodControl``).
public enum ReplicaSetController {
    public static let name = "replicaset"
    /// Creates or deletes per sync (upstream `BurstReplicas`).
    public static let burstReplicas = 500
    /// The condition a failed create or delete sets.
    public static let replicaFailureCondition = "ReplicaFailure"

    /// Registers the controller with `manager`: it reconciles ReplicaSets, woken by their pods.
    @discardableResult
    public static func register(with manager: Manager) throws -> Controller {
        try registerReplicaSetController(ReplicaSet.self, named: name, with: manager)
    }
}

/// kube-controller-manager's ReplicationController controller (`ReplicationManager`): the
/// ReplicaSet controller run for core/v1 ReplicationControllers, through an adapter that reads
/// an RC as a ReplicaSet (its selector is an equality map). Same rules, same events.
public enum ReplicationManager {
    public static let name = "replicationcontroller"

    /// Registers the controller with `manager`: it reconciles ReplicationControllers, woken by
    /// their pods.
    @discardableResult
    public static func register(with manager: Manager) throws -> Controller {
        try registerReplicaSetController(ReplicationController.self, named: name, with: manager)
    }
}

/// The one registration both kinds share: an owner informer indexed by owner uid (to find a
/// Deployment's sibling ReplicaSets), a pod index for the kind, its expectations, and a pod
/// handler that keeps both current.
private func registerReplicaSetController<Owner: ReplicatedPodOwner>(
    _ kind: Owner.Type, named name: String, with manager: Manager
) throws -> Controller {
    // The controller's own source shares this informer and holds it while the controller runs.
    let lease = manager.informer(for: Owner.self)
    defer { lease.release() }
    let owners = lease.informer
    owners.indexByOwnerUID()
    let pods = ControlledPodIndex(ownerKind: Owner.kind)
    let expectations = TrackedExpectations(clock: manager.clock)
    let podEvents = PodOwnerEvents(owners: owners, pods: pods, expectations: expectations) { try? $0.podSelector() }
    return try manager.controller(for: Owner.self)
        .named(name)
        .withPredicates(Predicate { event in
            // An owner replaced under the same name (seen as an update) must not inherit the
            // old one's expectations.
            if case .updated(let old, let new) = event.change, old.metadata.uid != new.metadata.uid {
                expectations.forget(ObjectName(of: old))
            }
            return true
        })
        .watchesChanges(of: Pod.self) { podEvents.keys(for: $0) }
        .complete(ReplicaSetSync(owners: owners, pods: pods, expectations: expectations,
                                 burstReplicas: ReplicaSetController.burstReplicas, pacing: SyncPacing()))
}
