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

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(items[i], items[parent]) else { break }
            swap(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < items.count && less(items[l], items[best]) { best = l }
            if r < items.count && less(items[r], items[best]) { best = r }
            if best == i { return }
            swap(i, best)
            i = best
        }
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        items.swapAt(a, b)
        positions[items[a].uid] = a
        positions[items[b].uid] = b
    }
}
