import BosunKit
import BosunNodes

/// What the runtime remembers of one container of a pod: its current and previous instances
/// (for `lastState` and `kubectl logs --previous`), restarts and restart backoff.
struct ContainerRun: Sendable {
    var current: ContainerInstance?
    var previous: ContainerInstance?
    var restartCount: Int32 = 0
    var backoff = ContainerRestartBackoff()
}

/// What the runtime remembers of one pod. Kept after the pod finished, so its logs can still be
/// read; forgotten when the pod is deleted.
struct PodRun: Sendable {
    var uid: String
    var containers: [String: ContainerRun] = [:]
    /// The pod's grace period, for stopping it when it vanishes without a graceful deletion.
    var grace: Duration
    /// A graceful stop of its containers is under way.
    var stopping = false
    /// That stop has finished: every process of the pod's groups is gone and reaped.
    var stopped = false

    /// Every instance still running.
    var running: [ContainerInstance] {
        containers.values.compactMap { $0.current }.filter(\.isRunning)
    }
}
