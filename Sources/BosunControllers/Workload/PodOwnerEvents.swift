import BosunRuntime

/// The pod handler every pod-owning workload controller shares (upstream's `addPod`,
/// `updatePod`, `deletePod` of the ReplicaSet, DaemonSet and StatefulSet controllers): keeps the
/// pod index current, observes expectations, and names the owners to sync.
///
/// - A pod with a controller of the owner kind wakes that owner (if it still exists with that
///   uid); a new one counts as an expected creation.
/// - An orphan wakes every owner of its namespace whose selector matches, which may adopt it;
///   an update wakes them only when its labels or controller changed.
/// - A pod being deleted (a `deletionTimestamp` appeared) counts as deleted at once, so its
///   replacement need not wait for the grace period; when it finally goes it does not count
///   again.
/// - A pod whose controller changed wakes the old controller too.
struct PodOwnerEvents<Owner: Resource>: Sendable {
    let owners: Informer<Owner>
    let pods: ControlledPodIndex
    /// `nil` for controllers that keep none (StatefulSet: a pod's name says whether it exists).
    let expectations: TrackedExpectations?
    /// The owner's pod selector; owners whose selector is empty or invalid adopt nothing.
    let selector: @Sendable (Owner) -> Selector?

    func keys(for event: InformerEvent<Pod>) -> [ObjectName] {
        pods.apply(event.change)
        switch event.change {
        case .added(let pod):
            if pod.metadata.deletionTimestamp != nil { return deleted(pod) }
            if let ref = pod.controllerOwner {
                guard let owner = resolve(ref, in: pod) else { return [] }
                expectations?.creationObserved(owner)
                return [owner]
            }
            return owners(matching: pod)
        case .updated(let old, let new):
            // A relist delivers unchanged pods as updates: nothing happened to them.
            if old.metadata.resourceVersion == new.metadata.resourceVersion { return [] }
            let labelsChanged = old.metadata.labels != new.metadata.labels
            if new.metadata.deletionTimestamp != nil {
                return deleted(new) + (labelsChanged ? deleted(old) : [])
            }
            var keys: [ObjectName] = []
            let oldRef = old.controllerOwner, newRef = new.controllerOwner
            let refChanged = oldRef != newRef
            if refChanged, let oldRef, let owner = resolve(oldRef, in: old) { keys.append(owner) }
            if let newRef {
                if let owner = resolve(newRef, in: new), !keys.contains(owner) { keys.append(owner) }
                return keys
            }
            if labelsChanged || refChanged {
                for owner in owners(matching: new) where !keys.contains(owner) { keys.append(owner) }
            }
            return keys
        case .deleted(let pod):
            return deleted(pod)
        }
    }

    /// A pod that is going or gone: its controller observes the deletion and syncs.
    private func deleted(_ pod: Pod) -> [ObjectName] {
        guard let ref = pod.controllerOwner, let owner = resolve(ref, in: pod) else { return [] }
        expectations?.deletionObserved(owner, child: ObjectName(of: pod))
        return [owner]
    }

    /// The owner `ref` names, if it is of the owner kind and still the object with that uid.
    private func resolve(_ ref: OwnerReference, in pod: Pod) -> ObjectName? {
        guard ref.kind == Owner.kind else { return nil }
        let name = ObjectName(namespace: pod.metadata.namespace ?? "", name: ref.name)
        return owners.uid(name) == ref.uid ? name : nil
    }

    /// The owners of the pod's namespace whose selector matches it (upstream
    /// `GetPodReplicaSets`, `getPodDaemonSets`, `getPodStatefulSets`).
    private func owners(matching pod: Pod) -> [ObjectName] {
        let labels = pod.metadata.labels ?? [:]
        return owners.list(namespace: pod.metadata.namespace ?? "").compactMap { owner in
            guard let selector = selector(owner), !selector.isEmpty, selector.matches(labels) else { return nil }
            return ObjectName(of: owner)
        }
    }
}
