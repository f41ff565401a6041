import BosunKit
import Synchronization

/// Deletes Events a fixed time after their last write, as kube-apiserver's `--event-ttl` (one
/// hour by default) does: without it every Event ever recorded stays in the store, and a control
/// plane under churn (pods rescheduled, nodes failing) grows without bound.
///
/// kube-apiserver attaches an etcd lease to each Event write; here a sweep notes, for each
/// Event, the first time it saw its current resourceVersion, and deletes the Event once that is
/// `ttl` old — so an Event lives from `ttl` to `ttl` plus one sweep period after its last write,
/// and a repeated Event (its count raised, a new resourceVersion) lives on. Both
/// `events` resources (`v1` and `events.k8s.io/v1`) are swept. After a restart every Event gets
/// a fresh `ttl`: the times are not stored (etcd's leases are), so an Event may outlive its
/// time by a restart's worth, never be cut short.
public final class EventExpiry: Sendable {
    /// How long an Event lives after its last write.
    public let ttl: Duration
    private let store: ObjectStore
    /// Event → the resourceVersion last seen and when it was first seen.
    private let seen = Mutex<[ObjectKey: (resourceVersion: Int64, since: Time)]>([:])

    static let resources = [GroupResource(group: "", resource: "events"), GroupResource(group: "events.k8s.io", resource: "events")]

    public init(store: ObjectStore, ttl: Duration) {
        self.store = store
        self.ttl = ttl
    }

    /// How often ``run()`` sweeps: a tenth of the TTL, between 1 s and 1 min.
    public var period: Duration { min(.seconds(60), max(.seconds(1), ttl / 10)) }

    /// One pass: notes the Events' versions and deletes those unchanged for `ttl`. A delete
    /// carries the version seen as a precondition, so an Event written meanwhile is kept.
    /// - Returns: How many Events were deleted.
    @discardableResult
    public func sweep() async -> Int {
        let now = store.clock.now()
        let events = store.state.withLock { s in Self.resources.flatMap { (s.tables[$0] ?? [:]).values } }
        let ttlSeconds = ttl.components.seconds
        let expired = seen.withLock { seen -> [StoredObject] in
            // Rebuilt from the Events present, so deleted ones are forgotten.
            var next: [ObjectKey: (resourceVersion: Int64, since: Time)] = [:]
            next.reserveCapacity(events.count)
            var expired: [StoredObject] = []
            for event in events {
                var entry = (resourceVersion: event.resourceVersion, since: now)
                if let last = seen[event.key], last.resourceVersion == event.resourceVersion { entry.since = last.since }
                next[event.key] = entry
                if now.secondsSinceEpoch - entry.since.secondsSinceEpoch >= ttlSeconds { expired.append(event) }
            }
            seen = next
            return expired
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
