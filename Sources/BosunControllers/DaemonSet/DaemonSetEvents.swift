import BosunRuntime
import BosunScheduler

/// The DaemonSet controller's node handler (upstream `addNode`, `updateNode`, `deleteNode`):
/// names the sets whose placement a node change may alter. Pods go through the shared
/// ``PodOwnerEvents``.
struct DaemonSetEvents: Sendable {
    let sets: Informer<DaemonSet>

    /// A new node wakes the sets that want it; a changed node the sets whose verdict on it
    /// changed; a deleted node every set (its pods and counts change). Heartbeats and other
    /// changes placement does not read wake nobody.
    func keys(for event: InformerEvent<Node>) -> [ObjectName] {
        switch event.change {
        case .added(let node):
            let info = NodeInfo(node: node)
            return sets.list().filter { DaemonSetPlacement($0).evaluate(info).shouldRun }.map { ObjectName(of: $0) }
        case .updated(let old, let new):
            guard old.metadata.labels != new.metadata.labels || old.spec.taints != new.spec.taints else { return [] }
            let oldInfo = NodeInfo(node: old), newInfo = NodeInfo(node: new)
            return sets.list().filter { set in
                let placement = DaemonSetPlacement(set)
                return placement.evaluate(oldInfo) != placement.evaluate(newInfo)
            }.map { ObjectName(of: $0) }
        case .deleted:
            return sets.list().map { ObjectName(of: $0) }
        }
    }
}
