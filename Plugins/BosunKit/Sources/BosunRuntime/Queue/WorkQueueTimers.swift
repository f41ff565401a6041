import BosunKit

/// The pending delayed adds and the single task that sleeps until the earliest of them.
struct WorkQueueTimers<Key: Hashable & Sendable>: Sendable {
    var heap = WorkQueueTimerHeap<Key>()
    /// Heap entries whose key no longer waits for them.
    var stale = 0
    private var nextSequence: UInt64 = 0
    /// Bumped whenever the timer task is replaced or stopped, so a superseded task that wakes
    /// anyway leaves the heap alone.
    var generation: UInt64 = 0
    /// The deadline the current timer task sleeps until, or nil when no task runs.
    var armed: Time?
    var task: Task<Void, Never>?

    /// Drops the key's pending delayed add; its heap entry goes stale.
    mutating func cancel(_ entry: inout WorkQueueEntry) {
        guard entry.deadline != nil else { return }
        entry.deadline = nil
        stale += 1
    }

    /// Schedules a delayed add, keeping the earlier deadline and the higher priority of two.
    /// Returns true when the timer must be re-armed to wake sooner than it would.
    mutating func schedule(
        _ entry: inout WorkQueueEntry, key: Key, deadline: Time, priority: WorkQueuePriority
    ) -> Bool {
        // A queued key, or a busy one that will be queued on `done`, is processed soon anyway,
        // and that pass asks for its own requeue if it still needs one.
        guard !entry.queued && !entry.dirty else { return false }
        if let current = entry.deadline {
            entry.deadlinePriority = max(entry.deadlinePriority, priority)
            guard deadline < current else { return false }
            stale += 1
        } else {
            entry.deadlinePriority = priority
        }
        nextSequence &+= 1
        entry.deadline = deadline
        entry.timerSequence = nextSequence
        heap.push(.init(deadline: deadline, sequence: nextSequence, key: key))
        return armed.map { deadline < $0 } ?? true
    }

    /// Stale entries are swept when they are many and most of the heap.
    var needsSweep: Bool { stale > 64 && stale * 2 > heap.count }

    /// Forgets every delayed add and the task; returns the task for the caller to cancel.
    mutating func removeAll() -> Task<Void, Never>? {
        heap.removeAll()
        stale = 0
        generation &+= 1
        armed = nil
        defer { task = nil }
        return task
    }
}
