/// A least-recently-used map of fixed capacity: the event correlator's memory, bounded as
/// client-go's (4096 entries per cache), so a controller touching millions of objects keeps a
/// constant footprint and merely forgets to aggregate events about objects it has not seen lately.
struct CorrelationCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    let capacity: Int
    private var nodes: [Node] = []
    private var slots: [Key: Int] = [:]
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) {
        precondition(capacity > 0, "a correlation cache needs room for at least one entry")
        self.capacity = capacity
    }

    var count: Int { slots.count }

    /// Changes the value for `key` in place — `make`'s when there is none — and marks it the
    /// most recently used, evicting the least recently used when a new key finds the cache
    /// full. One lookup of the key: the correlator's keys hash several strings.
    mutating func update<Result>(_ key: Key, default make: () -> Value, _ body: (inout Value) -> Result) -> Result {
        if let slot = slots[key] {
            touch(slot)
            return body(&nodes[slot].value)
        }
        var value = make()
        let result = body(&value)
        insertNew(key, value)
        return result
    }

    /// Changes the value for `key` in place if there is one, marking it the most recently used.
    mutating func updateIfPresent(_ key: Key, _ body: (inout Value) -> Void) {
        guard let slot = slots[key] else { return }
        touch(slot)
        body(&nodes[slot].value)
    }

    /// Stores a key known to be absent.
    private mutating func insertNew(_ key: Key, _ value: Value) {
        let slot: Int
        if nodes.count < capacity {
            nodes.append(Node(key: key, value: value, newer: -1, older: -1))
            slot = nodes.count - 1
        } else {
            slot = oldest
            unlink(slot)
            slots[nodes[slot].key] = nil
            nodes[slot] = Node(key: key, value: value, newer: -1, older: -1)
        }
        slots[key] = slot
        pushNewest(slot)
    }

    private mutating func touch(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        pushNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if newer >= 0 { nodes[newer].older = older } else { newest = older }
        if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private mutating func pushNewest(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest >= 0 { nodes[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
