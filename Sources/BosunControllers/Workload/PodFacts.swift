import BosunRuntime

/// What workload controllers read of a pod — ownership, labels, phase, readiness and what the
/// deletion order compares — taken from the pod once, when it changes.
///
/// A ReplicaSet of 10,000 pods looks at every one of them on every sync. Informers keep pods as
/// JSON and decode them on read, so a sync over typed pods would decode thousands each time;
/// facts kept from the informer's events (which are decoded anyway) cost a fraction of a pod's
/// memory and nothing to read.
public struct PodFacts: Sendable, Hashable {
    /// Namespace and name.
    public var name: ObjectName
    public var uid: String
    public var labels: [String: String]
    /// The ownerReference marked `controller: true`.
    public var controllerRef: OwnerReference?
    public var creationTimestamp: Time?
    /// `deletionTimestamp` is set.
    public var isDeleting: Bool
    public var phase: String?
    /// Empty while unscheduled.
    public var nodeName: String
    /// The `Ready` condition is `True`.
    public var isReady: Bool
    /// When a ready pod became ready (its Ready condition's `lastTransitionTime`).
    public var readySince: Time?
    /// The `controller.kubernetes.io/pod-deletion-cost` annotation (0 when absent or invalid).
    public var deletionCost: Int32
    /// The most restarts of any regular container.
    public var restarts: Int32
    /// The most restarts of any sidecar (an init container with `restartPolicy: Always`).
    public var sidecarRestarts: Int32

    public init(_ pod: Pod) {
        name = ObjectName(of: pod)
        uid = pod.metadata.uid ?? ""
        labels = pod.metadata.labels ?? [:]
        controllerRef = pod.controllerOwner
        creationTimestamp = pod.metadata.creationTimestamp
        isDeleting = pod.metadata.deletionTimestamp != nil
        phase = pod.status.phase
        nodeName = pod.spec.nodeName ?? ""
        isReady = pod.isReady
        readySince = isReady ? pod.readyCondition?.lastTransitionTime : nil
        deletionCost = PodDeletionOrder.deletionCost(pod.metadata.annotations)
        restarts = pod.status.containerStatuses?.map(\.restartCount).max() ?? 0
        let sidecars = Set((pod.spec.initContainers ?? []).filter { $0.restartPolicy == "Always" }.map(\.name))
        sidecarRestarts = sidecars.isEmpty ? 0
            : (pod.status.initContainerStatuses ?? []).filter { sidecars.contains($0.name) }.map(\.restartCount).max() ?? 0
    }

    /// See ``Pod/isActive``.
    public var isActive: Bool { PodState.isActive(phase: phase, isDeleting: isDeleting) }

    /// See ``Pod/isAvailable(minReadySeconds:now:)``.
    public func isAvailable(minReadySeconds: Int32, now: Time) -> Bool {
        isReady && PodState.isAvailable(readySince: readySince, minReadySeconds: minReadySeconds, now: now)
    }
}

extension PodFacts: IndexedPodFacts {
    public var objectName: ObjectName { name }
}
