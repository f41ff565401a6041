@testable import BosunControllers
import BosunRuntime
import Testing

/// The Job controller against J-12 … J-19: failure, backoff, deadline, pod failure policy.
@Suite("Job: failure")
struct JobFailureTests {
    @Test("J-12, J-19: failures beyond backoffLimit fail the Job: FailureTarget first, Failed once every pod ended, with events")
    func backoffLimitExceeded() async throws {
        let recorder = JobStatusRecorder()
        let env = try await TestEnvironment.withJobController { try $0.store.register(validating: recorder) }
        _ = try await env.api.create(JobFixtures.job { $0.backoffLimit = 1 })
        var pod = try #require(try await env.waitForLivePods(1).first)
        try await env.finishPod(pod.name, exitCode: 1)
        try await env.waitUntil("the failure is counted") { try await env.job().status.failed == 1 }
        try await env.advanceToTimer(in: 10)
        pod = try await env.waitForUnfinishedPod()
        try await env.finishPod(pod.name, exitCode: 1)
        try await env.waitForCondition(JobConditionType.failed)

        let job = try await env.job()
        let failed = try #require(job.condition(JobConditionType.failed))
        #expect(failed.reason == JobReason.backoffLimitExceeded && failed.message == "Job has reached the specified backoff limit")
        #expect(job.hasTrueCondition(JobConditionType.failureTarget) && job.status.failed == 2 && job.status.completionTime == nil)
        let targetWrite = try #require(recorder.statuses.firstIndex { $0.trueConditions.contains(JobConditionType.failureTarget) })
        let failedWrite = try #require(recorder.statuses.firstIndex { $0.trueConditions.contains(JobConditionType.failed) })
        #expect(targetWrite < failedWrite)
        let warning = try #require(try await env.jobEvents().first { $0.reason == JobReason.backoffLimitExceeded })
        #expect(warning.type == "Warning" && warning.message == "Job has reached the specified backoff limit")
        await env.stop()
    }

