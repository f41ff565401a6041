import BosunRuntime

/// One sync of a Job, as upstream's `syncJob`:
///
/// 1. a finished Job, or one another controller manages (`spec.managedBy`), is left alone;
/// 2. claim the Job's pods (its own and the orphans of its namespace), adopting with the
///    tracking finalizer;
/// 3. count what finished since the last status, and decide whether the Job has failed
///    (backoff limit, deadline, pod failure policy, failed indexes) or succeeded;
/// 4. a Job that failed or succeeded deletes its active pods; any other creates or deletes
///    toward its target, or deletes everything while suspended;
/// 5. record finished pods in `uncountedTerminatedPods`, remove their finalizers, count them,
///    and set `Failed`/`Complete` once nothing is left running or uncounted;
/// 6. requeue for the active deadline or the end of a failure backoff, which no event announces.
struct JobSync: Reconciler {
    let pods: PodIndex<JobPodFacts>
    let state: JobControllerState

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let job = try await context.client.getIfPresent(Job.self, namespace: request.namespace, name: request.name) else {
            state.forget(request)
            return .done
        }
        if let managedBy = job.spec.managedBy, managedBy != JobController.managedByValue { return .done }
        if job.isFinished {
            state.backoff.remove(request)
            return .done
        }
        if let mode = job.spec.completionMode, mode != "NonIndexed" && mode != "Indexed" {
            context.events.event(for: job, type: .warning, reason: "UnknownCompletionMode",
                                 message: "Skipped Job sync because completion mode is unknown")
            return .done
        }
        // Admission refuses Jobs without a valid selector; retrying cannot fix one that got through.
        guard let selector = try? job.spec.selector?.compiled() else {
            context.logger.error("missing or invalid selector; not syncing")
            return .done
        }
        // Both read before the pods are listed. A pod that shows up after the expectations check
        // is seen next time. The pod handler updates the index before it observes a finalizer
        // removal, so a removal not expected any more shows in the listing, and one expected
        // still is skipped: either way a pod is counted once.
        let satisfied = state.expectations.isSatisfied(request)
        let expectedRemovals = state.finalizerRemovals.uids(request)
        let candidates = pods.pods(controlledBy: job.metadata.uid ?? "") + pods.orphans(in: request.namespace)
        let claimed = try await ControllerRefManager<Job, Pod>(
            owner: job, selector: selector, client: context.client, finalizers: [JobController.trackingFinalizer]
        ).claim(candidates).map { pod -> JobPodFacts in
            // An adopted pod carries the finalizer from now on.
            var pod = pod
            if pod.controllerRef == nil { pod.hasTrackingFinalizer = true }
            return pod
        }
        var pass = JobSyncPass(key: request, job: job, pods: claimed, satisfiedExpectations: satisfied,
                               expectedRemovals: expectedRemovals, state: state, context: context)
        try await pass.run()
        return pass.requeueAfter.map { .requeue(after: $0) } ?? .done
    }
}

/// The state of one sync (upstream `syncJobCtx`) and its steps.
struct JobSyncPass {
    let key: ObjectName
    let state: JobControllerState
    let context: ReconcileContext
    let now: Time
    let satisfiedExpectations: Bool

    var job: Job
    let pods: [JobPodFacts]
    let activePods: [JobPodFacts]
    var ready: Int32
    var terminating: Int32
    let uncountedSucceeded: Set<String>
    let uncountedFailed: Set<String>
    /// Pods whose finalizer removal is in flight: counted already.
    let expectedRemovals: Set<String>
    var succeeded: Int32 = 0
    var failed: Int32 = 0
    var prevSucceededIndexes = IndexIntervals()
    var succeededIndexes = IndexIntervals()
    var failedIndexes: IndexIntervals?
    /// Per index, the failed pod kept until its replacement carries the failure count.
    var podsWithDelayedDeletion: [Int: JobPodFacts] = [:]
    var newBackoffRecord = JobBackoffRecords.Record()
    /// The condition the Job is heading for, if any.
    var finishedCondition: JobCondition?
    /// When the Job needs another look that no event will bring.
    var requeueAfter: Duration?

