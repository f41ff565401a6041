import BosunRuntime

/// What workload controllers read of a pod — ownership, labels, phase, readiness and what the
/// deletion order compares — taken from the pod once, when it changes.
///
/// A ReplicaSet of 10,000 pods looks at every one of them on every sync. Informers keep pods as
/// JSON and decode them on read, so a sync over typed pods would decode thousands each time;
/// facts kept from the informer's events (which are decoded anyway) cost a fraction of a pod's
/// memory and nothing to read.
public struct PodFacts: Sendable, Hashable {
    /// The facts, in one shared box: a ReplicaSet's sync copies thousands of them into the
    /// arrays it filters and sorts, and copying one reference costs one retain where the dozen
    /// fields cost a dozen (that copying was a third of a 10,000-pod rollout's CPU).
    private var box: Box

    /// Namespace and name.
    public var name: ObjectName { get { box.fields.name } set { update { $0.name = newValue } } }
    public var uid: String { get { box.fields.uid } set { update { $0.uid = newValue } } }
    public var labels: [String: String] { get { box.fields.labels } set { update { $0.labels = newValue } } }
    /// The ownerReference marked `controller: true`.
    public var controllerRef: OwnerReference? { get { box.fields.controllerRef } set { update { $0.controllerRef = newValue } } }
    public var creationTimestamp: Time? { get { box.fields.creationTimestamp } set { update { $0.creationTimestamp = newValue } } }
    /// `deletionTimestamp` is set.
    public var isDeleting: Bool { get { box.fields.isDeleting } set { update { $0.isDeleting = newValue } } }
    public var phase: String? { get { box.fields.phase } set { update { $0.phase = newValue } } }
    /// Empty while unscheduled.
    public var nodeName: String { get { box.fields.nodeName } set { update { $0.nodeName = newValue } } }
    /// The `Ready` condition is `True`.
    public var isReady: Bool { get { box.fields.isReady } set { update { $0.isReady = newValue } } }
    /// When a ready pod became ready (its Ready condition's `lastTransitionTime`).
    public var readySince: Time? { get { box.fields.readySince } set { update { $0.readySince = newValue } } }
    /// The `controller.kubernetes.io/pod-deletion-cost` annotation (0 when absent or invalid).
    public var deletionCost: Int32 { get { box.fields.deletionCost } set { update { $0.deletionCost = newValue } } }
    /// The most restarts of any regular container.
    public var restarts: Int32 { get { box.fields.restarts } set { update { $0.restarts = newValue } } }
    /// The most restarts of any sidecar (an init container with `restartPolicy: Always`).
    public var sidecarRestarts: Int32 { get { box.fields.sidecarRestarts } set { update { $0.sidecarRestarts = newValue } } }

    public init(_ pod: Pod) {
        let isReady = pod.isReady
        let sidecars = Set((pod.spec.initContainers ?? []).filter { $0.restartPolicy == "Always" }.map(\.name))
        box = Box(Fields(
            name: ObjectName(of: pod),
            uid: pod.metadata.uid ?? "",
            labels: pod.metadata.labels ?? [:],
            controllerRef: pod.controllerOwner,
            creationTimestamp: pod.metadata.creationTimestamp,
            isDeleting: pod.metadata.deletionTimestamp != nil,
            phase: pod.status.phase,
            nodeName: pod.spec.nodeName ?? "",
            isReady: isReady,
            readySince: isReady ? pod.readyCondition?.lastTransitionTime : nil,
            deletionCost: PodDeletionOrder.deletionCost(pod.metadata.annotations),
            restarts: pod.status.containerStatuses?.map(\.restartCount).max() ?? 0,
            sidecarRestarts: sidecars.isEmpty ? 0
                : (pod.status.initContainerStatuses ?? []).filter { sidecars.contains($0.name) }.map(\.restartCount).max() ?? 0))
    }

    public static func == (a: PodFacts, b: PodFacts) -> Bool {
        a.box === b.box || a.box.fields == b.box.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(box.fields)
    }

    private struct Fields: Sendable, Hashable {
        var name: ObjectName
        var uid: String
        var labels: [String: String]
        var controllerRef: OwnerReference?
        var creationTimestamp: Time?
        var isDeleting: Bool
        var phase: String?
        var nodeName: String
        var isReady: Bool
        var readySince: Time?
        var deletionCost: Int32
        var restarts: Int32
        var sidecarRestarts: Int32
    }

    /// Never changed once made: a setter puts changed fields in a new box.
    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = box.fields
        change(&fields)
        box = Box(fields)
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
