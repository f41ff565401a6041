import BosunControllers
import BosunRuntime
import Testing

/// The Job controller against J-19 … J-25: terminal conditions, suspend and resume, deletion.
@Suite("Job: lifecycle")
struct JobLifecycleTests {
    @Test("J-19: a failing Job keeps FailureTarget, not Failed, while a stopped pod still terminates")
    func failedWaitsForTerminatingPods() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 2, parallelism: 2) { $0.backoffLimit = 0 })
        let pods = try await env.waitForLivePods(2)
        // On a node a delete is graceful: the pod terminates until its kubelet confirms.
        for pod in pods { try await env.bindPod(pod.name, to: "n1") }
        try await env.runPod(pods[1].name)
        try await env.finishPod(pods[0].name, exitCode: 1)
        try await env.waitForCondition(JobConditionType.failureTarget)
        try await env.waitUntil("the running pod is stopped") {
            try await env.api.get(Pod.self, namespace: "default", name: pods[1].name).metadata.deletionTimestamp != nil
        }
        try await env.waitUntil("it counts as terminating") { try await env.job().status.terminating == 1 }
        for _ in 0..<100 { await Task.yield() }
        #expect(try await !env.job().hasTrueCondition(JobConditionType.failed), "not Failed while a pod terminates")

        try await env.finishPod(pods[1].name, exitCode: 143)
        try await env.waitForCondition(JobConditionType.failed)
        let job = try await env.job()
        #expect(job.status.terminating == 0 && job.status.active == nil && job.status.failed == 2)
        #expect(job.status.uncountedTerminatedPods?.failed == nil)
        await env.stop()
    }

    @Test("J-21: the API refuses Complete without SuccessCriteriaMet and Failed without FailureTarget")
    func terminalConditionsNeedTheirTargets() async throws {
        let env = try await TestEnvironment.start()
        var job = try await env.api.create(JobFixtures.job())
        let now = env.clock.now().truncatedToSeconds
        job.status.startTime = now
        job.status.completionTime = now
        job.status.conditions = [JobCondition(status: "True", type: "Complete", lastTransitionTime: now)]
        do {
            _ = try await env.api.updateStatus(job)
            Issue.record("Complete without SuccessCriteriaMet was accepted")
        } catch let error as APIError {
            #expect(error.code == 422)
            #expect(error.message.contains("status.conditions: Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition"))
        }
        job.status.completionTime = nil
        job.status.conditions = [JobCondition(status: "True", type: "Failed", lastTransitionTime: now)]
        do {
            _ = try await env.api.updateStatus(job)
            Issue.record("Failed without FailureTarget was accepted")
        } catch let error as APIError {
            #expect(error.message.contains("cannot set Failed=True condition without the FailureTarget=true condition"))
        }
        job.status.conditions = [JobCondition(status: "True", type: "FailureTarget", lastTransitionTime: now),
                                 JobCondition(status: "True", type: "Failed", lastTransitionTime: now)]
        job = try await env.api.updateStatus(job)
        job.status.conditions = nil
        do {
            _ = try await env.api.updateStatus(job)
            Issue.record("a terminal condition was removed")
        } catch let error as APIError {
            #expect(error.message.contains("cannot disable the terminal Failed=True condition"))
        }
        await env.stop()
    }

    @Test("J-22: suspend deletes the active pods without counting them, sets Suspended=True/JobSuspended, records Suspended")
    func suspend() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 4, parallelism: 2))
        let pods = try await env.waitForLivePods(2)
        try await env.runPod(pods[0].name)
        try await env.updateJob { $0.spec.suspend = true }
        try await env.waitForCondition(JobConditionType.suspended)
        try await env.waitUntil("the pods are gone") { try await env.pods(controlledBy: env.job()).isEmpty }
        let job = try await env.job()
        let condition = try #require(job.condition(JobConditionType.suspended))
        #expect(condition.reason == "JobSuspended" && condition.message == "Job suspended")
        #expect(job.status.failed == nil && job.status.active == nil, "suspended pods are not failures")
        #expect(try await env.jobEvents().contains { $0.reason == "Suspended" && $0.message == "Job suspended" })
        await env.stop()
    }

    @Test("J-23: resume sets Suspended=False/JobResumed and restarts startTime; the deadline does not run while suspended")
    func resume() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job { $0.activeDeadlineSeconds = 60 })
        try await env.waitUntil("the Job started") { try await env.job().status.startTime != nil }
        let started = try #require(try await env.job().status.startTime)
        try await env.updateJob { $0.spec.suspend = true }
        try await env.waitForCondition(JobConditionType.suspended)
        // Longer than the deadline passes while suspended.
        env.clock.advance(by: .seconds(120))
        try await env.updateJob { $0.spec.suspend = false }
        try await env.waitUntil("the Job resumes") { try await env.job().condition(JobConditionType.suspended)?.status == "False" }
        let job = try await env.job()
        let condition = try #require(job.condition(JobConditionType.suspended))
        #expect(condition.reason == "JobResumed" && condition.message == "Job resumed")
        #expect(job.status.startTime == env.clock.now().truncatedToSeconds && job.status.startTime != started)
        #expect(!job.hasTrueCondition(JobConditionType.failureTarget), "the deadline counts from the resume")
        try await env.waitForLivePods(1)
        #expect(try await env.jobEvents().contains { $0.reason == "Resumed" })
        // The deadline now runs from the resume.
        try await env.advanceToTimer(in: 60)
        try await env.waitForCondition(JobConditionType.failed)
        #expect(try await env.job().condition(JobConditionType.failed)?.reason == JobReason.deadlineExceeded)
        await env.stop()
    }

    @Test("J-24: status.terminating counts pods being deleted; TerminatingOrFailed replaces one before it is gone")
    func terminatingReplacedBeforeGone() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 2, parallelism: 1))
        let pod = try #require(try await env.waitForLivePods(1).first)
        try await env.bindPod(pod.name, to: "n1")
        try await env.runPod(pod.name)
        try await env.api.delete(Pod.self, namespace: "default", name: pod.name)
        try await env.waitUntil("the deleted pod counts as terminating and failed") {
            let status = try await env.job().status
            return status.terminating == 1 && status.failed == 1
        }
        // Only the failure backoff delays the replacement, not the pod's grace period.
        try await env.advanceToTimer(in: 10)
        try await env.waitForLivePods(1)
        let old = try await env.api.get(Pod.self, namespace: "default", name: pod.name)
        #expect(old.metadata.deletionTimestamp != nil, "the old pod still terminates")
        #expect(try await env.pods(controlledBy: env.job()).count == 2)
        await env.stop()
    }

    @Test("J-25: deleting a Job through batch/v1 without a propagation policy orphans its pods")
    func deleteOrphansByDefault() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 2, parallelism: 2))
        let pods = try await env.waitForLivePods(2)
        try await env.api.delete(Job.self, namespace: "default", name: "pi")
        let job = try await env.job()
        #expect(job.metadata.deletionTimestamp != nil && job.metadata.finalizers == ["orphan"],
                "the garbage collector will orphan the pods, then let the Job go")
        for pod in pods {
            #expect(try await env.api.getIfPresent(Pod.self, namespace: "default", name: pod.name) != nil)
        }
        await env.stop()
    }
}
