/// Why one scheduling attempt failed; what a driver writes into the pod's `PodScheduled`
/// condition and events.
public struct SchedulingFailure: Error, Sendable, CustomStringConvertible {
    public var status: PluginStatus
    /// Set when no node fitted.
    public var fitError: FitError?
    /// Set when a PostFilter plugin nominated a node.
    public var nominatedNodeName: String?

    public init(status: PluginStatus, fitError: FitError? = nil, nominatedNodeName: String? = nil) {
        self.status = status
        self.fitError = fitError
        self.nominatedNodeName = nominatedNodeName
    }

    /// The condition's reason: `Unschedulable` when the pod does not fit, `SchedulerError` else.
    public var reason: String { status.isRejected ? "Unschedulable" : "SchedulerError" }

    public var message: String { fitError?.message ?? status.message }
    public var description: String { message }

    /// Upstream `ErrNoNodesAvailable`.
    public static let noNodesAvailableMessage = "no nodes available to schedule pods"
}

/// The node chosen for a pod.
public struct ScheduleResult: Sendable, Hashable {
    public var suggestedHost: String
    /// Nodes Filter looked at.
    public var evaluatedNodes: Int
    /// Of those, how many fitted.
    public var feasibleNodes: Int
}

/// A pod assumed on its node after the scheduling cycle; what the binding cycle takes.
public struct BindingTicket: Sendable {
    public var pod: QueuedPodInfo
    public var result: ScheduleResult
    public var state: CycleState
    public var nodeName: String { result.suggestedHost }
}

public enum SchedulingCycleResult: Sendable {
    /// Reserved and permitted (possibly waiting): run `bindingCycle` with the ticket.
    case assumed(BindingTicket)
    /// Not scheduled; the pod has been requeued.
    case failed(SchedulingFailure)
}

public enum BindingCycleResult: Sendable {
    case bound(nodeName: String)
    /// Unreserved, forgotten and requeued.
    case failed(SchedulingFailure)
}
