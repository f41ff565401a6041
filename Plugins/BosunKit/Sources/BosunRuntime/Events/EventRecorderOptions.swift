/// Limits on how many Event objects a recorder writes, client-go's `EventCorrelator` defaults.
///
/// Controllers report the same thing over and over (every failed reconcile of a broken object
/// warns again); written one object per report, events would swamp the store. The correlator
/// turns repeats into a count on one object, folds messages that keep varying into one
/// "combined" object, and finally rate-limits what is left per involved object.
public struct EventRecorderOptions: Sendable, Hashable {
    /// Events waiting to be written; more are dropped (and logged) rather than block the caller.
    public var queueCapacity: Int
    /// A repeat of an event within this long of its last occurrence updates the existing object;
    /// also the span in which similar events are counted towards aggregation.
    public var aggregationWindow: Duration
    /// After this many distinct messages for the same object, type and reason within the
    /// window, further ones are combined into a single event.
    public var maxSimilarEvents: Int
    /// Entries per correlation cache (deduplication, aggregation, rate limits).
    public var cacheCapacity: Int
    /// Events per involved object allowed in a burst ...
    public var spamBurst: Int
    /// ... and the interval in which one more is allowed after the burst.
    public var spamRefillInterval: Duration

    public init(
        queueCapacity: Int = 1000, aggregationWindow: Duration = .seconds(600), maxSimilarEvents: Int = 10,
        cacheCapacity: Int = 4096, spamBurst: Int = 25, spamRefillInterval: Duration = .seconds(300)
    ) {
        self.queueCapacity = queueCapacity
        self.aggregationWindow = aggregationWindow
        self.maxSimilarEvents = maxSimilarEvents
        self.cacheCapacity = cacheCapacity
        self.spamBurst = spamBurst
        self.spamRefillInterval = spamRefillInterval
    }
}
