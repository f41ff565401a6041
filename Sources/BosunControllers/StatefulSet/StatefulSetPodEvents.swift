import BosunRuntime

/// The StatefulSet controller's pod handler (upstream `addPod`, `updatePod`, `deletePod`): keeps
/// the pod index current and names the sets to sync.
///
/// - A pod with a StatefulSet controller wakes that set (if it still exists with that uid).
/// - An orphan wakes every set of its namespace whose selector matches, which may adopt it; an
///   update wakes them only when its labels or controller changed.
/// - A pod whose controller changed wakes the old controller too.
struct StatefulSetPodEvents: Sendable {
    let sets: Informer<StatefulSet>
    let pods: ControlledPodIndex

    func keys(for event: InformerEvent<Pod>) -> [ObjectName] {
        pods.apply(event.change)
        switch event.change {
        case .added(let pod), .deleted(let pod):
            if let ref = pod.controllerOwner { return resolve(ref, in: pod).map { [$0] } ?? [] }
            if case .deleted = event.change { return [] }
            return sets(matching: pod)
        case .updated(let old, let new):
            if old.metadata.resourceVersion == new.metadata.resourceVersion { return [] }
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
        }
    }

    private func resolve(_ ref: OwnerReference, in pod: Pod) -> ObjectName? {
        guard ref.kind == StatefulSet.kind,
              let set = sets.get(namespace: pod.metadata.namespace ?? "", name: ref.name), set.metadata.uid == ref.uid
        else { return nil }
        return ObjectName(of: set)
    }

    /// The sets of the pod's namespace whose selector matches it (upstream `getPodStatefulSets`).
    private func sets(matching pod: Pod) -> [ObjectName] {
        let labels = pod.metadata.labels ?? [:]
        return sets.list(namespace: pod.metadata.namespace ?? "").compactMap { set in
            guard let selector = try? set.spec.selector.compiled(), !selector.isEmpty, selector.matches(labels) else { return nil }
            return ObjectName(of: set)
        }
    }
}
