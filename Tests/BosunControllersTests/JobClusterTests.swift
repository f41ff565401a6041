import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Synchronization
import Testing

/// A Job on a cluster: the scheduler places its pods on simulated nodes, their kubelets run
/// them for a second each, and the Job counts them to completion.
@Suite("Job: cluster")
struct JobClusterTests {
    @Test("a Job of 5 completions, 2 at a time, of pods that run 1 s, completes on simulated nodes")
    func completesOnSimulatedNodes() async throws {
        let env = try await TestEnvironment.start()
        try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try JobController.register(with: env.manager)
        env.startManager()
        for name in ["n1", "n2"] {
            _ = try await env.api.create(Node(metadata: ObjectMeta(labels: ["bosun.dev/runtime": "simulated"], name: name)))
        }
        try await env.waitUntil("both nodes are Ready") {
            try await env.api.listAll(Node.self).allSatisfy { node in
                node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
        }

        _ = try await env.api.create(JobFixtures.job(completions: 5, parallelism: 2) {
            $0.template.metadata?.annotations = [SimulatedPodBehavior.runSecondsAnnotation: "1"]
        })
        let mostActive = Mutex<Int32>(0)
        try await env.waitUntil("the Job completes") {
            let job = try await env.job()
            mostActive.withLock { $0 = max($0, job.status.active ?? 0) }
            if job.hasTrueCondition(JobConditionType.complete) { return true }
            for _ in 0..<20 { await Task.yield() }
            env.clock.advance(by: .milliseconds(250))
            return false
        }
        let job = try await env.job()
        #expect(job.status.succeeded == 5 && job.status.failed == nil && job.status.active == nil)
        #expect(mostActive.withLock { $0 } == 2, "two at a time, never more")
        let pods = try await env.pods(controlledBy: job)
        #expect(pods.count == 5 && pods.allSatisfy { $0.status.phase == "Succeeded" && $0.spec.nodeName != nil })
        #expect(pods.allSatisfy { ($0.metadata.finalizers ?? []).isEmpty }, "every pod was counted and released")
        await env.stop()
    }
}
