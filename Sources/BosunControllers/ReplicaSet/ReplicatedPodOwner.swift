import BosunRuntime

/// What the ReplicaSet controller reads and writes of the kind it runs. Upstream runs the
/// ReplicationController through the very same controller by converting RCs to ReplicaSets on
/// the way in and out; here each kind adapts itself to the ReplicaSet's shape instead, and one
/// sync serves both.
protocol ReplicatedPodOwner: Resource {
    /// `spec.replicas` (defaulted to 1 by admission).
    var desiredReplicas: Int32 { get }
    var minReadySeconds: Int32 { get }
    var podTemplate: PodTemplateSpec? { get }
    /// The pods the object selects. Throws for a selector that does not compile.
    func podSelector() throws -> Selector
    /// The status, as apps/v1's ReplicaSetStatus.
    var replicaSetStatus: ReplicaSetStatus { get set }
}

extension ReplicaSet: ReplicatedPodOwner {
    var desiredReplicas: Int32 { spec.replicas ?? 1 }
    var minReadySeconds: Int32 { spec.minReadySeconds ?? 0 }
    var podTemplate: PodTemplateSpec? { spec.template }
    func podSelector() throws -> Selector { try spec.selector.compiled() }

    var replicaSetStatus: ReplicaSetStatus {
        get { status }
        set { status = newValue }
    }
}

/// The adapter: a core/v1 ReplicationController seen as a ReplicaSet. Its selector is an
/// equality map; its status has the ReplicaSet's fields under another type name.
extension ReplicationController: ReplicatedPodOwner {
    var desiredReplicas: Int32 { spec.replicas ?? 1 }
    var minReadySeconds: Int32 { spec.minReadySeconds ?? 0 }
    var podTemplate: PodTemplateSpec? { spec.template }

    /// Every label of the map, by equality; no selector selects nothing (admission defaults a
    /// missing one to the template's labels and refuses an empty one).
    func podSelector() throws -> Selector {
        spec.selector.map { Selector(set: $0) } ?? .nothing
    }

    var replicaSetStatus: ReplicaSetStatus {
        get {
            ReplicaSetStatus(
                replicas: status.replicas, availableReplicas: status.availableReplicas,
                conditions: status.conditions?.map {
                    ReplicaSetCondition(status: $0.status, type: $0.type, lastTransitionTime: $0.lastTransitionTime,
                                        message: $0.message, reason: $0.reason, unknownFields: $0.unknownFields)
                },
                fullyLabeledReplicas: status.fullyLabeledReplicas, observedGeneration: status.observedGeneration,
                readyReplicas: status.readyReplicas, unknownFields: status.unknownFields)
        }
        set {
            status = ReplicationControllerStatus(
                replicas: newValue.replicas, availableReplicas: newValue.availableReplicas,
                conditions: newValue.conditions?.map {
                    ReplicationControllerCondition(status: $0.status, type: $0.type, lastTransitionTime: $0.lastTransitionTime,
                                                   message: $0.message, reason: $0.reason, unknownFields: $0.unknownFields)
                },
                fullyLabeledReplicas: newValue.fullyLabeledReplicas, observedGeneration: newValue.observedGeneration,
                readyReplicas: newValue.readyReplicas, unknownFields: newValue.unknownFields)
        }
    }
}
