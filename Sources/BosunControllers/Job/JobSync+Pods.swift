import BosunRuntime

// Creating and deleting a Job's pods (upstream `manageJob`, `deleteJobPods`, `deleteActivePods`).

extension JobSyncPass {
    /// What a round of deletions did.
    struct DeleteOutcome {
        var deleted: Int32 = 0
        var deletedReady: Int32 = 0
        var error: (any Error)?
    }

    /// Creates or deletes pods toward the Job's target; returns the active count after it and
    /// the first failure. One sync either deletes or creates, never both.
    mutating func manageJob(active: Int32) async -> (Int32, (any Error)?) {
        var active = active
        if isSuspended {
            let outcome = await deleteJobPods(JobPodRemoval.podsToDelete(activePods, count: Int(active), indexedCompletions: indexedCompletions))
            active -= outcome.deleted
            terminating += outcome.deleted
            ready -= outcome.deletedReady
            return (active, outcome.error)
        }
        let parallelism = job.spec.parallelism ?? 1
        let wantActive: Int32
        if let completions {
            wantActive = max(0, min(completions - succeeded, parallelism))
        } else {
            // A work queue: once a pod succeeded, whatever still runs may finish; nothing new starts.
            wantActive = succeeded > 0 ? active : parallelism
        }

        let surplus = max(0, Int(active - wantActive))
        let victims = JobPodRemoval.podsToDelete(activePods, count: surplus, indexedCompletions: indexedCompletions).prefix(JobController.burst)
        if !victims.isEmpty {
            context.logger.debug("too many pods running", metadata: ["deleting": "\(victims.count)", "target": "\(wantActive)"])
            let outcome = await deleteJobPods(Array(victims))
            active -= outcome.deleted
            terminating += outcome.deleted
            ready -= outcome.deletedReady
            return (active, outcome.error)
        }

        // With podReplacementPolicy Failed a terminating pod still holds its place.
        var missing = wantActive - (onlyReplaceFailedPods ? terminating : 0) - active
        guard missing > 0 else { return (active, nil) }
        if !hasBackoffLimitPerIndex {
            let wait = JobBackoffRecords.remainingDelay(
                failures: newBackoffRecord.failuresAfterLastSuccess, lastFailure: newBackoffRecord.lastFailureTime,
                base: state.options.podFailureBackoff, cap: state.options.maxPodFailureBackoff, now: now)
            if wait > .zero {
                requeueAfter = requeue(after: max(wait, .seconds(1)))
                return (active, nil)
            }
        }
        missing = min(missing, Int32(JobController.burst))
        var indexes: [Int]?
        if let completions = indexedCompletions {
            var pending = firstPendingIndexes(Int(missing), completions: completions)
            if hasBackoffLimitPerIndex {
                let (due, wait) = indexesPastBackoff(pending)
                if let wait { requeueAfter = requeue(after: max(wait, .seconds(1))) }
                if due.isEmpty { return (active, nil) }
                pending = due
            }
            indexes = pending
            missing = Int32(pending.count)
        }
        let outcome = await createPods(Int(missing), indexes: indexes)
        return (active + Int32(outcome.created), outcome.error)
    }

    /// The `count` lowest indexes that no active pod holds and that have not succeeded or failed
    /// (nor, when replacement waits for failure, still terminate).
    private func firstPendingIndexes(_ count: Int, completions: Int) -> [Int] {
        guard count > 0 else { return [] }
        var taken = succeededIndexes.adding(orderedIndexes: Set(activePods.compactMap(\.completionIndex)).sorted())
        if onlyReplaceFailedPods {
            taken = taken.adding(orderedIndexes: Set(pods.filter(\.isTerminating).compactMap(\.completionIndex)).sorted())
        }
        if let failedIndexes { taken = taken.merged(with: failedIndexes) }
        return taken.firstMissing(count, below: completions)
    }

