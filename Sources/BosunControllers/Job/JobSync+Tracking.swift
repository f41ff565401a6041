import BosunRuntime

// Counting finished pods through `status.uncountedTerminatedPods` and the tracking finalizer
// (upstream `trackJobStatusAndRemoveFinalizers`, `flushUncountedAndRemoveFinalizers`,
// `enactJobFinished`).

extension JobSyncPass {
    /// 1. Records newly finished pods (their uids, or an Indexed Job's indexes) in the status;
    /// 2. removes their finalizers; 3. moves the uids whose finalizer is gone into `succeeded`
    /// and `failed`; 4. sets `Failed` or `Complete` once the Job is done and nothing is left
    /// uncounted or terminating. At most ``JobController/maxUncountedPods`` pods per sync keep
    /// the status small; the status write wakes the Job for the rest.
    mutating func trackStatusAndRemoveFinalizers(needsFlush: Bool) async throws {
        var needsFlush = needsFlush
        let tracked = isIndexed ? pods.sorted { ($0.completionIndex ?? -1) < ($1.completionIndex ?? -1) } : pods
        var withFinalizer = Set(pods.filter { $0.hasTrackingFinalizer && !expectedRemovals.contains($0.uid) }.map(\.uid))
        if Self.countUncounted(&job.status, withFinalizer: withFinalizer) { needsFlush = true }

        var toRelease: [JobPodFacts] = []
        var newSucceededIndexes: [Int] = []
        var uncounted = job.status.uncountedTerminatedPods ?? UncountedTerminatedPods()
        var reachedMaxUncounted = false
        // A Job heading for failure counts every pod it stops as failed.
        let failingJob = finishedCondition.map { $0.type != JobConditionType.successCriteriaMet } ?? false
        for pod in tracked where pod.hasTrackingFinalizer && !expectedRemovals.contains(pod.uid) {
            let failedPod = isPodFailed(pod)
            guard canRemoveFinalizer(pod, failedPod: failedPod) else { continue }
            toRelease.append(pod)
            if pod.phase == "Succeeded" && !uncountedFailed.contains(pod.uid) {
                if isIndexed {
                    // The index alone keeps a success from being counted twice.
                    if let index = pod.completionIndex, index < indexedCompletions ?? 0, !prevSucceededIndexes.contains(index) {
                        newSucceededIndexes.append(index)
                        needsFlush = true
                    }
                } else if !uncountedSucceeded.contains(pod.uid) {
                    uncounted.succeeded = (uncounted.succeeded ?? []) + [pod.uid]
                    needsFlush = true
                }
            } else if failedPod || failingJob {
                if !uncountedFailed.contains(pod.uid) && hasValidIndex(pod)
                    && PodFailurePolicyMatch(job.spec.podFailurePolicy, pod: pod).countsFailure {
                    uncounted.failed = (uncounted.failed ?? []) + [pod.uid]
                    needsFlush = true
                }
            }
            if newSucceededIndexes.count + (uncounted.succeeded?.count ?? 0) + (uncounted.failed?.count ?? 0) >= JobController.maxUncountedPods {
                reachedMaxUncounted = true
                break
            }
        }
        job.status.uncountedTerminatedPods = uncounted

        if isIndexed {
            succeededIndexes = succeededIndexes.adding(orderedIndexes: newSucceededIndexes)
            let completed = succeededIndexes.description
            if completed != (job.status.completedIndexes ?? "") { needsFlush = true }
            job.status.succeeded = succeededIndexes.total == 0 ? nil : Int32(succeededIndexes.total)
            job.status.completedIndexes = completed.isEmpty ? nil : completed
            let failed = failedIndexes?.description
            if failed != job.status.failedIndexes {
                job.status.failedIndexes = failed
                needsFlush = true
            }
        }
        // The interim condition is written before any finalizer goes, the final one after.
        if let target = finishedCondition, target.type == JobConditionType.failureTarget {
            job.status.conditions = (job.status.conditions ?? []) + [target]
            needsFlush = true
            finishedCondition = .new(JobConditionType.failed, reason: target.reason ?? "", message: target.message ?? "", now: now)
        }
        if let met = finishedCondition, met.type == JobConditionType.successCriteriaMet {
            if !job.hasTrueCondition(JobConditionType.successCriteriaMet) {
                job.status.conditions = (job.status.conditions ?? []) + [met]
                needsFlush = true
            }
            finishedCondition = .new(JobConditionType.complete, reason: met.reason ?? "", message: met.message ?? "", now: now)
        }

        needsFlush = try await flushUncountedAndRemoveFinalizers(toRelease, withFinalizer: &withFinalizer, needsFlush: needsFlush)
        let finished = !reachedMaxUncounted && enactJobFinished()
        if finished { needsFlush = true }
        guard needsFlush else { return }
        do {
            job = try await context.client.updateStatus(job)
        } catch {
            throw JobSyncError.removingUncounted(error)
        }
        if finished { recordFinished() }
    }

