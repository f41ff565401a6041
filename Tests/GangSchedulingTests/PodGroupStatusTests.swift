import BosunScheduler
import GangSchedulingCore
import Testing

/// The PodGroup's status as the controller computes it, and the quorum gates before scheduling.
@Suite("PodGroup status and gates")
struct PodGroupStatusTests {
    @Test("phases follow the pods: Pending, Scheduling (with its start time), Running, Finished")
    func phases() async throws {
        let c = try await GangCluster.start(nodes: [("node", "4")])
        try await c.podGroup("g", minMember: 2)
        try await c.env.waitUntil("Pending") { try await c.podGroupStatus("g")?.phase == .pending }
        try await c.pod("g-0", group: "g")
        try await c.pod("g-1", group: "g")
        try await c.env.waitUntil("both are bound") { try await c.boundCount("g") == 2 }
        try await c.env.waitUntil("Scheduling, with a start time") {
            let status = try await c.podGroupStatus("g")
            return status?.phase == .scheduling && status?.scheduleStartTime != nil
        }
        for i in 0..<2 { try await c.setPhase("g-\(i)", "Running") }
        try await c.env.waitUntil("Running") { try await c.podGroupStatus("g")?.phase == .running }
        #expect(try await c.podGroupStatus("g")?.running == 2)
        for i in 0..<2 { try await c.setPhase("g-\(i)", "Succeeded") }
        try await c.env.waitUntil("Finished") { try await c.podGroupStatus("g")?.phase == .finished }
        let status = try #require(try await c.podGroupStatus("g"))
        #expect(status.succeeded == 2)
        #expect(status.running == 0)
        // Finishing is not losing members: nothing was evicted.
        #expect(status.conditions?.first { $0.type == PodGroupController.ConditionType.membersLost } == nil)
        await c.stop()
    }

    @Test("a member of a PodGroup that does not exist waits; creating the group lets it run")
    func missingGroup() async throws {
        let c = try await GangCluster.start(nodes: [("node", "4")])
        let pod = try await c.pod("orphan", group: "later")
        try await c.env.waitUntil("the pod is gated") {
            c.scheduler.queue.queued(uid: pod.metadata.uid ?? "")?.gatingPlugin == Coscheduling.pluginName
        }
        try await c.podGroup("later", minMember: 1)
        try await c.env.waitUntil("the pod is bound") { try await c.nodeName("orphan") != nil }
        await c.stop()
    }

    @Test("minResources beyond the cluster's free capacity is rejected as unresolvable before any member is placed")
    func minResources() async throws {
        let c = try await GangCluster.start(nodes: [("node", "4")])
        try await c.podGroup("big", minMember: 2, minResources: ["cpu": "8"])
        for i in 0..<2 { try await c.pod("big-\(i)", group: "big") }
        try await c.env.waitUntil("big is rejected") { try await c.isSettled("big") }
        #expect(try await c.heldCount("big") == 0)
        try await c.env.waitUntil("the reason is written") {
            let p = try await c.env.api.get(Pod.self, namespace: "default", name: "big-0")
            return p.status.conditions?.first { $0.type == "PodScheduled" }?.message?.contains("resource gap") == true
        }

        try await c.podGroup("fits", minMember: 2, minResources: ["cpu": "2"])
        for i in 0..<2 { try await c.pod("fits-\(i)", group: "fits") }
        try await c.env.waitUntil("fits is bound") { try await c.boundCount("fits") == 2 }
        await c.stop()
    }

    @Test("the phase rule")
    func phaseRule() {
        func counts(total: Int, running: Int = 0, succeeded: Int = 0, failed: Int = 0) -> PodGroupController.Counts {
            var pods: [Pod] = []
            for (phase, n) in [("Running", running), ("Succeeded", succeeded), ("Failed", failed), ("Pending", total - running - succeeded - failed)] {
                for _ in 0..<n {
                    var pod = Pod()
                    pod.status.phase = phase
                    pods.append(pod)
                }
            }
            return PodGroupController.Counts(pods)
        }
        #expect(PodGroupController.phase(counts(total: 1), minMember: 2, current: nil) == .pending)
        #expect(PodGroupController.phase(counts(total: 3, running: 1), minMember: 2, current: .pending) == .scheduling)
        #expect(PodGroupController.phase(counts(total: 3, running: 2), minMember: 2, current: .scheduling) == .running)
        #expect(PodGroupController.phase(counts(total: 3, running: 1, failed: 1), minMember: 2, current: .running) == .failed)
        #expect(PodGroupController.phase(counts(total: 3, running: 2, failed: 1), minMember: 2, current: .failed) == .running)
        #expect(PodGroupController.phase(counts(total: 2, succeeded: 2), minMember: 2, current: .running) == .finished)
        #expect(PodGroupController.phase(counts(total: 0), minMember: 2, current: .finished) == .finished)
    }
}
