import BosunKit

/// The objects an informer holds, with their indexes and the writes its users made that the
/// watch has not delivered yet.
///
/// Values are Swift structs whose large parts live in copy-on-write storage: handing one out
/// costs reference counts, never a deep copy, and nobody can change the cached value.
struct InformerCache<T: Resource>: Sendable {
    private(set) var objects: [ObjectName: T] = [:]
    private var indexers: [String: IndexFunction<T>] = [:]
    /// index name → indexed value → names.
    private var indices: [String: [String: Set<ObjectName>]] = [:]
    /// Own writes newer than what the watch delivered: the object, or `nil` for a delete. An
    /// entry goes when the watch catches up with its resourceVersion.
    private var overlay: [ObjectName: (resourceVersion: Int64, object: T?)] = [:]

    var count: Int { objects.count }

    // MARK: Reads

    func get(_ name: ObjectName) -> T? {
        if let written = overlay[name], written.resourceVersion > (objects[name]?.numericResourceVersion ?? 0) {
            return written.object
        }
        return objects[name]
    }

    /// Every object, or those in one namespace, that `include` accepts.
    func list(namespace: String?, where include: (T) -> Bool) -> [T] {
        var result: [T] = []
        for (name, object) in objects where namespace == nil || name.namespace == namespace {
            if overlay[name] != nil { continue }
            if include(object) { result.append(object) }
        }
        for name in overlay.keys where namespace == nil || name.namespace == namespace {
            guard let object = get(name) else { continue }
            if include(object) { result.append(object) }
        }
        return result
    }

    func byIndex(_ index: String, _ value: String) -> [T] {
        guard let names = indices[index]?[value] else { return [] }
        return names.compactMap { get($0) }
    }

    func hasIndex(_ index: String) -> Bool { indexers[index] != nil }

    // MARK: Writes from the watch

    /// Stores `object`; returns what it replaced.
    @discardableResult
    mutating func upsert(_ object: T) -> T? {
        let name = ObjectName(of: object)
        let old = objects.updateValue(object, forKey: name)
        if let old { unindex(old, name) }
        index(object, name)
        if let written = overlay[name], written.resourceVersion <= object.numericResourceVersion {
            overlay[name] = nil
        }
        return old
    }

    /// Removes the object; `resourceVersion` is the deletion's, which settles any own write
    /// at or before it.
    @discardableResult
    mutating func remove(_ name: ObjectName, resourceVersion: Int64) -> T? {
        let old = objects.removeValue(forKey: name)
        if let old { unindex(old, name) }
        if let written = overlay[name], written.resourceVersion <= resourceVersion {
            overlay[name] = nil
        }
        return old
    }

    // MARK: Own writes

    /// Remembers a write that returned `object`, so reads show it before the watch delivers it.
    mutating func recordWrite(_ object: T) {
        let name = ObjectName(of: object)
        let version = object.numericResourceVersion
        guard version > (objects[name]?.numericResourceVersion ?? 0) else { return }
        overlay[name] = (version, object)
    }

    /// Remembers a delete that took effect at `resourceVersion`.
    mutating func recordDelete(_ name: ObjectName, resourceVersion: Int64) {
        guard objects[name] != nil || overlay[name] != nil else { return }
        overlay[name] = (resourceVersion, nil)
    }

    // MARK: Indexes

    mutating func addIndexer(_ name: String, _ function: @escaping IndexFunction<T>) {
        guard indexers[name] == nil else { return }
        indexers[name] = function
        var index: [String: Set<ObjectName>] = [:]
        for (key, object) in objects {
            for value in function(object) { index[value, default: []].insert(key) }
        }
        indices[name] = index
    }

    private mutating func index(_ object: T, _ name: ObjectName) {
        for (index, function) in indexers {
            for value in function(object) { indices[index]![value, default: []].insert(name) }
        }
    }

    private mutating func unindex(_ object: T, _ name: ObjectName) {
        for (index, function) in indexers {
            for value in function(object) {
                indices[index]![value]?.remove(name)
                if indices[index]![value]?.isEmpty == true { indices[index]![value] = nil }
            }
        }
    }
}
