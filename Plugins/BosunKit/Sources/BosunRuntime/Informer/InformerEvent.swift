import BosunKit

/// A change an informer saw, as its handlers receive it.
public struct InformerEvent<T: Resource>: Sendable {
    public enum Change: Sendable {
        case added(T)
        /// `old` is what the cache held before; it may equal `new` when only a watch was
        /// restarted.
        case updated(old: T, new: T)
        case deleted(T)
    }

    public var change: Change
    /// `true` for objects delivered by a (re)list or by replay to a newly registered handler
    /// rather than by a watch: controllers queue these behind real changes.
    public var isInitial: Bool

    public init(_ change: Change, isInitial: Bool = false) {
        self.change = change
        self.isInitial = isInitial
    }

    /// The object after the change (for a delete, its last state).
    public var object: T {
        switch change {
        case .added(let o), .deleted(let o): o
        case .updated(_, let new): new
        }
    }
}

/// Where an informer's events go. Handlers run on the informer's task, one event at a time and
/// in order: they must be quick (put a key on a queue) and must not wait on the informer.
public typealias InformerHandler<T: Resource> = @Sendable (InformerEvent<T>) -> Void

/// What an index maps an object to: any number of values.
public typealias IndexFunction<T: Resource> = @Sendable (T) -> [String]

extension Resource {
    /// `metadata.resourceVersion` as a number, for ordering writes the cache has seen; 0 when
    /// it is unset or not numeric (Kubernetes calls it opaque, but every server in practice
    /// uses etcd revisions).
    var numericResourceVersion: Int64 { metadata.resourceVersion.flatMap { Int64($0) } ?? 0 }
}
