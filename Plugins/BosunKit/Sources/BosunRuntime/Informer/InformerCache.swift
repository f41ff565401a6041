import BosunKit
import BosunStore

/// The objects an informer holds, with their indexes and the writes its users made that the
/// watch has not delivered yet.
///
/// Every object is kept as a ``StoredObject``: its JSON bytes plus the labels and owner facts
/// that selectors need. In-process these are the store's own immutable objects, shared rather
/// than copied. Typed values are kept for a bounded set of recently changed or read objects
/// (see ``DecodedMemo``); others are decoded when read. Nothing handed out can be changed by
/// its reader, and handing one out copies nothing.
struct InformerCache<T: Resource>: Sendable {
    /// What a read found.
    enum Lookup {
        case value(T)
        /// Present, not decoded yet: decode outside the lock and ``memoize(_:_:)``.
        case stored(StoredObject)
        case missing
    }

    private(set) var objects: [ObjectName: StoredObject] = [:]
    private var decoded: DecodedMemo<T>
    private var indexers: [String: IndexFunction<T>] = [:]
    /// index name → indexed value → names.
    private var indices: [String: [String: Set<ObjectName>]] = [:]
    /// index name → name → the values it is indexed under, to unindex without decoding the old
    /// object again.
    private var indexedValues: [String: [ObjectName: [String]]] = [:]
    /// Own writes newer than what the watch delivered: the object, or `nil` for a delete. An
    /// entry goes when the watch catches up with its resourceVersion.
    private var overlay: [ObjectName: (resourceVersion: Int64, object: T?)] = [:]
    /// The store resourceVersion the cache has caught up with: every change at or before it is
    /// reflected here, or superseded. An own write at or before it is old news — recording it
    /// would bring back an object whose deletion the watch already delivered, for good, since
    /// no later event of that object would clear it.
    private(set) var caughtUp: Int64 = 0

    init(decodedCapacity: Int = 8192) {
        decoded = DecodedMemo(capacity: decodedCapacity)
    }

    var count: Int { objects.count }
    var decodedCount: Int { decoded.count }

    // MARK: Reads

    func lookup(_ name: ObjectName) -> Lookup {
        if let written = overlay[name], written.resourceVersion > (objects[name]?.resourceVersion ?? 0) {
            return written.object.map { .value($0) } ?? .missing
        }
        if let value = decoded[name] { return .value(value) }
        if let stored = objects[name] { return .stored(stored) }
        return .missing
    }

    /// The uid of what ``lookup(_:)`` would find, read without decoding it; `nil` when missing.
    func uid(_ name: ObjectName) -> String? {
        if let written = overlay[name], written.resourceVersion > (objects[name]?.resourceVersion ?? 0) {
            return written.object.map { $0.metadata.uid ?? "" }
        }
        return objects[name]?.uid
    }

    /// Keeps `value`, decoded from `stored`, unless the cache moved on meanwhile.
    mutating func memoize(_ value: T, _ stored: StoredObject) {
        guard objects[stored.key.nameKey] === stored else { return }
        decoded.insert(value, for: stored.key.nameKey)
    }

    /// The objects in `namespace` (or all) whose labels `include` accepts.
    func lookups(namespace: String?, labels include: ([String: String]) -> Bool) -> [Lookup] {
        var result: [Lookup] = []
        for (name, stored) in objects where namespace == nil || name.namespace == namespace {
            if overlay[name] != nil || !include(stored.labels) { continue }
            result.append(lookup(name))
        }
        for name in overlay.keys where namespace == nil || name.namespace == namespace {
            if case .value(let value) = lookup(name), include(value.metadata.labels ?? [:]) { result.append(.value(value)) }
        }
        return result
    }

    func lookups(index: String, value: String) -> [Lookup] {
        guard let names = indices[index]?[value] else { return [] }
        return names.map { lookup($0) }
    }

    // MARK: Writes from the watch

    /// Stores `stored`, whose decoded form is `value`; returns what it replaced.
    @discardableResult
    mutating func upsert(_ stored: StoredObject, _ value: T) -> (stored: StoredObject, value: T?)? {
        let name = stored.key.nameKey
        let oldValue = decoded[name]
        let old = objects.updateValue(stored, forKey: name)
        decoded.insert(value, for: name)
        reindex(name, value)
        if let written = overlay[name], written.resourceVersion <= stored.resourceVersion {
            overlay[name] = nil
        }
        return old.map { ($0, oldValue) }
    }

    /// Removes the object; `resourceVersion` is the deletion's, which settles any own write
    /// at or before it.
    @discardableResult
    mutating func remove(_ name: ObjectName, resourceVersion: Int64) -> (stored: StoredObject, value: T?)? {
        let oldValue = decoded[name]
        let old = objects.removeValue(forKey: name)
        decoded.remove(name)
        reindex(name, nil)
        if let written = overlay[name], written.resourceVersion <= resourceVersion {
            overlay[name] = nil
        }
        return old.map { ($0, oldValue) }
    }

    /// The watch or a list brought the cache up to `version`.
    mutating func advance(to version: Int64) {
        if version > caughtUp { caughtUp = version }
    }

    // MARK: Own writes

    /// Remembers a write that returned `object`, so reads show it before the watch delivers it.
    mutating func recordWrite(_ object: T) {
        let name = ObjectName(of: object)
        let version = object.numericResourceVersion
        guard version > caughtUp, version > (objects[name]?.resourceVersion ?? 0),
              version > (overlay[name]?.resourceVersion ?? 0) else { return }
        overlay[name] = (version, object)
    }

    /// Remembers a delete that took effect at `resourceVersion`.
    mutating func recordDelete(_ name: ObjectName, resourceVersion: Int64) {
        guard resourceVersion > caughtUp, objects[name] != nil || overlay[name] != nil else { return }
        overlay[name] = (resourceVersion, nil)
    }

    // MARK: Indexes

    /// Adds an index; `decode` yields the typed value of each object already cached.
    mutating func addIndexer(_ index: String, _ function: @escaping IndexFunction<T>, decode: (StoredObject) -> T?) {
        guard indexers[index] == nil else { return }
        indexers[index] = function
        indices[index] = [:]
        indexedValues[index] = [:]
        for (name, stored) in objects {
            guard let value = decoded[name] ?? decode(stored) else { continue }
            let values = function(value)
            if values.isEmpty { continue }
            indexedValues[index]![name] = values
            for v in values { indices[index]![v, default: []].insert(name) }
        }
    }

    private mutating func reindex(_ name: ObjectName, _ value: T?) {
        for (index, function) in indexers {
            let old = indexedValues[index]![name] ?? []
            let new = value.map(function) ?? []
            if old == new { continue }
            for v in old {
                indices[index]![v]?.remove(name)
                if indices[index]![v]?.isEmpty == true { indices[index]![v] = nil }
            }
            for v in new { indices[index]![v, default: []].insert(name) }
            indexedValues[index]![name] = new.isEmpty ? nil : new
        }
    }
}

extension ObjectKey {
    /// The namespace and name, without the resource.
    var nameKey: ObjectName { ObjectName(namespace: namespace, name: name) }
}