    init(
        key: ObjectName, job: Job, pods: [JobPodFacts], satisfiedExpectations: Bool, expectedRemovals: Set<String>,
        state: JobControllerState, context: ReconcileContext
    ) {
        self.key = key
        self.job = job
        self.pods = pods
        self.satisfiedExpectations = satisfiedExpectations
        self.state = state
        self.context = context
        now = context.clock.now()
        activePods = pods.filter(\.isActive)
        ready = Int32(activePods.filter(\.isReady).count)
        terminating = Int32(pods.filter(\.isTerminating).count)
        let uncounted = job.status.uncountedTerminatedPods ?? UncountedTerminatedPods()
        uncountedSucceeded = Set(uncounted.succeeded ?? [])
        uncountedFailed = Set(uncounted.failed ?? [])
        self.expectedRemovals = expectedRemovals
        if job.status.uncountedTerminatedPods == nil { self.job.status.uncountedTerminatedPods = UncountedTerminatedPods() }
    }

    // MARK: Spec shortcuts

    var isIndexed: Bool { job.spec.completionMode == "Indexed" }
    var completions: Int32? { job.spec.completions }
    var indexedCompletions: Int? { isIndexed ? Int(completions ?? 0) : nil }
    var isSuspended: Bool { job.spec.suspend == true }
    var hasBackoffLimitPerIndex: Bool { job.spec.backoffLimitPerIndex != nil }
    var backoffLimit: Int32 { job.spec.backoffLimit ?? 6 }

    /// Replace a terminating pod only once it failed: `podReplacementPolicy: Failed`, always so
    /// with a pod failure policy.
    var onlyReplaceFailedPods: Bool { job.spec.podReplacementPolicy == "Failed" || job.spec.podFailurePolicy != nil }

    /// Failed, or (unless replacement waits for the Failed phase) deleted before succeeding:
    /// an orphaned pod may never get to report Failed.
    func isPodFailed(_ pod: JobPodFacts) -> Bool {
        if pod.phase == "Failed" { return true }
        if onlyReplaceFailedPods { return false }
        return pod.isDeleting && pod.phase != "Succeeded"
    }

    /// A pod with a valid completion index below `completions` (always, for NonIndexed Jobs).
    func hasValidIndex(_ pod: JobPodFacts) -> Bool {
        guard let completions = indexedCompletions else { return true }
        return pod.completionIndex.map { $0 < completions } ?? false
    }

    /// Pods still tracked (finalizer on, removal not in flight, not in `uncounted`) that pass `filter`.
    func trackedPods(excluding uncounted: Set<String>, _ filter: (JobPodFacts) -> Bool) -> [JobPodFacts] {
        pods.filter { pod in
            pod.hasTrackingFinalizer && !uncounted.contains(pod.uid) && !expectedRemovals.contains(pod.uid)
                && hasValidIndex(pod) && filter(pod)
        }
    }

    func requeue(after delay: Duration) -> Duration {
        min(requeueAfter ?? delay, delay)
    }

    // MARK: The sync

    mutating func run() async throws {
        var active = Int32(activePods.count)
        let newSucceeded = trackedPods(excluding: uncountedSucceeded) { $0.phase == "Succeeded" }
        let newFailed = trackedPods(excluding: uncountedFailed) { isPodFailed($0) }
        let countedNewFailures = newFailed.filter { PodFailurePolicyMatch(job.spec.podFailurePolicy, pod: $0).countsFailure }.count
        succeeded = (job.status.succeeded ?? 0) + Int32(newSucceeded.count) + Int32(uncountedSucceeded.count)
        failed = (job.status.failed ?? 0) + Int32(countedNewFailures) + Int32(uncountedFailed.count)

        // First start: only a Job that is not suspended starts.
        if job.status.startTime == nil && !isSuspended { job.status.startTime = now.truncatedToSeconds }
        newBackoffRecord = state.backoff.record(for: key, newSucceeded: newSucceeded, newFailed: newFailed)

        decideFailure()
        if isIndexed { evaluateIndexes() }

        var manageError: (any Error)?
        var suspendConditionChanged = false
        if finishedCondition != nil {
            let outcome = await deleteActivePods()
            if outcome.deleted != active || !satisfiedExpectations {
                // Pods may remain, or not be in the cache yet: not finished this time.
                finishedCondition = nil
            }
            active -= outcome.deleted
            terminating += outcome.deleted
            ready -= outcome.deletedReady
            manageError = outcome.error
        } else {
            var managed = false
            if satisfiedExpectations && job.metadata.deletionTimestamp == nil {
                (active, manageError) = await manageJob(active: active)
                managed = true
            }
            let complete = completions.map { succeeded >= $0 && active == 0 } ?? (succeeded > 0 && active == 0)
            if complete {
                finishedCondition = .new(JobConditionType.successCriteriaMet, reason: JobReason.completionsReached,
                                         message: "Reached expected number of succeeded pods", now: now)
            } else if managed {
                suspendConditionChanged = updateSuspendedCondition()
            }
        }

        let needsStatusUpdate = suspendConditionChanged || active != (job.status.active ?? 0)
            || job.status.ready != ready || job.status.terminating != terminating
        job.status.active = active == 0 ? nil : active
        job.status.ready = ready
        job.status.terminating = terminating
        do {
            try await trackStatusAndRemoveFinalizers(needsFlush: needsStatusUpdate)
        } catch {
            throw JobSyncError.trackingStatus(error)
        }
        if let manageError { throw manageError }
    }

