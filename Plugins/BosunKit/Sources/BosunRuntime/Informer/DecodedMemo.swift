import BosunKit

/// Decoded values of recently changed or read objects, at most `capacity` of them; when full, a
/// value chosen at random makes room.
///
/// An informer keeps every object as its stored JSON (in-process, the very bytes the store
/// holds) and a typed value only for this hot set: a typed Pod takes about four times its JSON,
/// so caching all of them typed would cost memory in proportion to the cluster rather than to
/// what controllers touch.
///
/// Random rather than oldest-first eviction: controllers often visit every object in turn (ten
/// thousand CronJobs due at the same minute, a resync), and a cycle over more objects than the
/// memo holds evicts, oldest-first, each value just before it is read again — every read a miss.
/// At random, most of the memo survives a cycle.
struct DecodedMemo<T: Sendable>: Sendable {
    let capacity: Int
    private var values: [ObjectName: (value: T, slot: Int)] = [:]
    /// The names held, densely: a random slot is a random victim.
    private var names: [ObjectName] = []
    /// xorshift64 state: deterministic, and cheaper than the system generator under a lock.
    private var random: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    subscript(name: ObjectName) -> T? { values[name]?.value }

    mutating func insert(_ value: T, for name: ObjectName) {
        guard capacity > 0 else { return }
        if let held = values[name] {
            values[name] = (value, held.slot)
            return
        }
        if names.count < capacity {
            values[name] = (value, names.count)
            names.append(name)
            return
        }
        let slot = nextVictim()
        values[names[slot]] = nil
        names[slot] = name
        values[name] = (value, slot)
    }

    mutating func remove(_ name: ObjectName) {
        guard let held = values.removeValue(forKey: name) else { return }
        let last = names.removeLast()
        if held.slot < names.count {
            names[held.slot] = last
            values[last]?.slot = held.slot
        }
    }

    var count: Int { values.count }

    private mutating func nextVictim() -> Int {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return Int(random % UInt64(names.count))
    }
}
