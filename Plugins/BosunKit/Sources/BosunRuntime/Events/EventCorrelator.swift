import BosunKit

/// Decides, for each recorded event, whether to create an object, patch an earlier one or drop
/// it: client-go's aggregator, event logger and spam filter, in that order. Owned by one writer
/// task, so it needs no lock.
struct EventCorrelator {
    enum Decision {
        case create(Event, DedupKey)
        /// Patch `event.metadata.name` with this merge patch; create `event` if it is gone.
        case patch(Event, JSONValue, DedupKey)
        case skip
    }

    /// What makes events "similar": all but the message. Hashed once, when made: every event
    /// looks it up and stores it again, in two caches.
    struct SimilarityKey: Hashable {
        private let hash: Int
        var component: String?
        var host: String?
        var kind: String?
        var namespace: String?
        var name: String?
        var uid: String?
        var apiVersion: String?
        var type: String?
        var reason: String?
        var reportingComponent: String?
        var reportingInstance: String?

        init(_ e: Event) {
            component = e.source?.component
            host = e.source?.host
            kind = e.involvedObject.kind
            namespace = e.involvedObject.namespace
            name = e.involvedObject.name
            uid = e.involvedObject.uid
            apiVersion = e.involvedObject.apiVersion
            type = e.type
            reason = e.reason
            reportingComponent = e.reportingComponent
            reportingInstance = e.reportingInstance
            var hasher = Hasher()
            hasher.combine(component)
            hasher.combine(host)
            hasher.combine(kind)
            hasher.combine(namespace)
            hasher.combine(name)
            hasher.combine(uid)
            hasher.combine(apiVersion)
            hasher.combine(type)
            hasher.combine(reason)
            hasher.combine(reportingComponent)
            hasher.combine(reportingInstance)
            hash = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    /// Which earlier event object a new one may update: an identical event, or the combined
    /// event of its similarity group.
    enum DedupKey: Hashable {
        case identical(SimilarityKey, fieldPath: String?, message: String?)
        case combined(SimilarityKey)
    }

    private struct SpamKey: Hashable {
        private let hash: Int
        var component: String?
        var host: String?
        var object: ObjectReference

        init(_ e: Event) {
            component = e.source?.component
            host = e.source?.host
            object = ObjectReference(
                apiVersion: e.involvedObject.apiVersion, kind: e.involvedObject.kind,
                name: e.involvedObject.name, namespace: e.involvedObject.namespace, uid: e.involvedObject.uid)
            var hasher = Hasher()
            hasher.combine(component)
            hasher.combine(host)
            hasher.combine(object)
            hash = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    private struct SimilarEvents {
        var messages: Set<String> = []
        var last: Time
    }

    private struct Observation {
        var name: String
        var resourceVersion: String?
        var count: Int32
        var firstTimestamp: Time?
        var lastTimestamp: Time
    }

    private struct TokenBucket {
        var tokens: Double
        var last: Time
    }

    private let options: EventRecorderOptions
    private var similar: CorrelationCache<SimilarityKey, SimilarEvents>
    private var observations: CorrelationCache<DedupKey, Observation>
    private var buckets: CorrelationCache<SpamKey, TokenBucket>

    init(options: EventRecorderOptions) {
        self.options = options
        similar = CorrelationCache(capacity: options.cacheCapacity)
        observations = CorrelationCache(capacity: options.cacheCapacity)
        buckets = CorrelationCache(capacity: options.cacheCapacity)
    }

    /// `event` carries its occurrence time in `lastTimestamp`.
    mutating func correlate(_ event: Event) -> Decision {
        let now = event.lastTimestamp ?? .zero
        let (candidate, key) = aggregate(event, now: now)
        let (observed, patch) = observe(candidate, key: key, now: now)
        if !allow(observed, now: now) { return .skip }
        return patch.map { .patch(observed, $0, key) } ?? .create(observed, key)
    }

    /// Learns the name and resourceVersion the server gave the event written for `key`.
    mutating func written(_ event: Event, key: DedupKey) {
        observations.updateIfPresent(key) { observation in
            observation.name = event.metadata.name ?? observation.name
            observation.resourceVersion = event.metadata.resourceVersion
        }
    }

    /// client-go's `EventAggregate`: the event unchanged, or once too many messages vary, a
    /// combined event that stands for the group.
    private mutating func aggregate(_ event: Event, now: Time) -> (Event, DedupKey) {
        let group = SimilarityKey(event)
        let window = options.aggregationWindow
        let similarCount = similar.update(group, default: { SimilarEvents(last: now) }) { record in
            if record.last.advanced(by: window) < now { record = SimilarEvents(last: now) }
            record.messages.insert(event.message ?? "")
            record.last = now
            let count = record.messages.count
            // Keep the set from growing past the threshold, as client-go does.
            if count >= options.maxSimilarEvents, let any = record.messages.first { record.messages.remove(any) }
            return count
        }
        if similarCount < options.maxSimilarEvents {
            return (event, .identical(group, fieldPath: event.involvedObject.fieldPath, message: event.message))
        }

        var combined = Event(
            metadata: ObjectMeta(
                name: EventNames.unique(for: event.involvedObject.name ?? "", at: now),
                namespace: event.metadata.namespace),
            involvedObject: event.involvedObject,
            count: 1, firstTimestamp: now, lastTimestamp: now,
            message: "(combined from similar events): " + (event.message ?? ""),
            reason: event.reason, reportingComponent: event.reportingComponent,
            reportingInstance: event.reportingInstance, source: event.source, type: event.type)
        combined.involvedObject.fieldPath = nil
        return (combined, .combined(group))
    }

    /// client-go's `eventObserve`: a repeat within the window becomes a patch of the earlier
    /// object with the next count.
    private mutating func observe(_ event: Event, key: DedupKey, now: Time) -> (Event, JSONValue?) {
        var event = event
        var patch: JSONValue?
        let window = options.aggregationWindow
        observations.update(key, default: { Observation(name: "", count: 0, lastTimestamp: now) }) { observation in
            if observation.count > 0, observation.lastTimestamp.advanced(by: window) >= now {
                event.metadata.name = observation.name
                event.metadata.resourceVersion = observation.resourceVersion
                event.firstTimestamp = observation.firstTimestamp
                event.count = observation.count + 1
                patch = [
                    "count": .number(.int(Int64(observation.count + 1))),
                    "lastTimestamp": now.jsonValue(),
                    "message": .string(event.message ?? ""),
                ]
            }
            observation = Observation(
                name: event.metadata.name ?? "", resourceVersion: event.metadata.resourceVersion,
                count: event.count ?? 1, firstTimestamp: event.firstTimestamp, lastTimestamp: now)
        }
        return (event, patch)
    }

    /// client-go's `EventSourceObjectSpamFilter`: a token bucket per source and involved object.
    private mutating func allow(_ event: Event, now: Time) -> Bool {
        let burst = Double(options.spamBurst)
        let refill = options.spamRefillInterval
        return buckets.update(SpamKey(event), default: { TokenBucket(tokens: burst, last: now) }) { bucket in
            let elapsed = bucket.last.duration(to: now)
            if elapsed > .zero, refill > .zero {
                bucket.tokens = min(burst, bucket.tokens + elapsed / refill)
            }
            bucket.last = max(bucket.last, now)
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            return allowed
        }
    }
}