    /// Upstream's failure checks, in its order: an existing `SuccessCriteriaMet` or
    /// `FailureTarget` stands; then a `FailJob` rule, the backoff limit, the active deadline.
    private mutating func decideFailure() {
        if let met = job.condition(JobConditionType.successCriteriaMet), met.status == "True" {
            finishedCondition = met
            return
        }
        if let target = job.condition(JobConditionType.failureTarget), target.status == "True" {
            finishedCondition = .new(JobConditionType.failed, reason: target.reason ?? "", message: target.message ?? "", now: now)
            return
        }
        if let message = failJobMessage() {
            finishedCondition = .new(JobConditionType.failureTarget, reason: JobReason.podFailurePolicy, message: message, now: now)
            return
        }
        if failed > backoffLimit || pastBackoffLimitOnFailure() {
            finishedCondition = .new(JobConditionType.failureTarget, reason: JobReason.backoffLimitExceeded,
                                     message: "Job has reached the specified backoff limit", now: now)
        } else if let deadline = job.spec.activeDeadlineSeconds, !isSuspended, let start = job.status.startTime {
            let remaining = Duration.seconds(deadline) - start.duration(to: now)
            if remaining <= .zero {
                finishedCondition = .new(JobConditionType.failureTarget, reason: JobReason.deadlineExceeded,
                                         message: "Job was active longer than specified deadline", now: now)
            } else {
                requeueAfter = requeue(after: remaining)
            }
        }
    }

    /// The message of the first failed pod that a `FailJob` rule matches.
    private func failJobMessage() -> String? {
        guard let policy = job.spec.podFailurePolicy else { return nil }
        for pod in pods where isPodFailed(pod) {
            if let message = PodFailurePolicyMatch(policy, pod: pod).failJobMessage { return message }
        }
        return nil
    }

    /// With `restartPolicy: OnFailure` the kubelet restarts failing containers in place: the
    /// restarts of running and pending pods count, `≥ backoffLimit` (`> 0` for a limit of 0).
    private func pastBackoffLimitOnFailure() -> Bool {
        guard job.spec.template.spec?.restartPolicy == "OnFailure" else { return false }
        let restarts = pods.filter { $0.phase == "Running" || $0.phase == "Pending" }.reduce(Int32(0)) { $0 &+ $1.totalRestarts }
        return backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit
    }

    /// Completed and failed indexes; per-index limits; the success policy.
    private mutating func evaluateIndexes() {
        let completions = Int(self.completions ?? 0)
        prevSucceededIndexes = IndexIntervals(parsing: job.status.completedIndexes ?? "", completions: completions)
        let newlySucceeded = Set(pods.compactMap { pod -> Int? in
            guard pod.phase == "Succeeded", pod.hasTrackingFinalizer, let index = pod.completionIndex, index < completions else { return nil }
            return index
        })
        succeededIndexes = prevSucceededIndexes.adding(orderedIndexes: newlySucceeded.sorted())
        succeeded = Int32(succeededIndexes.total)
        if let perIndexLimit = job.spec.backoffLimitPerIndex {
            let previous = job.status.failedIndexes.map { IndexIntervals(parsing: $0, completions: completions) } ?? IndexIntervals()
            let newlyFailed = Set(pods.compactMap { pod -> Int? in
                guard pod.hasTrackingFinalizer, let index = pod.completionIndex, index < completions,
                      isIndexFailed(pod, limit: perIndexLimit) else { return nil }
                return index
            })
            let failedIndexes = previous.adding(orderedIndexes: newlyFailed.sorted())
            self.failedIndexes = failedIndexes
            if finishedCondition == nil {
                if let maxFailed = job.spec.maxFailedIndexes, failedIndexes.total > Int(maxFailed) {
                    finishedCondition = .new(JobConditionType.failureTarget, reason: JobReason.maxFailedIndexesExceeded,
                                             message: "Job has exceeded the specified maximal number of failed indexes", now: now)
                } else if failedIndexes.total > 0 && failedIndexes.total + succeededIndexes.total >= completions {
                    finishedCondition = .new(JobConditionType.failureTarget, reason: JobReason.failedIndexes,
                                             message: "Job has failed indexes", now: now)
                }
            }
            podsWithDelayedDeletion = delayedDeletions()
        }
        if finishedCondition == nil, let message = SuccessPolicyMatch.message(job.spec.successPolicy, completions: completions,
                                                                              succeeded: succeededIndexes) {
            finishedCondition = .new(JobConditionType.successCriteriaMet, reason: JobReason.successPolicy, message: message, now: now)
        }
    }