    /// With `backoffLimitPerIndex`, each index waits out its own failures: the indexes whose
    /// backoff has passed, and how long until the next one's does.
    private func indexesPastBackoff(_ indexes: [Int]) -> ([Int], Duration?) {
        var ready: [Int] = []
        var soonest: Duration?
        for index in indexes {
            var wait = Duration.zero
            if let failed = podsWithDelayedDeletion[index] {
                wait = JobBackoffRecords.remainingDelay(
                    failures: failed.indexFailureCount + failed.indexIgnoredFailureCount + 1, lastFailure: failed.finishedAt,
                    base: state.options.podFailureBackoff, cap: state.options.maxPodFailureBackoff, now: now)
            }
            if wait == .zero {
                ready.append(index)
            } else {
                soonest = min(soonest ?? wait, wait)
            }
        }
        return (ready, soonest)
    }

    /// Creates `count` pods from the template (with `indexes`, one each, for an Indexed Job) in
    /// slow-start batches. Returns how many were created and the first failure.
    private func createPods(_ count: Int, indexes: [Int]?) async -> (created: Int, error: (any Error)?) {
        guard count > 0 else { return (0, nil) }
        // Expected before the first create: the handler may see a pod before its create returns.
        state.expectations.expectCreations(key, count)
        context.logger.debug("too few pods running", metadata: ["creating": "\(count)"])
        var template = job.spec.template
        if indexes != nil { Self.addCompletionIndexEnv(&template) }
        var meta = template.metadata ?? ObjectMeta()
        if meta.finalizers?.contains(JobController.trackingFinalizer) != true {
            meta.finalizers = (meta.finalizers ?? []) + [JobController.trackingFinalizer]
        }
        template.metadata = meta
        let podTemplate = template
        let failureCounts = indexes.map { indexFailureCounts(for: $0) } ?? [:]
        let control = PodControl(context)
        let job = self.job
        let controllerRef = job.controllerReference
        let trackFailures = hasBackoffLimitPerIndex
        let outcome = await SlowStart.run(count: count) { number in
            var template = podTemplate
            var generateName: String?
            if let index = indexes?[number] {
                var meta = template.metadata ?? ObjectMeta()
                meta.annotations = (meta.annotations ?? [:]).merging([JobController.completionIndexAnnotation: String(index)]) { $1 }
                meta.labels = (meta.labels ?? [:]).merging([JobController.completionIndexAnnotation: String(index)]) { $1 }
                if trackFailures, let counts = failureCounts[index] {
                    meta.annotations?[JobController.indexFailureCountAnnotation] = String(counts.failed)
                    if counts.ignored > 0 { meta.annotations?[JobController.indexIgnoredFailureCountAnnotation] = String(counts.ignored) }
                }
                template.metadata = meta
                template.spec?.hostname = "\(job.name)-\(index)"
                generateName = Self.generateName(job: job.name, index: index)
            }
            do {
                try await control.createPod(from: template, owner: job, controllerRef: controllerRef, generateName: generateName)
            } catch let error as APIError where error.hasCause(APIError.namespaceTerminatingCause) {
                // Every create will fail the same way, and nobody needs the pods any more.
            }
        }
        // Creates that failed or never started will not show up in the cache.
        for _ in 0..<(count - outcome.successes) { state.expectations.creationObserved(key) }
        return (outcome.successes, outcome.error)
    }

    /// The failure counts a replacement for `index` carries: its predecessor's, plus its own
    /// failure (counted, or ignored by a podFailurePolicy `Ignore` rule).
    private func indexFailureCounts(for indexes: [Int]) -> [Int: (failed: Int32, ignored: Int32)] {
        var counts: [Int: (failed: Int32, ignored: Int32)] = [:]
        for index in indexes {
            guard let replaced = podsWithDelayedDeletion[index] else {
                counts[index] = (0, 0)
                continue
            }
            if PodFailurePolicyMatch(job.spec.podFailurePolicy, pod: replaced).countsFailure {
                counts[index] = (replaced.indexFailureCount + 1, replaced.indexIgnoredFailureCount)
            } else {
                counts[index] = (replaced.indexFailureCount, replaced.indexIgnoredFailureCount + 1)
            }
        }
        return counts
    }

