import BosunRuntime
import BosunScheduler

/// The DaemonSet controller's pod and node handlers (upstream `addPod`, `updatePod`,
/// `deletePod`, `addNode`, `updateNode`): keep the pod index current, observe expectations, and
/// name the sets to sync.
struct DaemonSetEvents: Sendable {
    let sets: Informer<DaemonSet>
    let pods: ControlledPodIndex
    let expectations: TrackedExpectations

    // MARK: Pods

    func keys(for event: InformerEvent<Pod>) -> [ObjectName] {
        pods.apply(event.change)
        switch event.change {
        case .added(let pod):
            if pod.metadata.deletionTimestamp != nil { return deleted(pod) }
            if let ref = pod.controllerOwner {
                guard let owner = resolve(ref, in: pod) else { return [] }
                expectations.creationObserved(owner)
                return [owner]
            }
            return sets(matching: pod)
        case .updated(let old, let new):
            if old.metadata.resourceVersion == new.metadata.resourceVersion { return [] }
            if new.metadata.deletionTimestamp != nil { return deleted(new) }
            var keys: [ObjectName] = []
            let oldRef = old.controllerOwner, newRef = new.controllerOwner
            let refChanged = oldRef != newRef
            if refChanged, let oldRef, let owner = resolve(oldRef, in: old) { keys.append(owner) }
            if let newRef {
                if let owner = resolve(newRef, in: new), !keys.contains(owner) { keys.append(owner) }
                return keys
            }
            if old.metadata.labels != new.metadata.labels || refChanged {
                for owner in sets(matching: new) where !keys.contains(owner) { keys.append(owner) }
            }
            return keys
        case .deleted(let pod):
            return deleted(pod)
        }
    }

    private func deleted(_ pod: Pod) -> [ObjectName] {
        guard let ref = pod.controllerOwner, let owner = resolve(ref, in: pod) else { return [] }
        expectations.deletionObserved(owner, child: ObjectName(of: pod))
        return [owner]
    }

    private func resolve(_ ref: OwnerReference, in pod: Pod) -> ObjectName? {
        guard ref.kind == DaemonSet.kind,
              let set = sets.get(namespace: pod.metadata.namespace ?? "", name: ref.name), set.metadata.uid == ref.uid
        else { return nil }
        return ObjectName(of: set)
    }

    private func sets(matching pod: Pod) -> [ObjectName] {
        let labels = pod.metadata.labels ?? [:]
        return sets.list(namespace: pod.metadata.namespace ?? "").compactMap { set in
            guard let selector = try? set.spec.selector.compiled(), !selector.isEmpty, selector.matches(labels) else { return nil }
            return ObjectName(of: set)
        }
    }

    // MARK: Nodes

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
