import BosunKit

/// Everything the store holds in memory, guarded by one lock in ``ObjectStore``.
struct StoreState {
    /// Objects by resource, then by `namespace/name`.
    var tables: [GroupResource: [String: StoredObject]] = [:]
    var served: [GroupResource: ServedResource] = [:]
    /// The last revision applied to ``tables`` (and announced to watchers).
    var revision: Int64 = 0
    /// Commits that finished out of order, waiting for their predecessors.
    var pending: [Int64: StoreChange] = [:]
    var waiters: [Int64: [CheckedContinuation<Void, Never>]] = [:]
    /// Recent changes, oldest first, for watch replay.
    var history: [StoreChange] = []
    var historyHead = 0
    /// Every change at or below this revision has left the history.
    var evictedThrough: Int64 = 0
    var watchers: [Int: WatchRegistration] = [:]
    var nextWatcherID = 0
    /// Owner UID → dependents, for the garbage collector.
    var dependents: [String: Set<ObjectKey>] = [:]
    /// Snapshots kept for paginated lists, by token id.
    var listSnapshots: [String: ListSnapshot] = [:]
    var listSnapshotOrder: [String] = []
    var closed = false

    func object(_ key: ObjectKey) -> StoredObject? {
        tables[key.resource]?[key.path]
    }

    /// Applies one committed change to the tables and indexes.
    mutating func apply(_ change: StoreChange) {
        if let previous = change.previous {
            for uid in previous.ownerUIDs { dependents[uid]?.remove(change.key) }
        }
        if let object = change.object {
            tables[change.key.resource, default: [:]][change.key.path] = object
            for uid in object.ownerUIDs { dependents[uid, default: []].insert(change.key) }
        } else {
            tables[change.key.resource]?[change.key.path] = nil
        }
        revision = change.revision
    }

    mutating func record(_ change: StoreChange, capacity: Int) {
        history.append(change)
        if history.count - historyHead > capacity {
            evictedThrough = history[historyHead].revision
            historyHead += 1
            if historyHead > capacity / 2 {
                history.removeFirst(historyHead)
                historyHead = 0
            }
        }
    }

    /// Changes after `revision`, oldest first.
    func changes(after revision: Int64) -> ArraySlice<StoreChange> {
        var low = historyHead
        var high = history.count
        while low < high {
            let mid = (low + high) / 2
            if history[mid].revision <= revision { low = mid + 1 } else { high = mid }
        }
        return history[low...]
    }
}

struct WatchRegistration {
    var stream: WatchStream
    var resource: GroupResource
    var namespace: String?
    var options: ListOptions
}

struct ListSnapshot {
    var resource: GroupResource
    var namespace: String?
    var revision: Int64
    /// Matching objects in key order.
    var items: [StoredObject]
    var created: Time
}
