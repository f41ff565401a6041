import Synchronization

/// What plugins may use of the framework (upstream `framework.Handle`): the clock, the cache,
/// the pods waiting at Permit, and activating pods. Made before the plugins, so a plugin can keep
/// it from its initializer; the framework attaches its queue when it is built.
public final class FrameworkHandle: Sendable {
    public let clock: any RuntimeClock
    public let cache: SchedulerCache
    public let waitingPods: WaitingPods
    private let queueBox = Mutex<SchedulingQueue?>(nil)

    public init(clock: any RuntimeClock, cache: SchedulerCache = SchedulerCache()) {
        self.clock = clock
        self.cache = cache
        waitingPods = WaitingPods()
    }

    /// The framework's queue, once attached.
    public var queue: SchedulingQueue? { queueBox.withLock { $0 } }

    func attach(_ queue: SchedulingQueue) { queueBox.withLock { $0 = queue } }

    /// Moves these pods from backoff or the unschedulable pool to the active queue.
    public func activate(_ pods: [Pod]) {
        guard !pods.isEmpty else { return }
        queue?.activate(pods)
    }
}
