import BosunKit
import CoreMetrics

/// A work queue's metrics, named as controller-runtime's so that dashboards and alerts written
/// for Kubernetes controllers read Bosun's too. The dimension `name` tells queues apart.
///
/// Made from an injected factory, never the global `MetricsSystem`: the runtime is a dynamic
/// library shared by the host and plugins, and must not depend on which of them bootstrapped it.
struct QueueMetrics: Sendable {
    /// Keys waiting for a worker: what a backed-up controller shows first.
    let depth: Gauge
    /// Adds that queued a key or marked a busy key for another pass (deduplicated adds are not
    /// counted), so `adds − done` reflects real work.
    let adds: Counter
    /// How long a key waited from being queued to being handed to a worker.
    let latency: CoreMetrics.Timer
    /// Rate-limited re-adds, i.e. failed reconciles that will be retried.
    let retries: Counter

    init(name: String, factory: any MetricsFactory) {
        let dimensions = [("name", name)]
        depth = Gauge(label: "workqueue_depth", dimensions: dimensions, factory: factory)
        adds = Counter(label: "workqueue_adds_total", dimensions: dimensions, factory: factory)
        latency = CoreMetrics.Timer(
            label: "workqueue_queue_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds,
            factory: factory)
        retries = Counter(label: "workqueue_retries_total", dimensions: dimensions, factory: factory)
    }

    /// Records the wait of a key queued at `added` and handed out at `now`.
    func recordLatency(from added: Time, to now: Time) {
        let (seconds, attoseconds) = added.duration(to: now).components
        latency.recordNanoseconds(max(0, seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000))
    }
}
