import BosunControllers
import BosunRuntime
import Testing

/// The Job controller against J-1 … J-11 of the workload checklist (`k8s-workload-semantics.md`
/// §6): the core, pod creation and finalizer tracking.
@Suite("Job")
struct JobTests {
    @Test("J-1: a finished Job is never synced again: a pod added later is neither adopted nor counted")
    func finishedJobIsLeftAlone() async throws {
        let env = try await TestEnvironment.withJobController()
        let job = try await env.api.create(JobFixtures.job())
        let pod = try #require(try await env.waitForLivePods(1).first)
        try await env.finishPod(pod.name)
        try await env.waitForCondition(JobConditionType.complete)

        let finished = try await env.job()
        let orphan = try await env.api.create(Pod(
            metadata: ObjectMeta(labels: job.spec.template.metadata?.labels, name: "late", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "main", image: "perl")], restartPolicy: "Never")))
        try await env.finishPod(orphan.name)
        // A Job that still syncs would adopt the matching orphan; give it every chance.
        for _ in 0..<200 { await Task.yield() }
        let late = try await env.api.get(Pod.self, namespace: "default", name: "late")
        #expect(late.metadata.ownerReferences == nil)
        #expect(try await env.job().status == finished.status)
        await env.stop()
    }

    @Test("J-2: a Job managed by another controller is not synced")
    func managedByAnotherController() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job { $0.managedBy = "example.com/other" })
        _ = try await env.api.create(JobFixtures.job("mine"))
        try await env.waitForLivePods(1, of: "mine")
        #expect(try await env.livePods(of: env.job()).isEmpty)
        #expect(try await env.job().status.startTime == nil)
        await env.stop()
    }

    @Test("J-3: a Job runs min(parallelism, completions − succeeded) pods; without completions, parallelism until a success")
    func targetActiveCount() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 3, parallelism: 2))
        var pods = try await env.waitForLivePods(2)
        try await env.finishPod(pods[0].name)
        try await env.waitUntil("a third pod replaces the finished one") {
            let job = try await env.job()
            return try await env.livePods(of: job).filter(\.isActive).count == 2 && job.status.succeeded == 1
        }
        pods = try await env.livePods(of: env.job()).filter(\.isActive)
        try await env.finishPod(pods[0].name)
        try await env.waitUntil("only one pod runs for the last completion") {
            let job = try await env.job()
            return job.status.succeeded == 2 && job.status.active == 1
        }
        #expect(try await env.livePods(of: env.job()).filter(\.isActive).count == 1)

        _ = try await env.api.create(JobFixtures.job("queue", completions: nil, parallelism: 3))
        let workers = try await env.waitForLivePods(3, of: "queue")
        try await env.finishPod(workers[0].name)
        try await env.waitUntil("the success is counted") { try await env.job("queue").status.succeeded == 1 }
        #expect(try await env.livePods(of: env.job("queue")).filter(\.isActive).count == 2, "no new pod after a success")
        await env.stop()
    }

    @Test("J-3: surplus pods are deleted (one sync deletes or creates, never both); J-4: parallelism 0 pauses")
    func surplusAndPause() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 10, parallelism: 4))
        try await env.waitForLivePods(4)
        try await env.updateJob { $0.spec.parallelism = 1 }
        try await env.waitForLivePods(1, "surplus pods are deleted")
        // Events are written in the background, after the deletes they report.
        try await env.waitUntil("a SuccessfulDelete event per deleted pod") {
            try await env.jobEvents().filter { $0.reason == "SuccessfulDelete" }.count >= 3
        }
        await env.manager.events.flush()
        #expect(try await env.jobEvents().filter { $0.reason == "SuccessfulDelete" }.count == 3)

        try await env.updateJob { $0.spec.parallelism = 0 }
        try await env.waitForLivePods(0, "parallelism 0 deletes the active pods")
        try await env.waitUntil("status shows nothing active") { try await env.job().status.active == nil }
        #expect(try await env.job().status.failed == nil, "deleted surplus pods are not failures")
        await env.stop()
    }

    @Test("J-5: startTime is set at the first sync while not suspended")
    func startTime() async throws {
        let env = try await TestEnvironment.withJobController()
        env.clock.advance(by: .seconds(42))
        let expected = env.clock.now().truncatedToSeconds
        _ = try await env.api.create(JobFixtures.job())
        try await env.waitUntil("startTime is set") { try await env.job().status.startTime != nil }
        #expect(try await env.job().status.startTime == expected)

        _ = try await env.api.create(JobFixtures.job("held") { $0.suspend = true })
        try await env.waitForCondition(JobConditionType.suspended, of: "held")
        #expect(try await env.job("held").status.startTime == nil)
        await env.stop()
    }

    @Test("J-6, J-20: a NonIndexed Job completes at its completions with nothing active: SuccessCriteriaMet, then Complete and completionTime")
    func completes() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 2, parallelism: 2))
        let pods = try await env.waitForLivePods(2)
        env.clock.advance(by: .seconds(5))
        try await env.finishPod(pods[0].name)
        try await env.finishPod(pods[1].name)
        try await env.waitForCondition(JobConditionType.complete)

        let job = try await env.job()
        let conditions = try #require(job.status.conditions)
        #expect(conditions.map(\.type) == [JobConditionType.successCriteriaMet, JobConditionType.complete])
        #expect(conditions.allSatisfy { $0.status == "True" && $0.reason == JobReason.completionsReached })
        #expect(conditions[0].message == "Reached expected number of succeeded pods")
        #expect(job.status.succeeded == 2 && job.status.active == nil && job.status.failed == nil)
        #expect(job.status.completionTime == env.clock.now().truncatedToSeconds)
        #expect(job.status.uncountedTerminatedPods?.succeeded == nil)
        #expect(try await env.jobEvents().contains { $0.reason == "Completed" && $0.message == "Job completed" })
        await env.stop()
    }

    @Test("J-6: a work queue (no completions) completes at its first success once nothing is active")
    func workQueueCompletes() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: nil, parallelism: 2))
        let pods = try await env.waitForLivePods(2)
        try await env.finishPod(pods[0].name)
        try await env.waitUntil("the success is counted") { try await env.job().status.succeeded == 1 }
        #expect(try await !env.job().isFinished, "one pod still runs")
        try await env.finishPod(pods[1].name, exitCode: 1)
        try await env.waitForCondition(JobConditionType.complete)
        #expect(try await env.job().status.failed == 1)
        await env.stop()
    }

    @Test("J-7: pods carry the tracking finalizer, a controller ownerRef, generateName <job>-, the Job's labels")
    func podShape() async throws {
        let env = try await TestEnvironment.withJobController()
        let job = try await env.api.create(JobFixtures.job())
        let pod = try #require(try await env.waitForLivePods(1).first)
        #expect(pod.metadata.finalizers == [JobController.trackingFinalizer])
        #expect(pod.metadata.generateName == "pi-")
        let ref = try #require(pod.controllerOwner)
        #expect(ref.apiVersion == "batch/v1" && ref.kind == "Job" && ref.uid == job.metadata.uid && ref.blockOwnerDeletion == true)
        let labels = pod.metadata.labels ?? [:]
        #expect(labels["batch.kubernetes.io/controller-uid"] == job.metadata.uid && labels["controller-uid"] == job.metadata.uid)
        #expect(labels["batch.kubernetes.io/job-name"] == "pi" && labels["job-name"] == "pi" && labels["app"] == "pi")
        #expect(pod.spec.containers[0].env == nil, "a NonIndexed pod gets no index")
        // Events are recorded after the create returns, and may reach the store after the pod.
        try await env.waitUntil("the create is recorded") {
            try await !env.jobEvents().filter { $0.reason == "SuccessfulCreate" }.isEmpty
        }
        let created = try await env.jobEvents().filter { $0.reason == "SuccessfulCreate" }
        #expect(created.compactMap(\.message) == ["Created pod: \(pod.name)"])
        await env.stop()
    }
}

