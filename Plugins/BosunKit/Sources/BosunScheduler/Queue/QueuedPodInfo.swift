/// A pod in the scheduling queue, with what the queue knows about its attempts.
public struct QueuedPodInfo: Sendable {
    public var podInfo: PodInfo
    /// When the pod was added to the queue, or last failed: the queue's ordering tiebreak and the
    /// start of its backoff.
    public var timestamp: Time
    /// Scheduling attempts so far (each pop counts one).
    public var attempts: Int
    /// When the pod was first popped.
    public var initialAttemptTimestamp: Time?
    /// Plugins that rejected the pod in its last attempt: only events they registered wake it.
    public var unschedulablePlugins: Set<String>
    /// The PreEnqueue plugin that holds the pod back, if one does.
    public var gatingPlugin: String?
    /// The queue's scheduling cycle when the pod was popped.
    public internal(set) var cycle: Int64 = 0

    public init(_ podInfo: PodInfo, timestamp: Time, attempts: Int = 0) {
        self.podInfo = podInfo
        self.timestamp = timestamp
        self.attempts = attempts
        unschedulablePlugins = []
    }

    public var pod: Pod { podInfo.pod }
    public var uid: String { podInfo.uid }
}

/// Where a pod is in the queue.
public enum QueueLocation: Sendable, Hashable {
    case active
    case backoff
    case unschedulable
    /// Popped and being scheduled or bound.
    case inFlight
}
