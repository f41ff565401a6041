import BosunRuntime

/// kube-controller-manager's StatefulSet controller: pods with stable names, ordinals, network
/// identities and storage, created, replaced and updated in order.
///
/// - Pods `<set>-<ordinal>` for ordinals `spec.ordinals.start …` (`replicas` of them), with
///   `hostname` = their name, `subdomain` = `serviceName`, the labels
///   `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
///   `controller-revision-hash`, and a volume per claim template naming the claim
///   `<template>-<set>-<ordinal>`, which is created first.
/// - OrderedReady: a pod is created only when every lower one is Running, Ready and available;
///   scale-down deletes the highest first, one at a time, each gone before the next. Parallel:
///   without waiting.
/// - Updates: ControllerRevisions hold the templates; RollingUpdate replaces pods from the
///   highest ordinal down to `partition` (one at a time, or `maxUnavailable` at a time),
///   OnDelete only replaces pods the user deletes.
/// - Failed and succeeded pods are deleted and recreated under the same name.
/// - The claims' ownerReferences follow `persistentVolumeClaimRetentionPolicy`.
/// - Status: `replicas`, `readyReplicas`, `availableReplicas`, `currentReplicas`,
///   `updatedReplicas`, `currentRevision`, `updateRevision`, `observedGeneration`,
///   `collisionCount`.
public enum StatefulSetController {
    public static let name = "statefulset"

    /// Registers the controller with `manager`: it reconciles StatefulSets, woken by their pods,
    /// their ControllerRevisions and the claims they own.
    @discardableResult
    public static func register(with manager: Manager) throws -> Controller {
        // The controller's sources share these informers and hold them while it runs.
        let setLease = manager.informer(for: StatefulSet.self)
        let podLease = manager.informer(for: Pod.self)
        let revisionLease = manager.informer(for: ControllerRevision.self)
        let claimLease = manager.informer(for: PersistentVolumeClaim.self)
        defer {
            setLease.release()
            podLease.release()
            revisionLease.release()
            claimLease.release()
        }
        let pods = ControlledPodIndex(ownerKind: StatefulSet.kind)
        let podEvents = PodOwnerEvents(owners: setLease.informer, pods: pods, expectations: nil) { try? $0.spec.selector.compiled() }
        return try manager.controller(for: StatefulSet.self)
            .named(name)
            .watchesChanges(of: Pod.self) { podEvents.keys(for: $0) }
            .owns(ControllerRevision.self)
            .owns(PersistentVolumeClaim.self)
            .complete(StatefulSetSync(
                pods: pods, podCache: podLease.informer, revisions: revisionLease.informer, claims: claimLease.informer))
    }
}
