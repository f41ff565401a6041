/// The scheduling queue's timings (upstream `defaults.go` and `scheduling_queue.go`).
public struct QueueOptions: Sendable {
    /// Backoff after the first failed attempt; it doubles per attempt up to `maxBackoff`.
    public var initialBackoff: Duration = .seconds(1)
    public var maxBackoff: Duration = .seconds(10)
    /// An unschedulable pod that no event woke is retried after this long.
    public var maxInUnschedulablePods: Duration = .seconds(300)
    /// How often `run()` moves finished backoffs to the active queue.
    public var backoffFlushInterval: Duration = .seconds(1)
    /// How often `run()` looks for pods past `maxInUnschedulablePods`.
    public var unschedulableFlushInterval: Duration = .seconds(30)

    public init() {}

    /// Upstream `calculateBackoffDuration`: 1 s, 2 s, 4 s, 8 s, 10 s, 10 s... by attempt.
    public func backoff(attempts: Int) -> Duration {
        var duration = initialBackoff
        var i = 1
        while i < attempts {
            duration *= 2
            if duration >= maxBackoff { return maxBackoff }
            i += 1
        }
        return min(duration, maxBackoff)
    }
}
