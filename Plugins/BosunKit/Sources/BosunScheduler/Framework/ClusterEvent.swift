/// What kind of object changed, for queueing (upstream `EventResource`). Open-ended so plugins
/// can name their own kinds (the gang plugin's `PodGroup`).
public struct EventResource: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Any pod (upstream distinguishes assigned and unscheduled pods; so do we).
    public static let pod = EventResource("Pod")
    /// A pod bound to a node (or assumed on one).
    public static let assignedPod = EventResource("AssignedPod")
    /// A pod waiting to be scheduled.
    public static let unscheduledPod = EventResource("UnscheduledPod")
    public static let node = EventResource("Node")
    /// Matches every resource.
    public static let wildcard = EventResource("*")

    public var description: String { rawValue }
}

/// What happened to it (upstream `ActionType`), as a set so one registration can cover several.
public struct ActionType: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let add = ActionType(rawValue: 1 << 0)
    public static let delete = ActionType(rawValue: 1 << 1)
    public static let updateNodeAllocatable = ActionType(rawValue: 1 << 2)
    public static let updateNodeLabel = ActionType(rawValue: 1 << 3)
    public static let updateNodeTaint = ActionType(rawValue: 1 << 4)
    public static let updateNodeCondition = ActionType(rawValue: 1 << 5)
    public static let updatePodLabel = ActionType(rawValue: 1 << 6)
    public static let updatePodScaleDown = ActionType(rawValue: 1 << 7)
    public static let updatePodTolerations = ActionType(rawValue: 1 << 8)
    /// Any other update.
    public static let updateOther = ActionType(rawValue: 1 << 9)

    public static let update: ActionType = [
        .updateNodeAllocatable, .updateNodeLabel, .updateNodeTaint, .updateNodeCondition,
        .updatePodLabel, .updatePodScaleDown, .updatePodTolerations, .updateOther,
    ]
    public static let all: ActionType = [.add, .delete, .update]
}

/// A change in the cluster that may make unschedulable pods schedulable.
public struct ClusterEvent: Sendable, Hashable, CustomStringConvertible {
    public var resource: EventResource
    public var actionType: ActionType
    /// A name for logs and metrics, e.g. `NodeAdd`.
    public var label: String

    public init(_ resource: EventResource, _ actionType: ActionType, label: String? = nil) {
        self.resource = resource
        self.actionType = actionType
        self.label = label ?? "\(resource.rawValue)\(actionType)"
    }

    /// Whether a registration (`self`) covers an event that happened (`event`).
    public func covers(_ event: ClusterEvent) -> Bool {
        let resourceMatches = resource == .wildcard || resource == event.resource
            || (resource == .pod && (event.resource == .assignedPod || event.resource == .unscheduledPod))
        return resourceMatches && !actionType.isDisjoint(with: event.actionType)
    }

    public var description: String { label }

    public static let nodeAdd = ClusterEvent(.node, .add, label: "NodeAdd")
    public static let nodeDelete = ClusterEvent(.node, .delete, label: "NodeDelete")
    public static let assignedPodAdd = ClusterEvent(.assignedPod, .add, label: "AssignedPodAdd")
    public static let assignedPodUpdate = ClusterEvent(.assignedPod, .update, label: "AssignedPodUpdate")
    public static let assignedPodDelete = ClusterEvent(.assignedPod, .delete, label: "AssignedPodDelete")
    public static let unscheduledPodAdd = ClusterEvent(.unscheduledPod, .add, label: "UnscheduledPodAdd")
    public static let unscheduledPodUpdate = ClusterEvent(.unscheduledPod, .update, label: "UnscheduledPodUpdate")
    public static let unscheduledPodDelete = ClusterEvent(.unscheduledPod, .delete, label: "UnscheduledPodDelete")
    /// Upstream's periodic flush and other moves not caused by one event.
    public static let unschedulableTimeout = ClusterEvent(.wildcard, .all, label: "UnschedulableTimeout")
    public static let forceActivate = ClusterEvent(.wildcard, .all, label: "ForceActivate")
}

/// A queueing hint's answer (upstream `QueueingHint`).
public enum QueueingHint: Sendable, Hashable {
    /// The event may make the pod schedulable: move it to the active or backoff queue.
    case queue
    /// The event is irrelevant to this pod.
    case skip
}

/// A registration: the event, and optionally a hint that looks at the pod and the objects.
public struct ClusterEventWithHint: Sendable {
    public typealias Hint = @Sendable (_ pod: Pod, _ oldObject: (any Sendable)?, _ newObject: (any Sendable)?) -> QueueingHint

    public var event: ClusterEvent
    public var hint: Hint?

    public init(_ event: ClusterEvent, hint: Hint? = nil) {
        self.event = event
        self.hint = hint
    }
}

/// A plugin that rejects pods (PreEnqueue, PreFilter, Filter, Reserve, Permit...) says which
/// events may change its mind (upstream `EnqueueExtensions`). A rejecting plugin that does not
/// conform is woken by every event.
public protocol EnqueueExtensions: SchedulerPlugin {
    func eventsToRegister() -> [ClusterEventWithHint]
}
