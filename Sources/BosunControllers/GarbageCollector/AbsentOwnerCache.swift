/// Owners the API server said do not exist, so that the dependents of a deleted owner do not
/// each GET it again (upstream's `ReferenceCache`): the most recently used `capacity` of them.
struct AbsentOwnerCache: Sendable {
    let capacity: Int
    private var lastUse: [ObjectCoordinates: UInt64] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func add(_ owner: ObjectCoordinates) {
        clock += 1
        lastUse[owner] = clock
        if lastUse.count > capacity, let oldest = lastUse.min(by: { $0.value < $1.value })?.key {
            lastUse[oldest] = nil
        }
    }

    /// Whether `owner` is known absent; a hit counts as a use.
    mutating func contains(_ owner: ObjectCoordinates) -> Bool {
        guard lastUse[owner] != nil else { return false }
        clock += 1
        lastUse[owner] = clock
        return true
    }
}
