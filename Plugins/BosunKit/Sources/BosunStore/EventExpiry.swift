import BosunKit
import Synchronization

/// Deletes Events a fixed time after their last write, as kube-apiserver's `--event-ttl` (one
/// hour by default) does: without it every Event ever recorded stays in the store, and a control
/// plane under churn (pods rescheduled, nodes failing) grows without bound.
///
/// kube-apiserver attaches an etcd lease to each Event write; here each sweep notes the store's
/// resourceVersion, and deletes the Events whose resourceVersion is not above the one noted at
/// a sweep `ttl` or more ago: they were last written before it. So an Event lives from `ttl` to
/// `ttl` plus one sweep period after its last write, and a repeated Event (its count raised, a
/// new resourceVersion) lives on. Nothing is kept per Event: a sweep is one pass over the
/// Events that allocates only for the expired. Both
/// `events` resources (`v1` and `events.k8s.io/v1`) are swept. After a restart every Event gets
/// a fresh `ttl`: the times are not stored (etcd's leases are), so an Event may outlive its
/// time by a restart's worth, never be cut short.
public final class EventExpiry: Sendable {
    /// How long an Event lives after its last write.
    public let ttl: Duration
    private let store: ObjectStore
    /// The store's resourceVersion at each sweep of the last `ttl`, and at the newest before.
    private let marks = Mutex<[(time: Time, resourceVersion: Int64)]>([])

    static let resources = [GroupResource(group: "", resource: "events"), GroupResource(group: "events.k8s.io", resource: "events")]

    public init(store: ObjectStore, ttl: Duration) {
        self.store = store
        self.ttl = ttl
    }

    /// How often ``run()`` sweeps: a tenth of the TTL, between 1 s and 1 min.
    public var period: Duration { min(.seconds(60), max(.seconds(1), ttl / 10)) }

    /// One pass: notes the store's resourceVersion and deletes the Events not written since
    /// the newest note at least `ttl` old. A delete carries the version seen as a precondition,
    /// so an Event written meanwhile is kept.
    /// - Returns: How many Events were deleted.
    @discardableResult
    public func sweep() async -> Int {
        let now = store.clock.now()
        let ttlSeconds = ttl.components.seconds
        let resourceVersion = store.resourceVersion
        let cutoff = marks.withLock { marks -> Int64? in
            marks.append((now, resourceVersion))
            guard let index = marks.lastIndex(where: { now.secondsSinceEpoch - $0.time.secondsSinceEpoch >= ttlSeconds })
            else { return nil }
            marks.removeFirst(index)
            return marks[0].resourceVersion
        }
        guard let cutoff else { return 0 }
        let expired = store.state.withLock { s in
            Self.resources.flatMap { (s.tables[$0] ?? [:]).values.filter { $0.resourceVersion <= cutoff } }
        }
        var deleted = 0
        for event in expired {
            let options = DeleteOptions(preconditions: Preconditions(resourceVersion: String(event.resourceVersion)))
            do {
                _ = try await store.delete(event.key.resource, namespace: event.key.namespace, name: event.key.name, options: options)
                deleted += 1
            } catch {
                // Deleted or written meanwhile (404, 409): the next sweep sees what is there now.
            }
        }
        return deleted
    }

    /// Sweeps every ``period`` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: period)
            } catch {
                return
            }
            await sweep()
        }
    }
}