    @Test("J-12: with restartPolicy OnFailure the restarts of running pods count: ≥ backoffLimit, or any with a limit of 0")
    func restartsCountOnFailure() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(restartPolicy: "OnFailure") { $0.backoffLimit = 2 })
        _ = try await env.api.create(JobFixtures.job("strict", restartPolicy: "OnFailure") { $0.backoffLimit = 0 })
        let pod = try #require(try await env.waitForLivePods(1).first)
        let strict = try #require(try await env.waitForLivePods(1, of: "strict").first)
        try await env.runPod(pod.name, restarts: 1)
        try await env.runPod(strict.name, restarts: 1)
        try await env.waitForCondition(JobConditionType.failed, of: "strict")
        #expect(try await env.job("strict").condition(JobConditionType.failed)?.reason == JobReason.backoffLimitExceeded)
        #expect(try await !env.job().hasTrueCondition(JobConditionType.failureTarget), "1 restart is below a limit of 2")
        try await env.runPod(pod.name, restarts: 2)
        try await env.waitForCondition(JobConditionType.failureTarget)
        #expect(try await env.job().condition(JobConditionType.failureTarget)?.reason == JobReason.backoffLimitExceeded)
        await env.stop()
    }

    @Test("J-13: replacements wait 10 s after the first failure, doubling per consecutive failure")
    func failureBackoff() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job { $0.backoffLimit = 10 })
        for (failures, delay) in [(1, 10), (2, 20), (3, 40)] {
            let pod = try await env.waitForUnfinishedPod()
            try await env.finishPod(pod.name, exitCode: 1)
            try await env.waitUntil("failure \(failures) is counted") { try await env.job().status.failed == Int32(failures) }
            let deadline = env.clock.now().advanced(by: .seconds(delay))
            try await env.waitForTimer(at: deadline)
            env.clock.advance(by: .seconds(delay - 1))
            for _ in 0..<100 { await Task.yield() }
            #expect(try await env.unfinishedPods(of: env.job()).isEmpty, "no replacement before \(delay) s")
            env.clock.advance(by: .seconds(1))
        }
        await env.stop()
    }

    @Test("J-13: consecutive failures are counted since the last success")
    func backoffRecord() {
        func pod(_ name: String, finishedAt seconds: Int64, exitCode: Int32) -> JobPodFacts {
            var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", uid: name), spec: PodSpec(containers: []))
            pod.status.phase = exitCode == 0 ? "Succeeded" : "Failed"
            pod.status.containerStatuses = [ContainerStatus(name: "main", state: ContainerState(terminated: ContainerStateTerminated(
                exitCode: exitCode, finishedAt: Time(secondsSinceEpoch: seconds))))]
            return JobPodFacts(pod)
        }
        let records = JobBackoffRecords()
        let job = ObjectName(namespace: "default", name: "pi")
        var record = records.record(for: job, newSucceeded: [], newFailed: [pod("a", finishedAt: 10, exitCode: 1), pod("b", finishedAt: 5, exitCode: 1)])
        #expect(record.failuresAfterLastSuccess == 2 && record.lastFailureTime == Time(secondsSinceEpoch: 10))
        records.update(job, record)
        record = records.record(for: job, newSucceeded: [pod("c", finishedAt: 20, exitCode: 0)],
                                newFailed: [pod("d", finishedAt: 15, exitCode: 1), pod("e", finishedAt: 30, exitCode: 1)])
        #expect(record.failuresAfterLastSuccess == 1 && record.lastFailureTime == Time(secondsSinceEpoch: 30),
                "a success resets the count to the failures after it")
        record = records.record(for: job, newSucceeded: [pod("f", finishedAt: 40, exitCode: 0)], newFailed: [])
        #expect(record.failuresAfterLastSuccess == 0 && record.lastFailureTime == nil)
    }

    @Test("J-13: the delay doubles up to 10 minutes (the code's cap; the docs say six)")
    func backoffCap() {
        let now = Time(secondsSinceEpoch: 1_000_000)
        func delay(_ failures: Int32, elapsed: Int64 = 0) -> Duration {
            JobBackoffRecords.remainingDelay(failures: failures, lastFailure: now.advanced(by: .seconds(-elapsed)),
                                             base: .seconds(10), cap: .seconds(600), now: now)
        }
        #expect(delay(0) == .zero)
        #expect(delay(1) == .seconds(10) && delay(2) == .seconds(20) && delay(6) == .seconds(320))
        #expect(delay(7) == .seconds(600) && delay(30) == .seconds(600))
        #expect(delay(3, elapsed: 15) == .seconds(25) && delay(3, elapsed: 60) == .zero)
    }

    @Test("J-14: activeDeadlineSeconds fails the Job with DeadlineExceeded at the deadline, before any retry, and stops its pods")
    func activeDeadline() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job(completions: 3, parallelism: 2) { $0.activeDeadlineSeconds = 100 })
        let pods = try await env.waitForLivePods(2)
        try await env.runPod(pods[0].name)
        try await env.finishPod(pods[1].name, exitCode: 1)
        try await env.waitUntil("the failure is counted") { try await env.job().status.failed == 1 }
        try await env.advanceToTimer(in: 10)
        try await env.waitUntil("the failed pod is replaced") {
            try await env.livePods(of: env.job()).filter { $0.status.phase != "Failed" }.count == 2
        }
        // The deadline requeue is the next timer: 90 s on.
        try await env.advanceToTimer(in: 90)
        try await env.waitForCondition(JobConditionType.failed)
        let job = try await env.job()
        let condition = try #require(job.condition(JobConditionType.failed))
        #expect(condition.reason == JobReason.deadlineExceeded && condition.message == "Job was active longer than specified deadline")
        #expect(try await env.livePods(of: job).allSatisfy { $0.status.phase == "Failed" }, "active pods were deleted")
        #expect(job.status.failed == 3, "the stopped pods count as failed")
        await env.stop()
    }

    @Test("J-15: podFailurePolicy FailJob: the first matching rule fails the Job with PodFailurePolicy and its message")
    func failJobRule() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job {
            $0.backoffLimit = 6
            $0.podFailurePolicy = PodFailurePolicy(rules: [
                PodFailurePolicyRule(action: "Ignore", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [1])),
                PodFailurePolicyRule(action: "FailJob", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [1, 42])),
            ])
        })
        let pod = try #require(try await env.waitForLivePods(1).first)
        try await env.finishPod(pod.name, exitCode: 42)
        try await env.waitForCondition(JobConditionType.failed)
        let condition = try #require(try await env.job().condition(JobConditionType.failed))
        #expect(condition.reason == JobReason.podFailurePolicy)
        #expect(condition.message == "Container main for pod default/\(pod.name) failed with exit code 42 matching FailJob rule at index 1")
        #expect(try await env.job().status.failed == 1)
        await env.stop()
    }

    @Test("J-15: Ignore does not count a failure (the pod is still replaced); Count does; conditions match by type and status")
    func ignoreAndCount() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job {
            $0.backoffLimit = 0
            $0.podFailurePolicy = PodFailurePolicy(rules: [
                PodFailurePolicyRule(action: "Ignore", onPodConditions: [PodFailurePolicyOnPodConditionsPattern(status: "True", type: "DisruptionTarget")]),
                PodFailurePolicyRule(action: "FailJob", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "NotIn", values: [5])),
                PodFailurePolicyRule(action: "Count", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [5])),
            ])
        })
        var pod = try #require(try await env.waitForLivePods(1).first)
        try await env.finishPod(pod.name, exitCode: 137, conditions: [PodCondition(status: "True", type: "DisruptionTarget")])
        // Not counted, but still a failure to back off from (as the code has it).
        try await env.advanceToTimer(in: 10)
        pod = try await env.waitForUnfinishedPod()
        #expect(try await env.job().status.failed == nil, "an ignored failure is not counted")
        #expect(try await !env.job().isFinished)

        try await env.finishPod(pod.name, exitCode: 5)
        try await env.waitForCondition(JobConditionType.failed)
        let condition = try #require(try await env.job().condition(JobConditionType.failed))
        #expect(condition.reason == JobReason.backoffLimitExceeded, "Count counted it, past a backoffLimit of 0")
        await env.stop()
    }

    @Test("J-15: a container that exited 0 never matches onExitCodes, even with NotIn")
    func exitCodeZeroNeverMatches() throws {
        var pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"), spec: PodSpec(containers: []))
        pod.status.phase = "Failed"
        pod.status.containerStatuses = [
            ContainerStatus(name: "ok", state: ContainerState(terminated: ContainerStateTerminated(exitCode: 0))),
            ContainerStatus(name: "running", state: ContainerState(running: ContainerStateRunning())),
        ]
        let policy = PodFailurePolicy(rules: [
            PodFailurePolicyRule(action: "FailJob", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "NotIn", values: [1])),
        ])
        #expect(PodFailurePolicyMatch(policy, pod: JobPodFacts(pod)) == .noMatch)
        pod.status.initContainerStatuses = [ContainerStatus(name: "init", state: ContainerState(terminated: ContainerStateTerminated(exitCode: 3)))]
        let match = PodFailurePolicyMatch(policy, pod: JobPodFacts(pod))
        #expect(match.action == "FailJob", "init containers are looked at after containers")
        #expect(match.failJobMessage == "Container init for pod default/p failed with exit code 3 matching FailJob rule at index 0")
    }

    @Test("J-16: with a pod failure policy a terminating pod is not failed until it reaches Failed")
    func policyWaitsForFailedPhase() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(JobFixtures.job {
            $0.podFailurePolicy = PodFailurePolicy(rules: [
                PodFailurePolicyRule(action: "FailJob", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [42])),
            ])
        })
        let pod = try #require(try await env.waitForLivePods(1).first)
        #expect(try await env.job().spec.podReplacementPolicy == "Failed", "the default with a pod failure policy")
        try await env.api.delete(Pod.self, namespace: "default", name: pod.name)
        try await env.waitUntil("the pod counts as terminating") { try await env.job().status.terminating == 1 }
        #expect(try await env.job().status.failed == nil)
        try await env.finishPod(pod.name, exitCode: 42)
        try await env.waitForCondition(JobConditionType.failed)
        #expect(try await env.job().condition(JobConditionType.failed)?.reason == JobReason.podFailurePolicy)
        await env.stop()
    }
}
