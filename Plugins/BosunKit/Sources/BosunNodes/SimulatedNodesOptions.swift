/// How ``SimulatedNodes`` behave. The defaults are the kubelet's.
public struct SimulatedNodesOptions: Sendable, KubeletNodeTimings {
    /// Capacity a node reports for each resource its own status does not set.
    public var capacity: [String: Quantity]
    /// How often a node's Lease in `kube-node-lease` is renewed (kubelet: 10 s).
    public var leaseRenewInterval: Duration
    /// The Lease's `leaseDurationSeconds` (kubelet: 40).
    public var leaseDurationSeconds: Int32
    /// How often an unchanged node status is posted anyway, moving the conditions'
    /// `lastHeartbeatTime` (kubelet's `nodeStatusReportFrequency`: 5 minutes). A changed status
    /// is posted at the next heartbeat.
    public var statusReportInterval: Duration
    /// The kubelet version nodes report in `nodeInfo`.
    public var kubeletVersion: String
    /// Workers syncing nodes and pods at once; `nil` is ``defaultConcurrency``.
    public var concurrency: Int?

    /// More workers than the manager's default (one per core): simulated kubelets stand for
    /// many nodes, each of which syncs its pods independently in a real cluster, and a sync
    /// spends most of its time waiting on store writes, so two workers would serialise every
    /// node's pod starts and stops behind each other.
    public static let defaultConcurrency = 16

    public init(
        capacity: [String: Quantity] = ["cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "1Ti"],
        leaseRenewInterval: Duration = .seconds(10), leaseDurationSeconds: Int32 = 40,
        statusReportInterval: Duration = .seconds(300), kubeletVersion: String = "v1.32.0-bosun-sim",
        concurrency: Int? = nil
    ) {
        self.capacity = capacity
        self.leaseRenewInterval = leaseRenewInterval
        self.leaseDurationSeconds = leaseDurationSeconds
        self.statusReportInterval = statusReportInterval
        self.kubeletVersion = kubeletVersion
        self.concurrency = concurrency
    }
}
