import BosunKit

/// All mutable state of a ``WorkQueue``, guarded by its mutex. Every operation is O(1) or
/// O(log n) (delayed adds), amortized.
struct WorkQueueState<Key: Hashable & Sendable>: Sendable {
    typealias Handoff = WorkQueueHandoff<Key>

    enum AddResult: Sendable {
        /// Already queued, or the queue is shut down.
        case ignored
        /// Queued, or marked to be queued again on `done`.
        case added
        /// Given to a waiting worker.
        case handedOff(Handoff)
    }

    enum Attempt: Sendable {
        case taken(Key, addedAt: Time)
        /// Nothing was taken.
        case empty
    }

    enum Reservation: Sendable {
        case taken(Key, addedAt: Time, yield: Bool)
        case shutDown
        /// Nothing to take: the caller waits as the worker with this id.
        case wait(id: UInt64)
    }

    var entries: [Key: WorkQueueEntry] = [:]
    var lanes: WorkQueueLanes<Key>
    var timers = WorkQueueTimers<Key>()
    /// Failures per key since its last `forget`; outlives the key's entry on purpose.
    var failures: [Key: Int] = [:]
    var isShutDown = false

    init(agingThreshold: Duration) {
        lanes = WorkQueueLanes(agingThreshold: agingThreshold)
    }

    mutating func add(_ key: Key, priority: WorkQueuePriority, now: Time) -> AddResult {
        guard !isShutDown else { return .ignored }
        let result = Self.add(
            key, priority: priority, now: now, to: &entries[key, default: WorkQueueEntry()], lanes: &lanes,
            timers: &timers)
        sweepTimersIfNeeded()
        return result
    }

    /// A direct add supersedes a pending delayed one: the key is about to be processed, and that
    /// pass asks for a new requeue if it still needs one.
    private static func add(
        _ key: Key, priority: WorkQueuePriority, now: Time, to entry: inout WorkQueueEntry,
        lanes: inout WorkQueueLanes<Key>, timers: inout WorkQueueTimers<Key>
    ) -> AddResult {
        timers.cancel(&entry)
        if entry.queued {
            lanes.raise(&entry, key: key, to: priority, now: now)
            return .ignored
        }
        if entry.processing {
            if entry.dirty {
                entry.priority = max(entry.priority, priority)
                return .ignored
            }
            entry.dirty = true
            entry.priority = priority
            entry.addedAt = now
            return .added
        }
        if let continuation = lanes.enqueue(&entry, key: key, priority: priority, addedAt: now) {
            return .handedOff(Handoff(continuation: continuation, key: key, addedAt: now))
        }
        return .added
    }

    /// Schedules `key` to be added at `deadline`; true when the timer must be re-armed for it.
    mutating func addLater(_ key: Key, at deadline: Time, priority: WorkQueuePriority) -> Bool {
        guard !isShutDown else { return false }
        let rearm = timers.schedule(
            &entries[key, default: WorkQueueEntry()], key: key, deadline: deadline, priority: priority)
        sweepTimersIfNeeded()
        return rearm
    }

    mutating func take() -> Attempt {
        while lanes.count > 0, let slot = lanes.popCandidate() {
            guard let index = entries.index(forKey: slot.key) else { continue }
            let entry = entries.values[index]
            guard entry.queued && entry.sequence == slot.sequence else { continue }
            entries.values[index].queued = false
            entries.values[index].processing = true
            lanes.didTake()
            return .taken(slot.key, addedAt: entry.addedAt)
        }
        return .empty
    }

    /// The fast path of `next`: takes an item, or reserves a waiter id for the slow path.
    mutating func takeOrReserve() -> Reservation {
        if case .taken(let key, let addedAt) = take() {
            return .taken(key, addedAt: addedAt, yield: lanes.shouldYield())
        }
        return isShutDown ? .shutDown : .wait(id: lanes.reserveWaiterID())
    }

