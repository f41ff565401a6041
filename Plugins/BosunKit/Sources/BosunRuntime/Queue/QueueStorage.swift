import BosunKit

/// A FIFO with O(1) append, pop and (usually) prepend: an array read from a moving head.
///
/// The standard library has no deque, and this is all a lane needs. Popped slots are reclaimed
/// when the lane empties, which for a work queue that keeps up is almost every pop, or when they
/// are at least half the array, so memory stays within twice the live items.
struct WorkQueueLane<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    var first: Element? { head < items.count ? items[head] : nil }

    mutating func append(_ element: Element) {
        items.append(element)
    }

    /// Puts an element back in front, reusing the slot it was popped from when there is one.
    mutating func prepend(_ element: Element) {
        if head > 0 {
            head -= 1
            items[head] = element
        } else {
            items.insert(element, at: 0)
        }
    }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head == items.count {
            removeAll()
        } else if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }

    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        head = 0
    }
}

/// The delayed adds of a queue as a binary min-heap on (deadline, sequence): one timer serves
/// them all by sleeping until ``min``.
///
/// Superseded entries are not searched for and removed (that would be O(n)); the queue tells
/// them apart by their sequence number, skips them when they surface, and ``retain(where:)``
/// sweeps them out when they pile up.
struct WorkQueueTimerHeap<Key> {
    struct Timer {
        var deadline: Time
        var sequence: UInt64
        var key: Key

        func fires(before other: Timer) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var items: [Timer] = []

    var count: Int { items.count }

    var min: Timer? { items.first }

    mutating func push(_ timer: Timer) {
        items.append(timer)
        siftUp(items.count - 1)
    }

    mutating func popMin() -> Timer? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let timer = items.removeLast()
        if !items.isEmpty { siftDown(0) }
        return timer
    }

    mutating func removeAll() {
        items.removeAll()
    }

    /// Keeps the timers `keep` accepts and restores heap order in O(n).
    mutating func retain(where keep: (Timer) -> Bool) {
        items = items.filter(keep)
        var index = items.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].fires(before: items[parent]) else { return }
            items.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { return }
            var earliest = left
            if left + 1 < items.count && items[left + 1].fires(before: items[left]) { earliest = left + 1 }
            guard items[earliest].fires(before: items[parent]) else { return }
            items.swapAt(parent, earliest)
            parent = earliest
        }
    }
}

extension WorkQueueLane: Sendable where Element: Sendable {}
extension WorkQueueTimerHeap: Sendable where Key: Sendable {}
extension WorkQueueTimerHeap.Timer: Sendable where Key: Sendable {}