    /// `JOB_COMPLETION_INDEX` in every container and init container, from the pod's index label
    /// (the downward API), unless the container sets it itself.
    static func addCompletionIndexEnv(_ template: inout PodTemplateSpec) {
        guard var spec = template.spec else { return }
        let variable = EnvVar(
            name: JobController.completionIndexEnvName,
            valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels['\(JobController.completionIndexAnnotation)']")))
        func add(_ container: inout Container) {
            guard container.env?.contains(where: { $0.name == JobController.completionIndexEnvName }) != true else { return }
            container.env = (container.env ?? []) + [variable]
        }
        for i in spec.containers.indices { add(&spec.containers[i]) }
        if spec.initContainers != nil {
            for i in spec.initContainers!.indices { add(&spec.initContainers![i]) }
        }
        template.spec = spec
    }

    /// `<job>-<index>-`, the job name cut so that the generated name fits (upstream
    /// `podGenerateNameWithIndex`).
    static func generateName(job: String, index: Int) -> String {
        let suffix = "-\(index)-"
        let prefix = job + suffix
        let maxGenerated = 63 - 5
        guard prefix.utf8.count > maxGenerated else { return prefix }
        return String(job.utf8.prefix(maxGenerated - suffix.utf8.count))! + suffix
    }

    /// A failed or succeeded Job stops its active pods. They keep their finalizers: the
    /// tracking step counts them as failures and removes the finalizers.
    func deleteActivePods() async -> DeleteOutcome {
        let control = PodControl(context)
        let job = self.job
        return await Self.deleteConcurrently(activePods) { pod in
            do {
                try await control.deletePod(named: pod.objectName.name, owner: job)
            } catch let error as APIError where error.code == 404 {
                // Gone already: what the delete wanted.
            }
        }
    }

    /// Removes surplus pods: each loses its finalizer first (so it is never counted, neither
    /// succeeded nor failed), then is deleted. A pod whose delete fails (or that is gone) is
    /// observed at once: the cache will not show its deletion.
    func deleteJobPods(_ victims: [JobPodFacts]) async -> DeleteOutcome {
        guard !victims.isEmpty else { return DeleteOutcome() }
        state.expectations.expectDeletions(key, victims.map(\.objectName))
        let control = PodControl(context)
        let client = context.client
        let job = self.job, key = self.key, expectations = state.expectations
        return await Self.deleteConcurrently(victims) { pod in
            do {
                if pod.hasTrackingFinalizer {
                    do {
                        _ = try await client.patch(Pod.self, namespace: pod.objectName.namespace, name: pod.objectName.name,
                                                   .strategic, JobSyncPass.removeFinalizerPatch)
                    } catch let error as APIError where error.code != 404 {
                        throw JobSyncError.removingFinalizer(error)
                    }
                }
                try await control.deletePod(named: pod.objectName.name, owner: job)
            } catch {
                expectations.deletionObserved(key, child: pod.objectName)
                if (error as? APIError)?.code != 404 { throw error }
            }
        }
    }

    /// Runs `delete` for every pod at once; counts what succeeded (and was ready).
    private static func deleteConcurrently(
        _ pods: [JobPodFacts], _ delete: @escaping @Sendable (JobPodFacts) async throws -> Void
    ) async -> DeleteOutcome {
        await withTaskGroup(of: (JobPodFacts, (any Error)?).self) { group in
            for pod in pods {
                group.addTask {
                    do {
                        try await delete(pod)
                        return (pod, nil)
                    } catch {
                        return (pod, error)
                    }
                }
            }
            var outcome = DeleteOutcome()
            for await (pod, error) in group {
                if let error {
                    if outcome.error == nil { outcome.error = error }
                } else {
                    outcome.deleted += 1
                    if pod.isReady { outcome.deletedReady += 1 }
                }
            }
            return outcome
        }
    }

    /// Strategic merge patch removing the tracking finalizer.
    static let removeFinalizerPatch: JSONValue = [
        "metadata": ["$deleteFromPrimitiveList/finalizers": [.string(JobController.trackingFinalizer)]],
    ]
}
