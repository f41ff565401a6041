@testable import BosunControllers
import BosunRuntime
import Testing

/// Indexed Jobs (J-7, J-6), backoffLimitPerIndex (J-17) and successPolicy (J-18).
@Suite("Job: indexed")
struct JobIndexedTests {
    static func indexed(_ name: String = "pi", completions: Int32, parallelism: Int32, _ configure: (inout JobSpec) -> Void = { _ in }) -> Job {
        JobFixtures.job(name, completions: completions, parallelism: parallelism) {
            $0.completionMode = "Indexed"
            configure(&$0)
        }
    }

    static func index(_ pod: Pod) -> Int? {
        pod.metadata.annotations?[JobController.completionIndexAnnotation].flatMap(Int.init)
    }

    @Test("J-7: an Indexed Job's pods get their index as annotation, label and JOB_COMPLETION_INDEX, hostname <job>-<i>, generateName <job>-<i>-")
    func podShape() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(Self.indexed(completions: 3, parallelism: 3))
        let pods = try await env.waitForLivePods(3)
        #expect(Set(pods.compactMap(Self.index)) == [0, 1, 2])
        for pod in pods {
            let index = try #require(Self.index(pod))
            #expect(pod.metadata.labels?[JobController.completionIndexAnnotation] == String(index))
            #expect(pod.spec.hostname == "pi-\(index)")
            #expect(pod.metadata.generateName == "pi-\(index)-" && pod.name.hasPrefix("pi-\(index)-"))
            let env = try #require(pod.spec.containers[0].env?.first { $0.name == "JOB_COMPLETION_INDEX" })
            #expect(env.valueFrom?.fieldRef?.fieldPath == "metadata.labels['batch.kubernetes.io/job-completion-index']")
        }
        #expect(JobSyncPass.generateName(job: String(repeating: "a", count: 60), index: 12) == String(repeating: "a", count: 54) + "-12-")
        await env.stop()
    }

    @Test("J-6: completedIndexes lists the succeeded indexes as ranges; the Job completes when every index succeeded")
    func completedIndexes() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(Self.indexed(completions: 6, parallelism: 6))
        let pods = try await env.waitForLivePods(6)
        let byIndex = Dictionary(uniqueKeysWithValues: pods.map { (Self.index($0)!, $0.name) })
        for index in [1, 3, 4, 5] { try await env.finishPod(byIndex[index]!) }
        try await env.waitUntil("four indexes are done") { try await env.job().status.completedIndexes == "1,3-5" }
        #expect(try await env.job().status.succeeded == 4)
        // A second success of an index does not count twice.
        try await env.finishPod(byIndex[0]!)
        try await env.waitUntil("index 0 is done") { try await env.job().status.completedIndexes == "0,1,3-5" }
        try await env.finishPod(byIndex[2]!)
        try await env.waitForCondition(JobConditionType.complete)
        let job = try await env.job()
        #expect(job.status.completedIndexes == "0-5" && job.status.succeeded == 6)
        await env.stop()
    }

    @Test("completion index intervals parse, merge and print as upstream's")
    func intervals() {
        let parsed = IndexIntervals(parsing: "0,2-4,x,7-9,12", completions: 10)
        #expect(parsed.description == "0,2-4,7-9" && parsed.total == 7)
        #expect(parsed.contains(3) && !parsed.contains(5) && !parsed.contains(12))
        #expect(parsed.adding(orderedIndexes: [1, 5, 6]).description == "0-9")
        #expect(IndexIntervals().adding(orderedIndexes: [7, 8]).description == "7,8")
        #expect(parsed.firstMissing(3, below: 10) == [1, 5, 6])
    }

    @Test("J-17: backoffLimitPerIndex: an index over its limit joins failedIndexes, the others go on, and the Job fails with FailedIndexes")
    func backoffLimitPerIndex() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(Self.indexed(completions: 3, parallelism: 3) { $0.backoffLimitPerIndex = 1 })
        var pods = try await env.waitForLivePods(3)
        #expect(try await env.job().spec.backoffLimit == Int32.max, "defaulted with backoffLimitPerIndex")
        let first = try #require(pods.first { Self.index($0) == 0 })
        #expect(first.metadata.annotations?[JobController.indexFailureCountAnnotation] == "0")
        try await env.finishPod(first.name, exitCode: 1)
        try await env.advanceToTimer(in: 10)
        try await env.waitUntil("index 0 is retried") {
            try await env.livePods(of: env.job()).contains { Self.index($0) == 0 && $0.status.phase != "Failed" }
        }
        pods = try await env.livePods(of: env.job())
        let retry = try #require(pods.first { Self.index($0) == 0 && $0.status.phase != "Failed" })
        #expect(retry.metadata.annotations?[JobController.indexFailureCountAnnotation] == "1", "the failure count travels with the index")
        try await env.finishPod(retry.name, exitCode: 1)
        try await env.waitUntil("index 0 has failed for good") { try await env.job().status.failedIndexes == "0" }
        #expect(try await !env.job().isFinished, "the other indexes go on")
        for pod in pods where Self.index(pod) != 0 { try await env.finishPod(pod.name) }
        try await env.waitForCondition(JobConditionType.failed)
        let job = try await env.job()
        #expect(job.condition(JobConditionType.failed)?.reason == JobReason.failedIndexes)
        #expect(job.status.completedIndexes == "1,2" && job.status.failedIndexes == "0")
        await env.stop()
    }

    @Test("J-17: more failed indexes than maxFailedIndexes fail the Job at once; FailIndex fails an index on its first failure")
    func maxFailedIndexes() async throws {
        let env = try await TestEnvironment.withJobController()
        _ = try await env.api.create(Self.indexed(completions: 4, parallelism: 4) {
            $0.backoffLimitPerIndex = 3
            $0.maxFailedIndexes = 0
            $0.podFailurePolicy = PodFailurePolicy(rules: [
                PodFailurePolicyRule(action: "FailIndex", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [3])),
            ])
        })
        let pods = try await env.waitForLivePods(4)
        let victim = try #require(pods.first { Self.index($0) == 2 })
        try await env.finishPod(victim.name, exitCode: 3)
        try await env.waitForCondition(JobConditionType.failed)
        let job = try await env.job()
        #expect(job.condition(JobConditionType.failed)?.reason == JobReason.maxFailedIndexesExceeded)
        #expect(job.condition(JobConditionType.failed)?.message == "Job has exceeded the specified maximal number of failed indexes")
        #expect(job.status.failedIndexes == "2")
        #expect(try await env.livePods(of: job).allSatisfy { Self.index($0) == 2 }, "the running indexes were stopped")
        await env.stop()
    }

    @Test("J-18: a successPolicy met stops the remaining pods: SuccessCriteriaMet/SuccessPolicy, then Complete")
    func successPolicy() async throws {
        let recorder = JobStatusRecorder()
        let env = try await TestEnvironment.withJobController { try $0.store.register(validating: recorder) }
        _ = try await env.api.create(Self.indexed(completions: 5, parallelism: 5) {
            $0.successPolicy = SuccessPolicy(rules: [
                SuccessPolicyRule(succeededIndexes: "3-4"),
                SuccessPolicyRule(succeededCount: 2, succeededIndexes: "0-2"),
            ])
        })
        let pods = try await env.waitForLivePods(5)
        let byIndex = Dictionary(uniqueKeysWithValues: pods.map { (Self.index($0)!, $0.name) })
        try await env.finishPod(byIndex[0]!)
        try await env.finishPod(byIndex[3]!)
        try await env.waitUntil("two indexes succeeded") { try await env.job().status.succeeded == 2 }
        #expect(try await !env.job().hasTrueCondition(JobConditionType.successCriteriaMet), "no rule is met yet")
        try await env.finishPod(byIndex[2]!)
        try await env.waitForCondition(JobConditionType.complete)
        let job = try await env.job()
        let met = try #require(job.condition(JobConditionType.successCriteriaMet))
        #expect(met.reason == JobReason.successPolicy && met.message == "Matched rules at index 1")
        #expect(job.condition(JobConditionType.complete)?.reason == JobReason.successPolicy)
        #expect(try await env.livePods(of: job).allSatisfy { $0.status.phase == "Succeeded" }, "indexes 1 and 4 were stopped")
        let metWrite = try #require(recorder.statuses.firstIndex { $0.trueConditions.contains(JobConditionType.successCriteriaMet) })
        let completeWrite = try #require(recorder.statuses.firstIndex { $0.trueConditions.contains(JobConditionType.complete) })
        #expect(metWrite < completeWrite)
        #expect(job.status.completedIndexes == "0,2,3")
        await env.stop()
    }
}
