import BosunKit

/// What a ``WorkQueue`` knows about one key that is queued, being processed, or waiting for a
/// timer. A key in none of these states has no entry, so the map holds only live work.
struct WorkQueueEntry: Sendable {
    /// Waiting in a lane for a worker.
    var queued = false
    /// Handed to a worker that has not called `done` yet.
    var processing = false
    /// Added again while processing: goes back into a lane on `done`, not to a second worker.
    var dirty = false
    /// The lane of the queued or dirty item.
    var priority = WorkQueuePriority.high
    /// When the queued or dirty item was added: the start of its queue latency.
    var addedAt = Time.zero
    /// When the queued item counts as added when lanes are compared (see ``WorkQueuePriority``).
    var rank = Time.zero
    /// Identifies the item's lane slot; a slot with another number is stale.
    var sequence: UInt64 = 0
    /// When a delayed add is due, if one is pending.
    var deadline: Time?
    var deadlinePriority = WorkQueuePriority.high
    /// Identifies the delayed add's heap entry; an entry with another number is stale.
    var timerSequence: UInt64 = 0

    var isIdle: Bool { !queued && !processing && deadline == nil }
}

/// A key on its way to a worker that was already waiting: the continuation is resumed after
/// the lock is released.
struct WorkQueueHandoff<Key: Sendable>: Sendable {
    var continuation: UnsafeContinuation<Key?, Never>
    var key: Key
    var addedAt: Time
}

/// The two lanes and the workers waiting on them.
///
/// Invariant: workers wait only while no item is queued, so an item arriving while one waits
/// goes straight to it and never touches a lane.
struct WorkQueueLanes<Key: Hashable & Sendable>: Sendable {
    struct Slot: Sendable {
        var key: Key
        var sequence: UInt64
        var rank: Time
    }

    struct Waiter: Sendable {
        var id: UInt64
        var continuation: UnsafeContinuation<Key?, Never>
    }

    let agingThreshold: Duration
    private var high = WorkQueueLane<Slot>()
    private var low = WorkQueueLane<Slot>()
    /// Live items in both lanes (stale slots are not counted).
    private(set) var count = 0
    private(set) var waiters: [Waiter] = []
    private var nextSequence: UInt64 = 0
    private var nextWaiterID: UInt64 = 0
    /// Items taken without suspending, to let other tasks run every so often.
    private var fastTakes: UInt64 = 0

    init(agingThreshold: Duration) {
        self.agingThreshold = agingThreshold
    }

    /// Hands the key to the longest-waiting worker if there is one (returned), else queues it.
    mutating func enqueue(
        _ entry: inout WorkQueueEntry, key: Key, priority: WorkQueuePriority, addedAt: Time, inFront: Bool = false
    ) -> UnsafeContinuation<Key?, Never>? {
        entry.priority = priority
        entry.addedAt = addedAt
        if !waiters.isEmpty {
            entry.processing = true
            return waiters.removeFirst().continuation
        }
        entry.queued = true
        entry.rank = priority == .high ? addedAt : addedAt.advanced(by: agingThreshold)
        nextSequence &+= 1
        entry.sequence = nextSequence
        let slot = Slot(key: key, sequence: nextSequence, rank: entry.rank)
        switch (priority, inFront) {
        case (.high, false): high.append(slot)
        case (.high, true): high.prepend(slot)
        case (.low, false): low.append(slot)
        case (.low, true): low.prepend(slot)
        }
        count += 1
        return nil
    }

    /// Moves a queued low item to the high lane as if added `now`, unless aging already ranks it
    /// earlier than that. Its low slot goes stale.
    mutating func raise(_ entry: inout WorkQueueEntry, key: Key, to priority: WorkQueuePriority, now: Time) {
        guard priority > entry.priority, now < entry.rank else { return }
        entry.priority = priority
        entry.rank = now
        nextSequence &+= 1
        entry.sequence = nextSequence
        high.append(Slot(key: key, sequence: nextSequence, rank: now))
    }

    /// The slot to try next: of the two lanes' heads the earlier ranked, high on ties. It may be
    /// stale; the caller checks it against the entry.
    mutating func popCandidate() -> Slot? {
        guard let first = high.first else { return low.popFirst() }
        if let old = low.first, old.rank < first.rank { return low.popFirst() }
        return high.popFirst()
    }

    /// Counts a live item taken; once none is left, stale slots are dropped with the rest.
    mutating func didTake() {
        count -= 1
        if count == 0 {
            high.removeAll()
            low.removeAll()
        }
    }

    /// True every 64th item taken without suspending: the taker yields then, so a worker that
    /// always finds work cannot monopolize a thread of the cooperative pool.
    mutating func shouldYield() -> Bool {
        fastTakes &+= 1
        return fastTakes & 63 == 0
    }

    mutating func reserveWaiterID() -> UInt64 {
        nextWaiterID &+= 1
        return nextWaiterID
    }

    mutating func addWaiter(_ waiter: Waiter) {
        waiters.append(waiter)
    }

    mutating func removeWaiter(id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }

    /// Empties the lanes and returns the waiting workers, for shutdown.
    mutating func removeAll() -> [Waiter] {
        high.removeAll()
        low.removeAll()
        count = 0
        defer { waiters.removeAll() }
        return waiters
    }
}