/// J-8 … J-11: counting finished pods through the tracking finalizer.
@Suite("Job: tracking")
struct JobTrackingTests {
    @Test("J-8: a finished pod's uid goes into uncountedTerminatedPods, then its finalizer is removed, then it is counted")
    func finalizerTracking() async throws {
        let recorder = JobStatusRecorder()
        let env = try await TestEnvironment.withJobController { try $0.store.register(validating: recorder) }
        _ = try await env.api.create(JobFixtures.job())
        let pod = try #require(try await env.waitForLivePods(1).first)
        let uid = try #require(pod.metadata.uid)
        try await env.finishPod(pod.name)
        try await env.waitForCondition(JobConditionType.complete)

        let statuses = recorder.statuses
        let recorded = try #require(statuses.firstIndex { $0.uncountedTerminatedPods?.succeeded == [uid] })
        #expect(statuses[recorded].succeeded == nil, "recorded, not counted yet")
        let counted = try #require(statuses.firstIndex { $0.succeeded == 1 })
        #expect(recorded < counted)
        #expect(statuses[counted].uncountedTerminatedPods?.succeeded == nil)
        let after = try await env.api.get(Pod.self, namespace: "default", name: pod.name)
        #expect((after.metadata.finalizers ?? []).isEmpty, "the counted pod is released")
        #expect(after.status.phase == "Succeeded", "and kept")
        await env.stop()
    }

