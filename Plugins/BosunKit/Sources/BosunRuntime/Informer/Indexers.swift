import BosunKit

/// Index functions controllers commonly need, under well-known names so that controllers sharing
/// an informer share the index too (adding an index under a name that exists is a no-op).
public enum Indexers {
    /// Name of the owner-UID index.
    public static let ownerUID = "ownerUID"
    /// Name of the pod node-name index.
    public static let nodeName = "spec.nodeName"

    /// Every owner's uid: find an object's dependents with `byIndex(Indexers.ownerUID, uid)`.
    public static func ownerUIDs<T: Resource>(_ object: T) -> [String] {
        object.metadata.ownerReferences?.map(\.uid) ?? []
    }

    /// The node a pod is bound to (none while unscheduled).
    public static func podNodeName(_ pod: Pod) -> [String] {
        guard let node = pod.spec.nodeName, !node.isEmpty else { return [] }
        return [node]
    }
}

extension Informer {
    /// Indexes objects by their owners' uids under ``Indexers/ownerUID``.
    public func indexByOwnerUID() {
        addIndexer(Indexers.ownerUID) { Indexers.ownerUIDs($0) }
    }
}

extension Informer where T == Pod {
    /// Indexes pods by `spec.nodeName` under ``Indexers/nodeName``.
    public func indexByNodeName() {
        addIndexer(Indexers.nodeName, Indexers.podNodeName)
    }
}
