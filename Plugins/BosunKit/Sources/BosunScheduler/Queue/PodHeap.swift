/// A binary heap of queued pods with a UID index, so updates and deletes are O(log n).
struct PodHeap: Sendable {
    private(set) var items: [QueuedPodInfo] = []
    private var positions: [String: Int] = [:]
    let less: @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool

    init(less: @escaping @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool) {
        self.less = less
    }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var peek: QueuedPodInfo? { items.first }

    func contains(_ uid: String) -> Bool { positions[uid] != nil }

    func get(_ uid: String) -> QueuedPodInfo? { positions[uid].map { items[$0] } }

    /// Adds, or replaces the entry of the same UID.
    mutating func push(_ item: QueuedPodInfo) {
        if let i = positions[item.uid] {
            items[i] = item
            fix(i)
            return
        }
        items.append(item)
        positions[item.uid] = items.count - 1
        siftUp(items.count - 1)
    }

    mutating func pop() -> QueuedPodInfo? {
        guard !items.isEmpty else { return nil }
        return remove(at: 0)
    }

    @discardableResult
    mutating func remove(_ uid: String) -> QueuedPodInfo? {
        guard let i = positions[uid] else { return nil }
        return remove(at: i)
    }

    private mutating func remove(at i: Int) -> QueuedPodInfo {
        let removed = items[i]
        let last = items.count - 1
        if i != last {
            items.swapAt(i, last)
            positions[items[i].uid] = i
        }
        items.removeLast()
        positions[removed.uid] = nil
        if i < items.count { fix(i) }
        return removed
    }

    private mutating func fix(_ i: Int) {
        if i > 0 && less(items[i], items[(i - 1) / 2]) { siftUp(i) } else { siftDown(i) }
    }

    // The sifts move a hole rather than swap, so each level writes one item and one position.

    private mutating func siftUp(_ start: Int) {
        var i = start
        guard i > 0 else { return }
        let moving = items[i]
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(moving, items[parent]) else { break }
            items[i] = items[parent]
            positions[items[i].uid] = i
            i = parent
        }
        if i != start {
            items[i] = moving
            positions[moving.uid] = i
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let count = items.count
        guard 2 * i + 1 < count else { return }
        let moving = items[i]
        while true {
            let l = 2 * i + 1, r = l + 1
            guard l < count else { break }
            var child = l
            if r < count && less(items[r], items[l]) { child = r }
            guard less(items[child], moving) else { break }
            items[i] = items[child]
            positions[items[i].uid] = i
            i = child
        }
        if i != start {
            items[i] = moving
            positions[moving.uid] = i
        }
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        items.swapAt(a, b)
        positions[items[a].uid] = a
        positions[items[b].uid] = b
    }
}