    @Test("J-9: at most 500 uids per sync go into uncountedTerminatedPods, and no terminal condition while any remain")
    func uncountedCap() async throws {
        let recorder = JobStatusRecorder()
        let env = try await TestEnvironment.withJobController { env in
            try env.store.register(validating: recorder)
            let job = try await env.api.create(JobFixtures.job(completions: 501, parallelism: 1))
            for i in 0..<501 {
                let pod = try await env.seedPod(of: job, "pi-\(i)")
                try await env.finishPod(pod.name)
            }
        }
        try await env.waitForCondition(JobConditionType.complete)
        let statuses = recorder.statuses
        let sizes = statuses.map { ($0.uncountedTerminatedPods?.succeeded?.count ?? 0) + ($0.uncountedTerminatedPods?.failed?.count ?? 0) }
        #expect(sizes.max() == 500)
        for status in statuses where status.trueConditions.contains(JobConditionType.complete) {
            #expect(status.uncountedTerminatedPods?.succeeded?.count == nil, "Complete waits for every pod to be counted")
        }
        #expect(try await env.job().status.succeeded == 501, "each pod counted once")
        #expect(try await env.pods(controlledBy: env.job()).count == 501, "no pod was created: all completions were there")
        await env.stop()
    }

    @Test("J-10: orphans and the pods of a deleted Job lose the tracking finalizer; another controller's pods keep it")
    func orphanFinalizers() async throws {
        let env = try await TestEnvironment.withJobController()
        func pod(_ name: String, owner: OwnerReference? = nil) -> Pod {
            Pod(metadata: ObjectMeta(finalizers: [JobController.trackingFinalizer], labels: ["app": "stray"], name: name,
                                     namespace: "default", ownerReferences: owner.map { [$0] }),
                spec: PodSpec(containers: [Container(name: "main", image: "busybox")]))
        }
        @Sendable func finalizers(_ name: String) async throws -> [String] {
            try await env.api.get(Pod.self, namespace: "default", name: name).metadata.finalizers ?? []
        }
        _ = try await env.api.create(pod("stray"))
        _ = try await env.api.create(pod("kept", owner: OwnerReference(
            apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-uid", controller: true)))
        try await env.waitUntil("the orphan loses the finalizer") { try await finalizers("stray").isEmpty }

        _ = try await env.api.create(JobFixtures.job(completions: 2, parallelism: 2))
        let pods = try await env.waitForLivePods(2)
        try await env.api.delete(Job.self, namespace: "default", name: "pi", options: DeleteOptions(propagationPolicy: "Background"))
        try await env.waitUntil("the deleted Job's pods lose the finalizer") {
            for pod in pods where try await !finalizers(pod.name).isEmpty { return false }
            return true
        }
        #expect(try await finalizers("kept") == [JobController.trackingFinalizer])
        await env.stop()
    }

    @Test("J-11, J-24: TerminatingOrFailed: a pod deleted before succeeding counts as failed; its replacement waits for the backoff only")
    func deletedPodCountsAsFailed() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job())
        let pod = try #require(try await env.waitForLivePods(1).first)
        try await env.api.delete(Pod.self, namespace: "default", name: pod.name)
        try await env.waitUntil("the deleted pod counts as failed") { try await env.job().status.failed == 1 }
        try await env.waitUntil("and, released, goes") {
            try await env.api.getIfPresent(Pod.self, namespace: "default", name: pod.name) == nil
        }
        #expect(try await env.livePods(of: env.job()).isEmpty, "the first replacement waits 10 s")
        try await env.advanceToTimer(in: 10)
        try await env.waitForLivePods(1)
        await env.stop()
    }

    @Test("J-11, J-24: podReplacementPolicy Failed: a terminating pod is not failed and not replaced until it reaches Failed")
    func replacementWaitsForFailed() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job { $0.podReplacementPolicy = "Failed" })
        let pod = try #require(try await env.waitForLivePods(1).first)
        try await env.api.delete(Pod.self, namespace: "default", name: pod.name)
        try await env.waitUntil("the pod counts as terminating") { try await env.job().status.terminating == 1 }
        var job = try await env.job()
        #expect(job.status.failed == nil && job.status.active == nil)
        #expect(try await env.pods(controlledBy: job).count == 1, "no replacement while it terminates")

        try await env.finishPod(pod.name, exitCode: 137)
        try await env.waitUntil("the failure is counted") { try await env.job().status.failed == 1 }
        job = try await env.job()
        #expect(job.status.terminating == 0)
        try await env.advanceToTimer(in: 10)
        try await env.waitForLivePods(1)
        await env.stop()
    }
}
