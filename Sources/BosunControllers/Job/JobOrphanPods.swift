import BosunRuntime

/// Removes the tracking finalizer from pods no running Job will count (upstream `orphanQueue`,
/// `syncOrphanPod`, `cleanupPodFinalizers`): pods without a controller, and pods whose Job is
/// gone or finished. A pod whose controller is not a batch/v1 Job, or whose Job another
/// controller manages, keeps it.
///
/// Pods come from the pod informer (only those carrying the finalizer with no running Job to
/// count them) and from Jobs that finish or are deleted (their pods that still carry it).
enum JobOrphanPods {
    static func register(with manager: Manager, jobs: Informer<Job>, pods: PodIndex<JobPodFacts>) throws {
        try manager.controller(for: Pod.self)
            .named(JobController.orphanPodControllerName)
            .withPredicates(Predicate { event in
                let pod = event.object
                return JobPodEvents.hasTrackingFinalizer(pod) && isUncounted(pod, jobs: jobs)
            })
            .watchesChanges(of: Job.self) { event in
                let job = event.object
                switch event.change {
                case .added: return []
                case .updated: guard job.isFinished else { return [] }
                case .deleted: break
                }
                return pods.pods(controlledBy: job.metadata.uid ?? "").filter(\.hasTrackingFinalizer).map(\.objectName)
            }
            .complete(JobOrphanPodSync(jobs: jobs))
    }

    /// No running Job of ours will count this pod: it is an orphan, or its Job is gone or
    /// finished. (Pods of other controllers are not ours to release.)
    static func isUncounted(_ pod: Pod, jobs: Informer<Job>) -> Bool {
        guard let ref = pod.controllerOwner else { return true }
        guard ref.kind == Job.kind, ref.apiVersion == Job.apiVersion else { return false }
        guard let job = jobs.get(namespace: pod.metadata.namespace ?? "", name: ref.name), job.metadata.uid == ref.uid else {
            return true
        }
        if let managedBy = job.spec.managedBy, managedBy != JobController.managedByValue { return false }
        return job.isFinished
    }
}

/// Looks at one pod again and removes its finalizer if still no running Job counts it.
struct JobOrphanPodSync: Reconciler {
    let jobs: Informer<Job>

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let pod = try await context.client.getIfPresent(Pod.self, namespace: request.namespace, name: request.name),
              JobPodEvents.hasTrackingFinalizer(pod), JobOrphanPods.isUncounted(pod, jobs: jobs)
        else { return .done }
        do {
            _ = try await context.client.patch(Pod.self, namespace: request.namespace, name: request.name,
                                               .strategic, JobSyncPass.removeFinalizerPatch)
        } catch let error as APIError where error.code == 404 {
            // Gone: nothing holds it any more.
        }
        return .done
    }
}
