import BosunKit

/// One change, as a watch delivers it.
public struct StoreEvent: Sendable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
    }

    public var type: EventType
    /// The object after the change; for DELETED, its last state; for BOOKMARK, only
    /// `metadata.resourceVersion` matters.
    public var object: StoredObject?
    /// The store's resourceVersion after the change (for bookmarks, the current one).
    public var resourceVersion: Int64
    /// `object` as the typed value a typed write stored, when one did (ADDED and MODIFIED events
    /// delivered as the change happened, not replays): it equals `object` decoded, so a consumer
    /// of that type need not decode.
    package var typedObject: (any Sendable)?

    public init(type: EventType, object: StoredObject?, resourceVersion: Int64) {
        self.type = type
        self.object = object
        self.resourceVersion = resourceVersion
    }

    /// ``object`` as a `T`, when the write that made this event left it typed.
    package func typed<T: Resource>(as type: T.Type) -> T? {
        typedObject as? T
    }
}

/// A committed change in the store's history, from which watches are served and replayed.
struct StoreChange: Sendable {
    var revision: Int64
    let key: ObjectKey
    /// The object after the change, or `nil` when it was deleted.
    var object: StoredObject?
    /// The object before the change, or `nil` when it was created.
    var previous: StoredObject?
    /// `object` as the typed value a typed write stored, for the events delivered now. The
    /// history does not keep it: it would hold a decoded copy of every recent change.
    var typed: (any Sendable)?
    /// `key.path` and its hash, for the tables: worked out as the change is made, before the
    /// store's lock is taken to apply it.
    let path: HashedKey

    init(revision: Int64, key: ObjectKey, object: StoredObject?, previous: StoredObject?, typed: (any Sendable)? = nil) {
        self.revision = revision
        self.key = key
        self.object = object
        self.previous = previous
        self.typed = typed
        path = HashedKey(key.path)
    }
}
