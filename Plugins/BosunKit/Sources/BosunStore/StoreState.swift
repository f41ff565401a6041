import BosunKit
import Synchronization

/// Everything the store holds in memory, guarded by one lock in ``ObjectStore``.
struct StoreState {
    /// The namespaces table, also kept under a lock of its own (see ``NamespaceMirror``).
    let namespaceMirror: NamespaceMirror

    init(namespaceMirror: NamespaceMirror) {
        self.namespaceMirror = namespaceMirror
    }

    /// Objects by resource, then by `namespace/name`.
    var tables: [GroupResource: [HashedKey: StoredObject]] = [:]
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
    /// Resource → label key → label value → object paths: lists whose selector pins a label
    /// value (`app=web`, `tier in (a,b)`) visit only the objects carrying it.
    var labelIndex: [GroupResource: [String: [String: LabelPostings]]] = [:]
    /// Snapshots kept for paginated lists, by token id.
    var listSnapshots: [String: ListSnapshot] = [:]
    var listSnapshotOrder: [String] = []
    var closed = false

    func object(_ key: ObjectKey) -> StoredObject? {
        tables[key.resource]?[HashedKey(key.path)]
    }

    /// Applies one committed change to the tables and indexes.
    mutating func apply(_ change: StoreChange) {
        let resource = change.key.resource
        let hashedPath = change.path
        let path = hashedPath.string
        if let previous = change.previous {
            for uid in previous.ownerUIDs {
                // An owner's entry goes with its last dependent: owners come and go (a Job's, a
                // node's Lease's), and empty sets would pile up.
                if dependents[uid]?.remove(change.key) != nil, dependents[uid]?.isEmpty == true { dependents[uid] = nil }
            }
        }
        if resource == NamespaceMirror.resource { namespaceMirror.set(path, change.object) }
        if let object = change.object {
            tables[resource, default: [:]][hashedPath] = object
            for uid in object.ownerUIDs { dependents[uid, default: []].insert(change.key) }
        } else {
            tables[resource]?[hashedPath] = nil
        }
        let before = change.previous?.labels ?? [:]
        let after = change.object?.labels ?? [:]
        if before != after {
            // The resource's index is taken out and put back, so each label costs one lookup.
            var index = labelIndex.removeValue(forKey: resource) ?? [:]
            for (k, v) in before {
                index[k]?[v]?.remove(path)
                // Values die out (a Job's controller-uid, a revision hash): their empty postings go.
                if index[k]?[v]?.count == 0 {
                    index[k]?[v] = nil
                    if index[k]?.isEmpty == true { index[k] = nil }
                }
            }
            for (k, v) in after { index[k, default: [:]][v, default: LabelPostings()].insert(path) }
            labelIndex[resource] = index
        }
        revision = change.revision
    }

    /// The objects that can match `selector`, from the label index when one of its requirements
    /// pins a value (the smallest such candidate set), else every object of the resource.
    func candidates(_ resource: GroupResource, matching selector: Selector) -> [StoredObject] {
        let table = tables[resource] ?? [:]
        // An object has one value per key, so the postings of a requirement's values are disjoint.
        var best: [LabelPostings]?
        var bestCount = 0
        for requirement in selector.requirements {
            switch requirement.operator {
            case .equals, .doubleEquals, .in:
                let byValue = labelIndex[resource]?[requirement.key] ?? [:]
                let postings = Set(requirement.values).compactMap { byValue[$0] }
                let count = postings.reduce(0) { $0 + $1.count }
                if best == nil || count < bestCount { (best, bestCount) = (postings, count) }
            default:
                continue
            }
        }
        guard let best else { return Array(table.values) }
        var result: [StoredObject] = []
        result.reserveCapacity(bestCount)
        for postings in best {
            postings.forEach { path in if let object = table[HashedKey(path)] { result.append(object) } }
        }
        return result
    }

    mutating func record(_ change: StoreChange, capacity: Int) {
        var change = change
        change.typed = nil
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
    var typedObjects: Bool
}

struct ListSnapshot {
    var resource: GroupResource
    var namespace: String?
    var revision: Int64
    /// Matching objects in key order.
    var items: [StoredObject]
    var created: Time
}

/// The objects carrying one label value, as paths. Adding one appends (no hashing: the sets
/// of common values such as `app=web` hold every object of a resource, and inserting into a
/// hash set that size costs a cache miss or two per create); removing one marks it, and the
/// marked paths are dropped once they are half of all.
///
/// A path is present when it is in `paths` and not in `removed`. The store removes every label of
/// an object before adding its new ones, so a path is never added while present.
struct LabelPostings {
    private var paths: [String] = []
    private var removed: Set<String> = []

    var count: Int { paths.count - removed.count }

    mutating func insert(_ path: String) {
        // Marked as removed but still listed: unmark it.
        if !removed.isEmpty, removed.remove(path) != nil { return }
        paths.append(path)
    }

    mutating func remove(_ path: String) {
        removed.insert(path)
        if removed.count >= 32, removed.count * 2 >= paths.count {
            paths.removeAll { removed.contains($0) }
            removed.removeAll()
        }
    }

    func forEach(_ body: (String) -> Void) {
        for path in paths where removed.isEmpty || !removed.contains(path) { body(path) }
    }
}

/// The namespaces, mirrored out of ``StoreState`` with a lock of their own: every create in a
/// namespace looks its namespace up (it must exist and not be terminating), and doing that under
/// the store's lock made creates queue behind other writers' commits. ``StoreState/apply(_:)``
/// keeps it current while holding the store's lock, so it never runs ahead of the tables.
final class NamespaceMirror: Sendable {
    static let resource = GroupResource(group: "", resource: "namespaces")
    private let objects = Mutex<[String: StoredObject]>([:])

    func object(_ name: String) -> StoredObject? { objects.withLock { $0[name] } }
    func set(_ name: String, _ object: StoredObject?) { objects.withLock { $0[name] = object } }
    func removeAll() { objects.withLock { $0.removeAll() } }
}
