/// Which lane of a ``WorkQueue`` a key waits in.
///
/// A controller starting up lists every object it owns, and a resync lists them all again; in a
/// single FIFO, a change a user just made would wait behind thousands of no-op reconciles. So
/// listed keys go to the low lane and changed ones to the high lane.
///
/// Workers serve the high lane first, with aging so the low lane never starves: a low key ranks
/// as if it had been added `agingThreshold` later than it was, and workers take whichever lane's
/// oldest key ranks earlier (high on ties). With the default threshold of 1 s, a low key is
/// passed over only by high keys added at most a second after it, so it waits at most that long
/// plus the time to work off the high keys already ahead of it; a high key, in turn, waits only
/// behind low keys added more than a second before it. The rule reads no clock when a key is
/// taken and orders keys only by when they were added, so a `ManualClock` makes it
/// deterministic.
public enum WorkQueuePriority: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// The initial list and resyncs: objects nobody has just changed.
    case low
    /// Objects that changed; the default.
    case high

    public static func < (a: WorkQueuePriority, b: WorkQueuePriority) -> Bool { a.rawValue < b.rawValue }
}