    /// Takes an item or, when there is none, parks the worker's continuation (and returns nil).
    mutating func takeOrWait(
        id: UInt64, continuation: UnsafeContinuation<Key?, Never>, cancelled: Bool
    ) -> Attempt? {
        if isShutDown || cancelled { return .empty }
        let attempt = take()
        if case .empty = attempt {
            lanes.addWaiter(.init(id: id, continuation: continuation))
            return nil
        }
        return attempt
    }

    /// Ends processing of `key`; a key added meanwhile goes back into its lane.
    mutating func done(_ key: Key) -> Handoff? {
        guard let index = entries.index(forKey: key), entries.values[index].processing else { return nil }
        entries.values[index].processing = false
        guard entries.values[index].dirty else {
            if entries.values[index].isIdle { entries.remove(at: index) }
            return nil
        }
        entries.values[index].dirty = false
        let entry = entries.values[index]
        guard
            let continuation = lanes.enqueue(
                &entries.values[index], key: key, priority: entry.priority, addedAt: entry.addedAt)
        else { return nil }
        return Handoff(continuation: continuation, key: key, addedAt: entry.addedAt)
    }

    /// Puts back a key handed to a worker whose task was cancelled before it could return it: in
    /// front of its lane, as it had waited longest, or to another waiting worker.
    mutating func giveBack(_ key: Key) -> Handoff? {
        guard let index = entries.index(forKey: key), entries.values[index].processing else { return nil }
        entries.values[index].processing = false
        entries.values[index].dirty = false
        let entry = entries.values[index]
        guard
            let continuation = lanes.enqueue(
                &entries.values[index], key: key, priority: entry.priority, addedAt: entry.addedAt, inFront: true)
        else { return nil }
        return Handoff(continuation: continuation, key: key, addedAt: entry.addedAt)
    }

    /// Adds every key whose delay has passed. Returns the keys given to waiting workers, how
    /// many adds counted, and the deadline to sleep until next (nil: the timer task ends).
    mutating func fireTimers(generation: UInt64, now: Time) -> (handoffs: [Handoff], added: Int, next: Time?) {
        guard !isShutDown, generation == timers.generation else { return ([], 0, nil) }
        var handoffs: [Handoff] = []
        var added = 0
        while let timer = timers.heap.min, timer.deadline <= now {
            _ = timers.heap.popMin()
            guard let index = entries.index(forKey: timer.key), isLive(timer, entries.values[index]) else {
                timers.stale -= 1
                continue
            }
            entries.values[index].deadline = nil
            let priority = entries.values[index].deadlinePriority
            switch Self.add(
                timer.key, priority: priority, now: now, to: &entries.values[index], lanes: &lanes, timers: &timers)
            {
            case .ignored: break
            case .added: added += 1
            case .handedOff(let handoff):
                added += 1
                handoffs.append(handoff)
            }
        }
        while let timer = timers.heap.min, !isLive(timer) {
            _ = timers.heap.popMin()
            timers.stale -= 1
        }
        timers.armed = timers.heap.min?.deadline
        if timers.armed == nil { timers.task = nil }
        return (handoffs, added, timers.armed)
    }

    /// Shuts down for good; returns the waiting workers and the timer task to release unlocked.
    mutating func shutDown() -> (waiters: [WorkQueueLanes<Key>.Waiter], timer: Task<Void, Never>?) {
        isShutDown = true
        entries.removeAll()
        return (lanes.removeAll(), timers.removeAll())
    }

    private func isLive(_ timer: WorkQueueTimerHeap<Key>.Timer, _ entry: WorkQueueEntry? = nil) -> Bool {
        guard let entry = entry ?? entries[timer.key] else { return false }
        return entry.deadline != nil && entry.timerSequence == timer.sequence
    }

    private mutating func sweepTimersIfNeeded() {
        guard timers.needsSweep else { return }
        let entries = self.entries
        timers.heap.retain { timer in
            guard let entry = entries[timer.key] else { return false }
            return entry.deadline != nil && entry.timerSequence == timer.sequence
        }
        timers.stale = 0
    }
}
