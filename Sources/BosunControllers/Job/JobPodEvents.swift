import BosunRuntime

/// The Job controller's pod handler (upstream `addPod`, `updatePod`, `deletePod`): keeps the pod
/// index current, observes expectations of creates, deletes and finalizer removals, and names
/// the Jobs to sync.
///
/// - A pod with a Job controller wakes that Job (if it is still the object with that uid); a
///   new one counts as an expected creation.
/// - An orphan wakes every Job of its namespace whose selector matches (one may adopt it); an
///   update does only when its labels or controller changed.
/// - A pod being deleted counts as deleted at once, so a replacement need not wait for the grace
///   period (the Job decides by its replacement policy whether to replace it yet).
/// - A pod whose tracking finalizer is gone counts as an observed finalizer removal.
struct JobPodEvents: Sendable {
    let jobs: Informer<Job>
    let pods: PodIndex<JobPodFacts>
    let state: JobControllerState

    func keys(for event: InformerEvent<Pod>) -> [ObjectName] {
        pods.apply(event.change)
        switch event.change {
        case .added(let pod):
            if pod.metadata.deletionTimestamp != nil { return deleted(pod, final: false) }
            if let ref = pod.controllerOwner {
                guard let job = resolve(ref, in: pod) else { return [] }
                state.expectations.creationObserved(job)
                return [job]
            }
            return jobs(matching: pod)
        case .updated(let old, let new):
            // A relist delivers unchanged pods as updates: nothing happened to them.
            if old.metadata.resourceVersion == new.metadata.resourceVersion { return [] }
            if new.metadata.deletionTimestamp != nil { return deleted(new, final: false) }
            let finalizerRemoved = !Self.hasTrackingFinalizer(new)
            let oldRef = old.controllerOwner, newRef = new.controllerOwner
            let refChanged = oldRef != newRef
            var keys: [ObjectName] = []
            func wake(_ ref: OwnerReference, in pod: Pod) {
                guard let job = resolve(ref, in: pod), !keys.contains(job) else { return }
                if finalizerRemoved { state.finalizerRemovals.observed(job, new.metadata.uid ?? "") }
                keys.append(job)
            }
            if refChanged, let oldRef { wake(oldRef, in: old) }
            if let newRef {
                wake(newRef, in: new)
                return keys
            }
            if old.metadata.labels != new.metadata.labels || refChanged {
                for job in jobs(matching: new) where !keys.contains(job) { keys.append(job) }
            }
            return keys
        case .deleted(let pod):
            return deleted(pod, final: true)
        }
    }

    /// A pod that is going (`final` false: its `deletionTimestamp` appeared) or gone: its Job
    /// observes the deletion and syncs. A finished Job's pods are left to the orphan cleanup.
    private func deleted(_ pod: Pod, final: Bool) -> [ObjectName] {
        guard let ref = pod.controllerOwner, let key = resolve(ref, in: pod),
              let job = jobs.get(key), !job.isFinished
        else { return [] }
        state.expectations.deletionObserved(key, child: ObjectName(of: pod))
        if final || !Self.hasTrackingFinalizer(pod) {
            state.finalizerRemovals.observed(key, pod.metadata.uid ?? "")
        }
        return [key]
    }

    /// The Job `ref` names, if it is a Job and still the object with that uid.
    private func resolve(_ ref: OwnerReference, in pod: Pod) -> ObjectName? {
        guard ref.kind == Job.kind else { return nil }
        let name = ObjectName(namespace: pod.metadata.namespace ?? "", name: ref.name)
        return jobs.uid(name) == ref.uid ? name : nil
    }

    /// The Jobs of the pod's namespace whose selector matches it (upstream `getPodJobs`).
    private func jobs(matching pod: Pod) -> [ObjectName] {
        let labels = pod.metadata.labels ?? [:]
        guard !labels.isEmpty else { return [] }
        return jobs.list(namespace: pod.metadata.namespace ?? "").compactMap { job in
            guard let selector = try? job.spec.selector?.compiled(), !selector.isEmpty, selector.matches(labels) else { return nil }
            return ObjectName(of: job)
        }
    }

    static func hasTrackingFinalizer(_ pod: Pod) -> Bool {
        pod.metadata.finalizers?.contains(JobController.trackingFinalizer) == true
    }
}
