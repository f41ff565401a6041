import BosunRuntime

/// kube-controller-manager's Job controller: runs a batch/v1 Job's pods to completion and
/// reports them in its status.
///
/// - Keeps `min(parallelism, completions − succeeded)` pods active (`parallelism` until the first
///   success when `completions` is unset), created from the template with the tracking
///   finalizer `batch.kubernetes.io/job-tracking`; Indexed Jobs give each pod a completion index
///   (annotation and label `batch.kubernetes.io/job-completion-index`, env `JOB_COMPLETION_INDEX`,
///   hostname `<job>-<index>`) and report `completedIndexes` as ranges ("1,3-5").
/// - Counts finished pods through `status.uncountedTerminatedPods`: a pod's uid is recorded
///   there, then its finalizer is removed, then it moves into `succeeded` or `failed`.
/// - Fails the Job on `backoffLimit` (`BackoffLimitExceeded`), `activeDeadlineSeconds`
///   (`DeadlineExceeded`), a `podFailurePolicy` `FailJob` rule (`PodFailurePolicy`),
///   `maxFailedIndexes` (`MaxFailedIndexesExceeded`) or failed indexes (`FailedIndexes`);
///   succeeds on its completions (`CompletionsReached`) or a `successPolicy` (`SuccessPolicy`).
///   `FailureTarget` or `SuccessCriteriaMet` comes first and its pods are stopped; `Failed` or
///   `Complete` follows once every pod has ended and been counted.
/// - Replacement pods after failures wait 10 s, doubling per consecutive failure up to
///   ``Options/maxPodFailureBackoff`` (10 min, as the code has it; the docs say 6).
/// - `suspend` deletes the active pods (not counted as failures) and sets `Suspended`; resuming
///   resets `startTime`. `podReplacementPolicy: Failed` waits for a terminating pod to fail.
/// - Events on the Job: `SuccessfulCreate`, `SuccessfulDelete`, `FailedCreate`, `FailedDelete`,
///   `Completed`, `Suspended`, `Resumed`, and a Warning with the failure's reason.
///
/// A second controller (``orphanPodControllerName``) removes the tracking finalizer from pods
/// no running Job will count: orphans, and pods of finished or deleted Jobs.
public enum JobController {
    public static let name = "job"
    /// The controller that releases pods no Job counts any more.
    public static let orphanPodControllerName = "job-orphan-pod"

    /// The finalizer that keeps a Job's finished pod until the Job has counted it.
    public static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    /// An Indexed Job pod's completion index, as annotation and label.
    public static let completionIndexAnnotation = "batch.kubernetes.io/job-completion-index"
    /// How many counted failures an index had before this pod (backoffLimitPerIndex).
    public static let indexFailureCountAnnotation = "batch.kubernetes.io/job-index-failure-count"
    /// How many failures an index had that a podFailurePolicy `Ignore` rule did not count.
    public static let indexIgnoredFailureCountAnnotation = "batch.kubernetes.io/job-index-ignored-failure-count"
    /// The environment variable an Indexed Job's containers read their index from.
    public static let completionIndexEnvName = "JOB_COMPLETION_INDEX"
    /// The `spec.managedBy` value of Jobs this controller syncs (as when unset).
    public static let managedByValue = "kubernetes.io/job-controller"
    /// Creates or deletes per sync (upstream `MaxPodCreateDeletePerSync`).
    public static let burst = 500
    /// Uids recorded in `uncountedTerminatedPods` per sync (upstream `MaxUncountedPods`).
    public static let maxUncountedPods = 500

    /// Tunables with upstream's defaults.
    public struct Options: Sendable {
        /// The delay before replacing a pod after the first failure.
        public var podFailureBackoff: Duration
        /// The cap of the doubling delay.
        public var maxPodFailureBackoff: Duration

        public init(podFailureBackoff: Duration = .seconds(10), maxPodFailureBackoff: Duration = .seconds(600)) {
            self.podFailureBackoff = podFailureBackoff
            self.maxPodFailureBackoff = maxPodFailureBackoff
        }
    }

    /// Registers the Job controller and its orphan-pod cleanup with `manager`. Returns the Job
    /// controller.
    @discardableResult
    public static func register(with manager: Manager, options: Options = Options()) throws -> Controller {
        // The controllers' own sources share these informers and hold them while they run.
        let jobLease = manager.informer(for: Job.self)
        defer { jobLease.release() }
        let jobs = jobLease.informer
        let pods = PodIndex<JobPodFacts>(ownerKind: Job.kind)
        let state = JobControllerState(clock: manager.clock, options: options)
        let podEvents = JobPodEvents(jobs: jobs, pods: pods, state: state)
        let controller = try manager.controller(for: Job.self)
            .named(name)
            .withPredicates(Predicate { event in
                // A Job replaced under the same name must not inherit the old one's bookkeeping.
                if case .updated(let old, let new) = event.change, old.metadata.uid != new.metadata.uid {
                    state.forget(ObjectName(of: old))
                }
                return true
            })
            .watchesChanges(of: Pod.self) { podEvents.keys(for: $0) }
            .complete(JobSync(pods: pods, state: state))
        try JobOrphanPods.register(with: manager, jobs: jobs, pods: pods)
        return controller
    }
}

/// What the Job controller remembers between syncs: expectations of its creates and deletes,
/// the pods whose finalizer removal it waits to see, and each Job's failure backoff.
final class JobControllerState: Sendable {
    let expectations: TrackedExpectations
    let finalizerRemovals = FinalizerRemovalExpectations()
    let backoff = JobBackoffRecords()
    let options: JobController.Options

    init(clock: any RuntimeClock, options: JobController.Options) {
        expectations = TrackedExpectations(clock: clock)
        self.options = options
    }

    func forget(_ job: ObjectName) {
        expectations.forget(job)
        finalizerRemovals.forget(job)
        backoff.remove(job)
    }
}
