import BosunKit
import BosunNodes

/// How ``LocalProcessRuntime`` behaves. The defaults are the kubelet's.
public struct LocalProcessRuntimeOptions: Sendable, KubeletNodeTimings {
    /// How often a node's Lease in `kube-node-lease` is renewed (kubelet: 10 s).
    public var leaseRenewInterval: Duration
    /// The Lease's `leaseDurationSeconds` (kubelet: 40).
    public var leaseDurationSeconds: Int32
    /// How often an unchanged node status is posted anyway (kubelet: 5 minutes).
    public var statusReportInterval: Duration
    /// The kubelet version the node reports in `nodeInfo`.
    public var kubeletVersion: String
    /// Pods the node admits (kubelet's `maxPods`: 110).
    public var maxPods: Int64
    /// The longest a shutdown of the runtime waits for a container to stop on SIGTERM before
    /// SIGKILL, whatever the pod's grace period: Bosun exiting must not take 30 s.
    public var shutdownGracePeriod: Duration
    /// Workers syncing nodes and pods at once; `nil` is the manager's default.
    public var concurrency: Int?
    /// The one node this runtime runs, when several control planes share a store (each runs its
    /// own machine's node, as each machine runs its kubelet); `nil` runs every local-process node.
    public var nodeName: String?

    public init(
        leaseRenewInterval: Duration = .seconds(10), leaseDurationSeconds: Int32 = 40,
        statusReportInterval: Duration = .seconds(300), kubeletVersion: String = "v1.32.0-bosun",
        maxPods: Int64 = 110, shutdownGracePeriod: Duration = .seconds(5), concurrency: Int? = nil,
        nodeName: String? = nil
    ) {
        self.nodeName = nodeName
        self.leaseRenewInterval = leaseRenewInterval
        self.leaseDurationSeconds = leaseDurationSeconds
        self.statusReportInterval = statusReportInterval
        self.kubeletVersion = kubeletVersion
        self.maxPods = maxPods
        self.shutdownGracePeriod = shutdownGracePeriod
        self.concurrency = concurrency
    }
}
