// The PodGroup API of kubernetes-sigs/scheduler-plugins' coscheduling, so that manifests written
// for it work here unchanged: `scheduling.x-k8s.io/v1alpha1` `PodGroup`, and pods joining a
// group with the label `scheduling.x-k8s.io/pod-group: <name>` (same namespace).

import BosunKit

/// `scheduling.x-k8s.io/v1alpha1` `PodGroup`: "schedule at least `minMember` of these pods
/// together, or none of them".
///
/// ```yaml
/// apiVersion: scheduling.x-k8s.io/v1alpha1
/// kind: PodGroup
/// metadata: {name: trainer, namespace: default}
/// spec: {minMember: 3, scheduleTimeoutSeconds: 30}
/// ```
public struct PodGroup: CustomResource, Sendable {
    public static let resource = ResourceDescriptor(
        group: "scheduling.x-k8s.io", version: "v1alpha1", kind: "PodGroup", plural: "podgroups",
        namespaced: true, shortNames: ["pg", "pgs"], subresources: ["status"])

    /// The label a pod joins a group with; its value is the PodGroup's name.
    public static let memberLabel = "scheduling.x-k8s.io/pod-group"

    /// Selects what the plugin does when a Running group loses members (Bosun's own, as an
    /// annotation so that the spec stays the upstream one): ``MemberLossPolicy``.
    public static let memberLossPolicyAnnotation = "gang.bosun.dev/member-loss-policy"

    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: Spec = Spec(), status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Hashable, Sendable {
        /// How many pods must be placed together for any of them to be bound (at least 1).
        public var minMember: Int32
        /// Resources the whole group needs; checked against the cluster's free capacity before a
        /// member is tried (a pre-check, not a placement).
        public var minResources: [String: Quantity]?
        /// How long members may wait at Permit for the rest of the group; the plugin's default
        /// (60 s) when unset. The scheduler caps any wait at 15 minutes.
        public var scheduleTimeoutSeconds: Int32?

        public init(minMember: Int32 = 1, minResources: [String: Quantity]? = nil, scheduleTimeoutSeconds: Int32? = nil) {
            self.minMember = minMember
            self.minResources = minResources
            self.scheduleTimeoutSeconds = scheduleTimeoutSeconds
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var phase: Phase?
        /// The UID of the workload owning the group's pods (upstream `occupiedBy`).
        public var occupiedBy: String?
        public var running: Int32?
        public var succeeded: Int32?
        public var failed: Int32?
        /// When the group last started scheduling (entered `Scheduling`).
        public var scheduleStartTime: Time?
        /// `Scheduled` (the group once reached quorum) and `MembersLost` (the plugin stopped it).
        public var conditions: [Condition]?

        public init(phase: Phase? = nil, occupiedBy: String? = nil, running: Int32? = nil, succeeded: Int32? = nil,
                    failed: Int32? = nil, scheduleStartTime: Time? = nil, conditions: [Condition]? = nil) {
            self.phase = phase
            self.occupiedBy = occupiedBy
            self.running = running
            self.succeeded = succeeded
            self.failed = failed
            self.scheduleStartTime = scheduleStartTime
            self.conditions = conditions
        }
    }

    /// Upstream's phases (`Unknown` is declared there and never set; so here).
    public enum Phase: String, Codable, Hashable, Sendable, CaseIterable {
        /// Fewer pods than `minMember` exist.
        case pending = "Pending"
        /// Enough pods exist; fewer than `minMember` are running or done.
        case scheduling = "Scheduling"
        /// At least `minMember` are running or done.
        case running = "Running"
        /// At least `minMember` succeeded.
        case finished = "Finished"
        /// A member failed.
        case failed = "Failed"
        case unknown = "Unknown"
    }

    /// What happens when a Running group falls below `minMember` available members.
    public enum MemberLossPolicy: String, Sendable, Hashable, CaseIterable {
        /// Evict the remaining members, so that the owning workload recreates the group whole
        /// (the default).
        case restartGroup = "RestartGroup"
        /// Leave the remaining members running; replacements join them (bound members count
        /// toward quorum).
        case ignore = "Ignore"
    }

    /// The policy the annotation selects; ``MemberLossPolicy/restartGroup`` when absent or unknown.
    public var memberLossPolicy: MemberLossPolicy {
        metadata.annotations?[Self.memberLossPolicyAnnotation].flatMap(MemberLossPolicy.init(rawValue:)) ?? .restartGroup
    }

    /// `namespace/name`, the key the scheduler plugin uses.
    public var key: String { (metadata.namespace ?? "") + "/" + (metadata.name ?? "") }
}

extension Pod {
    /// The `namespace/name` of the PodGroup this pod belongs to, if it is labelled for one.
    public var podGroupKey: String? {
        guard let name = metadata.labels?[PodGroup.memberLabel], !name.isEmpty else { return nil }
        return (metadata.namespace ?? "") + "/" + name
    }
}
