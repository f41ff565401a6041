import BosunKit

/// Decoded values of recently changed or read objects, at most `capacity` of them, oldest
/// insertion evicted first.
///
/// An informer keeps every object as its stored JSON (in-process, the very bytes the store
/// holds) and a typed value only for this hot set: a typed Pod takes about four times its JSON,
/// so caching all of them typed would cost memory in proportion to the cluster rather than to
/// what controllers touch.
struct DecodedMemo<T: Sendable>: Sendable {
    let capacity: Int
    private var values: [ObjectName: T] = [:]
    /// Insertion order; may hold names already evicted or removed, skipped when met.
    private var order: [ObjectName] = []
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    subscript(name: ObjectName) -> T? { values[name] }

    mutating func insert(_ value: T, for name: ObjectName) {
        guard capacity > 0 else { return }
        if values.updateValue(value, forKey: name) != nil { return }
        order.append(name)
        while values.count > capacity, head < order.count {
            values[order[head]] = nil
            head += 1
        }
        if order.count > 2 * capacity + 64 { compact() }
    }

    mutating func remove(_ name: ObjectName) {
        values[name] = nil
    }

    var count: Int { values.count }

    /// Drops order entries that no longer name a live value.
    private mutating func compact() {
        var seen = Set<ObjectName>()
        var kept: [ObjectName] = []
        kept.reserveCapacity(values.count)
        for name in order[head...] where values[name] != nil && seen.insert(name).inserted {
            kept.append(name)
        }
        order = kept
        head = 0
    }
}
