import Dispatch

/// A task executor with a thread of its own, for work that must keep its pace however much other
/// work is queued: controllers given it (``ControllerBuilder/executor(_:)``) run their reconciles
/// there instead of on the shared cooperative pool.
///
/// The shared pool serves ready tasks in turn, so when a burst makes thousands ready (a
/// 100,000-pod rollout on two cores), every step of every task waits behind them. A kubelet's
/// node heartbeat cannot wait that long: 40 s without one and the node is declared lost. Work
/// on this executor still shares the CPU, but not the queue: its steps wait only for each other.
///
/// Jobs run in order on one serial dispatch queue (dispatch gives it a thread outside the
/// cooperative pool's). Keep what runs here small: a reconcile that blocks its thread blocks
/// every other task preferring this executor.
public final class DedicatedExecutor: TaskExecutor {
    public let label: String
    private let queue: DispatchQueue
    private static let key = DispatchSpecificKey<ObjectIdentifier>()

    public init(label: String) {
        self.label = label
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.key, value: ObjectIdentifier(self))
    }

    /// Whether the calling code runs on this executor.
    public var isCurrent: Bool { DispatchQueue.getSpecific(key: Self.key) == ObjectIdentifier(self) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
