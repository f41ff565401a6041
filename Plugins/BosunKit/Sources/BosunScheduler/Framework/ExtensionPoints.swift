// One protocol per extension point of kube-scheduler's framework, in call order.
// Filter and Score are synchronous: they run per node, thousands of times a second. The points
// where Kubernetes does I/O (Permit's wait, PreBind, Bind, PostBind) are async.

/// Orders the active queue. A profile has exactly one.
public protocol QueueSortPlugin: SchedulerPlugin {
    /// Whether `a` should be scheduled before `b`.
    func less(_ a: QueuedPodInfo, _ b: QueuedPodInfo) -> Bool
}

/// A gate checked before a pod may enter the active queue. A rejected pod waits in the
/// unschedulable pool until an event this plugin registered (or `activate`) lets it try again.
public protocol PreEnqueuePlugin: SchedulerPlugin {
    func preEnqueue(_ pod: PodInfo) -> PluginStatus
}

/// What PreFilter decided: go on (possibly over fewer nodes), or reject the pod outright.
public struct PreFilterResult: Sendable {
    /// Only these nodes are worth filtering; `nil` means all.
    public var nodeNames: Set<String>?
    public var status: PluginStatus

    public init(nodeNames: Set<String>? = nil, status: PluginStatus = .success) {
        self.nodeNames = nodeNames
        self.status = status
    }

    public static let proceed = PreFilterResult()
    /// The plugin does not apply to this pod; its Filter is not called in this cycle.
    public static let skip = PreFilterResult(status: .skip)
    public static func narrow(to nodeNames: Set<String>) -> PreFilterResult { PreFilterResult(nodeNames: nodeNames) }
    public static func reject(_ status: PluginStatus) -> PreFilterResult { PreFilterResult(status: status) }
}

/// Runs once per cycle before Filter: precomputes state, narrows nodes, or rejects.
public protocol PreFilterPlugin: SchedulerPlugin {
    func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: NodeSnapshot) -> PreFilterResult
}

/// Says whether the pod fits one node. Called in plugin order; the first non-success stops.
public protocol FilterPlugin: SchedulerPlugin {
    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus
}

/// What PostFilter achieved.
public struct PostFilterResult: Sendable {
    /// A node the pod should be retried on once victims are gone (upstream `NominatingInfo`).
    public var nominatedNodeName: String?
    public var status: PluginStatus

    public init(nominatedNodeName: String? = nil, status: PluginStatus) {
        self.nominatedNodeName = nominatedNodeName
        self.status = status
    }
}

/// Runs only when no node is feasible (preemption lives here). Plugins run in order until one
/// succeeds.
public protocol PostFilterPlugin: SchedulerPlugin {
    /// `statuses` holds why each filtered node rejected the pod.
    func postFilter(_ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus]) -> PostFilterResult
}

/// Informational: sees the feasible nodes before scoring and prepares state for Score.
public protocol PreScorePlugin: SchedulerPlugin {
    func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus
}

/// Ranks a feasible node: `minNodeScore...maxNodeScore` after normalization.
public protocol ScorePlugin: SchedulerPlugin {
    func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) throws(PluginError) -> Int64
}

/// A Score plugin whose raw scores need rescaling into `0...100` once all nodes are scored.
public protocol NormalizeScorePlugin: ScorePlugin {
    /// `scores[i]` belongs to `nodes[i]`.
    func normalizeScores(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo], _ scores: inout [Int64])
        -> PluginStatus
}

/// Stateful bookkeeping once a node is chosen. If Reserve or any later point fails, Unreserve
/// runs on every Reserve plugin in reverse order; it must be idempotent and must not fail.
public protocol ReservePlugin: SchedulerPlugin {
    func reserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PluginStatus
    func unreserve(_ state: CycleState, _ pod: PodInfo, nodeName: String)
}

/// A Permit plugin's verdict.
public enum PermitDecision: Sendable, Hashable {
    case allow
    /// Reject the pod: Unreserve runs and the pod is requeued. The status says why.
    case deny(PluginStatus)
    /// Hold the pod (still reserved) until every waiting plugin allows it, one rejects it, or the
    /// timeout passes (capped at ``Framework/maxPermitTimeout``), which counts as a rejection.
    case wait(Duration)
}

/// The last point of the scheduling cycle. Waiting happens at the start of the binding cycle.
public protocol PermitPlugin: SchedulerPlugin {
    func permit(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PermitDecision
}

/// Work before binding (volumes, say). A failure rejects the pod and requeues it.
public protocol PreBindPlugin: SchedulerPlugin {
    func preBind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async -> PluginStatus
}

/// Binds the pod. Plugins run in order; the first that does not return `.skip` decides.
public protocol BindPlugin: SchedulerPlugin {
    func bind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async -> PluginStatus
}

/// Informational, after a successful bind.
public protocol PostBindPlugin: SchedulerPlugin {
    func postBind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async
}