    /// An index fails when its pod failed and either a `FailIndex` rule matched, or the failure
    /// counts and the index had already failed `backoffLimitPerIndex` times before.
    private func isIndexFailed(_ pod: JobPodFacts, limit: Int32) -> Bool {
        guard isPodFailed(pod) else { return false }
        let match = PodFailurePolicyMatch(job.spec.podFailurePolicy, pod: pod)
        if match.action == "FailIndex" { return true }
        return match.countsFailure && pod.indexFailureCount >= limit
    }

    /// Per index still to run, its latest failed pod: kept (finalizer on) until its replacement
    /// exists, so the replacement can carry the index's failure count.
    private func delayedDeletions() -> [Int: JobPodFacts] {
        let activeIndexes = Set(activePods.compactMap(\.completionIndex))
        var delayed: [Int: JobPodFacts] = [:]
        for pod in trackedPods(excluding: [], { isPodFailed($0) }) {
            guard let index = pod.completionIndex else { continue }
            if succeededIndexes.contains(index) || failedIndexes?.contains(index) == true || activeIndexes.contains(index) { continue }
            if let kept = delayed[index] {
                let keptCount = kept.indexFailureCount + kept.indexIgnoredFailureCount
                let count = pod.indexFailureCount + pod.indexIgnoredFailureCount
                if keptCount <= count && !(pod.finishedAt < kept.finishedAt) { delayed[index] = pod }
            } else {
                delayed[index] = pod
            }
        }
        return delayed
    }

    /// `Suspended=True` (`JobSuspended`) while suspended, which clears `startTime` (as upstream
    /// does since the fix of kubernetes#134521: the deadline counts continuous activity, and a
    /// resumed Job starts it afresh before the deadline is checked); `Suspended=False`
    /// (`JobResumed`) once resumed, which restarts `startTime`. Returns whether the condition
    /// changed.
    private mutating func updateSuspendedCondition() -> Bool {
        var conditions = job.status.conditions ?? []
        defer { job.status.conditions = conditions.isEmpty ? nil : conditions }
        if isSuspended {
            guard conditions.ensure(JobConditionType.suspended, status: "True", reason: "JobSuspended", message: "Job suspended", now: now)
            else { return false }
            context.events.event(for: job, type: .normal, reason: "Suspended", message: "Job suspended")
            job.status.startTime = nil
            return true
        }
        guard conditions.ensure(JobConditionType.suspended, status: "False", reason: "JobResumed", message: "Job resumed", now: now)
        else { return false }
        context.events.event(for: job, type: .normal, reason: "Resumed", message: "Job resumed")
        job.status.startTime = now.truncatedToSeconds
        return true
    }
}

/// The failures of a Job sync, worded as upstream's.
enum JobSyncError: Error, CustomStringConvertible {
    case trackingStatus(any Error)
    case addingUncounted(any Error)
    case removingUncounted(any Error)
    case removingFinalizer(any Error)

    var description: String {
        switch self {
        case .trackingStatus(let error): "tracking status: \(error)"
        case .addingUncounted(let error): "adding uncounted pods to status: \(error)"
        case .removingUncounted(let error): "removing uncounted pods from status: \(error)"
        case .removingFinalizer(let error): "removing completion finalizer: \(error)"
        }
    }
}