    /// A finalizer may go when the Job is being deleted or is finishing, when the pod succeeded,
    /// or when it failed — unless it is the failed pod an index keeps until its replacement
    /// carries the failure count.
    private func canRemoveFinalizer(_ pod: JobPodFacts, failedPod: Bool) -> Bool {
        if job.metadata.deletionTimestamp != nil || finishedCondition != nil || pod.phase == "Succeeded" { return true }
        guard failedPod else { return false }
        if hasBackoffLimitPerIndex, let index = pod.completionIndex, podsWithDelayedDeletion[index]?.uid == pod.uid {
            return false
        }
        return true
    }

    /// Writes what was recorded, removes the finalizers, and counts the pods that lost theirs.
    /// Returns whether the status changed since the last write.
    private mutating func flushUncountedAndRemoveFinalizers(
        _ toRelease: [JobPodFacts], withFinalizer: inout Set<String>, needsFlush: Bool
    ) async throws -> Bool {
        var needsFlush = needsFlush
        if needsFlush {
            do {
                job = try await context.client.updateStatus(job)
            } catch {
                throw JobSyncError.addingUncounted(error)
            }
            // The failures are on record: the backoff may count them now.
            state.backoff.update(key, newBackoffRecord)
            needsFlush = false
        }
        var removalError: (any Error)?
        if !toRelease.isEmpty {
            let (released, error) = await removeTrackingFinalizers(toRelease)
            withFinalizer.subtract(released)
            removalError = error
        }
        if Self.countUncounted(&job.status, withFinalizer: withFinalizer) { needsFlush = true }
        if let removalError {
            // Keep the partial progress.
            if needsFlush {
                do {
                    job = try await context.client.updateStatus(job)
                } catch {
                    throw JobSyncError.removingUncounted(error)
                }
            }
            throw removalError
        }
        return needsFlush
    }

    /// Removes the tracking finalizer from `pods` at once; returns the uids it is gone from (a
    /// pod that no longer exists counts) and the first failure.
    private func removeTrackingFinalizers(_ pods: [JobPodFacts]) async -> (Set<String>, (any Error)?) {
        state.finalizerRemovals.expect(key, pods.map(\.uid))
        let client = context.client, removals = state.finalizerRemovals, key = self.key
        return await withTaskGroup(of: (String, (any Error)?).self) { group in
            for pod in pods {
                group.addTask {
                    do {
                        _ = try await client.patch(Pod.self, namespace: pod.objectName.namespace, name: pod.objectName.name,
                                                   .strategic, JobSyncPass.removeFinalizerPatch)
                        return (pod.uid, nil)
                    } catch {
                        // No update will show this removal.
                        removals.observed(key, pod.uid)
                        return (pod.uid, (error as? APIError)?.code == 404 ? nil : error)
                    }
                }
            }
            var released = Set<String>()
            var first: (any Error)?
            for await (uid, error) in group {
                if let error {
                    if first == nil { first = error }
                } else {
                    released.insert(uid)
                }
            }
            return (released, first)
        }
    }

    /// Moves the uncounted pods whose finalizer is gone into `succeeded` and `failed`. Returns
    /// whether any moved.
    static func countUncounted(_ status: inout JobStatus, withFinalizer: Set<String>) -> Bool {
        guard var uncounted = status.uncountedTerminatedPods else { return false }
        var changed = false
        let succeeded = uncounted.succeeded ?? [], stillSucceeded = succeeded.filter(withFinalizer.contains)
        if stillSucceeded.count != succeeded.count {
            status.succeeded = (status.succeeded ?? 0) + Int32(succeeded.count - stillSucceeded.count)
            uncounted.succeeded = stillSucceeded.isEmpty ? nil : stillSucceeded
            changed = true
        }
        let failed = uncounted.failed ?? [], stillFailed = failed.filter(withFinalizer.contains)
        if stillFailed.count != failed.count {
            status.failed = (status.failed ?? 0) + Int32(failed.count - stillFailed.count)
            uncounted.failed = stillFailed.isEmpty ? nil : stillFailed
            changed = true
        }
        status.uncountedTerminatedPods = uncounted
        return changed
    }

    /// Adds `Complete` (with `completionTime`) or `Failed` once nothing is uncounted or
    /// terminating. Returns whether the Job finished.
    private mutating func enactJobFinished() -> Bool {
        guard let finished = finishedCondition else { return false }
        let uncounted = job.status.uncountedTerminatedPods
        if (uncounted?.succeeded?.count ?? 0) + (uncounted?.failed?.count ?? 0) > 0 { return false }
        if terminating > 0 { return false }
        var conditions = job.status.conditions ?? []
        _ = conditions.ensure(finished.type, status: finished.status, reason: finished.reason ?? "", message: finished.message ?? "", now: now)
        job.status.conditions = conditions
        if finished.type == JobConditionType.complete { job.status.completionTime = now.truncatedToSeconds }
        return true
    }

    /// The events of a finished Job: `Completed`, or a Warning with the failure's reason.
    private func recordFinished() {
        guard let finished = finishedCondition else { return }
        if finished.type == JobConditionType.complete {
            if let completions, (job.status.succeeded ?? 0) > completions {
                context.events.event(for: job, type: .warning, reason: "TooManySucceededPods",
                                     message: "Too many succeeded pods running after completion count reached")
            }
            context.events.event(for: job, type: .normal, reason: "Completed", message: "Job completed")
        } else {
            context.events.event(for: job, type: .warning, reason: finished.reason ?? "", message: finished.message ?? "")
        }
    }
}
