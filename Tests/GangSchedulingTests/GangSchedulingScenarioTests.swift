import BosunScheduler
import GangSchedulingCore
import Testing

/// The nine tricky cases of gang scheduling (scheduling-anchors §7), on the real scheduler with
/// the plugin, a store and a manual clock.
@Suite("Gang scheduling scenarios")
struct GangSchedulingScenarioTests {
    @Test("two gangs with room for one, created interleaved: the first runs whole, the other holds nothing")
    func twoGangsRoomForOne() async throws {
        let c = try await GangCluster.start(nodes: [("node", "3")])
        try await c.podGroup("a", minMember: 3)
        try await c.podGroup("b", minMember: 4)
        for i in 0..<4 {
            if i < 3 { try await c.pod("a-\(i)", group: "a", cpu: "500m") }
            try await c.pod("b-\(i)", group: "b", cpu: "1")
        }
        try await c.env.waitUntil("all of a is bound") { try await c.boundCount("a") == 3 }
        try await c.env.waitUntil("b has tried and holds nothing") { try await c.isSettled("b") }
        #expect(try await c.boundCount("b") == 0)
        #expect(try await c.heldCount("b") == 0)

        // Past the Permit timeout and several backoffs, b still holds nothing.
        c.clock.advance(by: .seconds(61))
        for _ in 0..<12 { c.clock.advance(by: .seconds(1)) }
        try await c.env.waitUntil("b settles again") { try await c.isSettled("b") }
        #expect(try await c.boundCount("b") == 0)
        #expect(try await c.heldCount("b") == 0)
        await c.stop()
    }

    @Test("symmetric full-cluster gangs: exactly one runs; the other runs once the winner finishes")
    func symmetricGangs() async throws {
        let c = try await GangCluster.start(nodes: [("n0", "1"), ("n1", "1"), ("n2", "1")])
        try await c.podGroup("x", minMember: 3)
        try await c.podGroup("y", minMember: 3)
        for i in 0..<3 {
            try await c.pod("x-\(i)", group: "x")
            try await c.pod("y-\(i)", group: "y")
        }
        try await c.env.waitUntil("one gang is bound whole") {
            let x = try await c.boundCount("x"), y = try await c.boundCount("y")
            return x + y == 3 && (x == 3 || y == 3)
        }
        let winner = try await c.boundCount("x") == 3 ? "x" : "y"
        let loser = winner == "x" ? "y" : "x"
        try await c.env.waitUntil("the loser holds nothing") { try await c.isSettled(loser) }
        #expect(try await c.heldCount(loser) == 0)

        for i in 0..<3 { try await c.setPhase("\(winner)-\(i)", "Succeeded") }
        try await c.env.waitUntil("the scheduler sees the capacity freed") {
            ["n0", "n1", "n2"].allSatisfy { c.scheduler.cache.nodeInfo(named: $0)?.pods.isEmpty == true }
        }
        let waited = try await c.advanceUntil("the loser runs") { try await c.boundCount(loser) == 3 }
        // One reject-and-retry round, not a ping-pong: within the pods' 10 s backoff ceiling.
        #expect(waited <= .seconds(10))
        await c.stop()
    }

    @Test("a 90 % quorum keeps waiting until the timeout, then a plain pod gets the capacity")
    func nearMissQuorum() async throws {
        let c = try await GangCluster.start(nodes: [("node", "9")])
        try await c.podGroup("g", minMember: 10)
        for i in 0..<10 { try await c.pod("g-\(i)", group: "g") }
        try await c.env.waitUntil("nine members wait at Permit") { c.waitingCount("g") == 9 }
        let plain = try await c.pod("plain", group: nil)
        try await c.env.waitUntil("the plain pod is found unschedulable") {
            c.scheduler.queue.location(of: plain.metadata.uid ?? "") == .unschedulable
        }
        #expect(c.waitingCount("g") == 9)

        c.clock.advance(by: .seconds(60))
        try await c.env.waitUntil("the timeout rejects all nine") { c.waitingCount("g") == 0 }
        _ = try await c.advanceUntil("the plain pod is bound") { try await c.nodeName("plain") != nil }
        try await c.env.waitUntil("g settles") { try await c.isSettled("g") }
        #expect(try await c.boundCount("g") == 0)
        await c.stop()
    }

    @Test("with podGroupRejectPercentage 0 a 90 % quorum is rejected at once")
    func nearMissQuorumNoThreshold() async throws {
        let c = try await GangCluster.start(nodes: [("node", "9")],
                                            arguments: CoschedulingArguments(podGroupRejectPercentage: 0))
        try await c.podGroup("g", minMember: 10)
        for i in 0..<10 { try await c.pod("g-\(i)", group: "g") }
        // No clock movement: the tenth member's PostFilter rejects the nine.
        try await c.env.waitUntil("g is rejected and settles") { try await c.isSettled("g") }
        #expect(try await c.heldCount("g") == 0)
        #expect(try await c.boundCount("g") == 0)
        await c.stop()
    }

    @Test("late quorum: nothing is held before the last member; it arrives and the group schedules at once")
    func lateQuorumLastMember() async throws {
        let c = try await GangCluster.start(nodes: [("node", "16")])
        try await c.podGroup("g", minMember: 10)
        for i in 0..<9 { try await c.pod("g-\(i)", group: "g") }
        try await c.env.waitUntil("the nine wait for their group") { try await c.isSettled("g", tried: false) }
        #expect(c.scheduler.queue.unschedulableCount == 9)
        #expect(try await c.heldCount("g") == 0)

        try await c.pod("g-9", group: "g")
        try await c.env.waitUntil("all ten are bound, with no clock movement") { try await c.boundCount("g") == 10 }
        await c.stop()
    }

    @Test("late quorum: lowering minMember schedules the waiting pods at once")
    func lateQuorumLowerMinMember() async throws {
        let c = try await GangCluster.start(nodes: [("node", "16")])
        var group = try await c.podGroup("g", minMember: 10)
        for i in 0..<9 { try await c.pod("g-\(i)", group: "g") }
        try await c.env.waitUntil("the nine wait for their group") { try await c.isSettled("g", tried: false) }

        group = try await c.env.api.get(PodGroup.self, namespace: "default", name: "g")
        group.spec.minMember = 9
        _ = try await c.env.api.update(group)
        try await c.env.waitUntil("all nine are bound, with no clock movement") { try await c.boundCount("g") == 9 }
        await c.stop()
    }

    @Test("head of line: a small gang behind a large unschedulable one runs within the backoff, not the timeout")
    func headOfLineBlocking() async throws {
        let c = try await GangCluster.start(nodes: [("node", "4")])
        try await c.podGroup("big", minMember: 5)
        for i in 0..<5 { try await c.pod("big-\(i)", group: "big") }
        try await c.env.waitUntil("big has failed once") { try await c.isSettled("big") }
        c.clock.advance(by: .seconds(1))
        try await c.podGroup("small", minMember: 2)
        for i in 0..<2 { try await c.pod("small-\(i)", group: "small") }
        let waited = try await c.advanceUntil("small runs") { try await c.boundCount("small") == 2 }
        #expect(waited <= .seconds(10))
        try await c.env.waitUntil("big holds nothing") { try await c.isSettled("big") }
        #expect(try await c.boundCount("big") == 0)
        await c.stop()
    }

    @Test("replicas above minMember: with room for 3 of 6, 3 run; with minMember 4, none")
    func replicasAboveMinMember() async throws {
        let c = try await GangCluster.start(nodes: [("node", "3")])
        try await c.podGroup("three", minMember: 3)
        for i in 0..<6 { try await c.pod("three-\(i)", group: "three") }
        try await c.env.waitUntil("three members run") { try await c.boundCount("three") == 3 }
        try await c.env.waitUntil("the extras wait") { try await c.isSettled("three") }
        #expect(try await c.boundCount("three") == 3)
        await c.stop()

        let d = try await GangCluster.start(nodes: [("node", "3")])
        try await d.podGroup("four", minMember: 4)
        for i in 0..<6 { try await d.pod("four-\(i)", group: "four") }
        try await d.env.waitUntil("four is rejected") { try await d.isSettled("four") }
        #expect(try await d.boundCount("four") == 0)
        #expect(try await d.heldCount("four") == 0)
        await d.stop()
    }

    @Test("member loss after binding, RestartGroup: the rest are evicted with an event and a condition")
    func memberLossRestartsGroup() async throws {
        let c = try await GangCluster.start(nodes: [("node", "4")])
        try await c.podGroup("job", minMember: 3)
        for i in 0..<3 { try await c.pod("job-\(i)", group: "job") }
        try await c.env.waitUntil("the group is bound") { try await c.boundCount("job") == 3 }
        for i in 0..<3 { try await c.setPhase("job-\(i)", "Running") }
        try await c.env.waitUntil("the group is Running") { try await c.podGroupStatus("job")?.phase == .running }
        let running = try #require(try await c.podGroupStatus("job"))
        #expect(running.running == 3)
        #expect(running.conditions?.first { $0.type == PodGroupController.ConditionType.scheduled }?.status == "True")

        try await c.setPhase("job-1", "Failed")
        try await c.env.waitUntil("the other members are evicted") {
            try await c.pods(of: "job").filter { $0.metadata.deletionTimestamp == nil && $0.status.phase == "Running" }.isEmpty
        }
        try await c.env.waitUntil("the condition says why") {
            try await c.podGroupStatus("job")?.conditions?.first { $0.type == PodGroupController.ConditionType.membersLost }?
                .status == "True"
        }
        let status = try #require(try await c.podGroupStatus("job"))
        #expect(status.phase != .running)
        try await c.env.waitUntil("the GangStopped events are written") {
            try await c.env.api.listAll(Event.self, namespace: "default")
                .filter { $0.reason == PodGroupController.Reason.stopped }.count == 3
        }
        await c.stop()
    }

    @Test("member loss after binding, Ignore: the replacement counts the bound siblings toward quorum")
    func memberLossReplacementJoins() async throws {
        let c = try await GangCluster.start(nodes: [("node", "4")])
        try await c.podGroup("svc", minMember: 3, policy: .ignore)
        for i in 0..<3 { try await c.pod("svc-\(i)", group: "svc") }
        try await c.env.waitUntil("the group is bound") { try await c.boundCount("svc") == 3 }
        for i in 0..<3 { try await c.setPhase("svc-\(i)", "Running") }
        try await c.env.waitUntil("the group is Running") { try await c.podGroupStatus("svc")?.phase == .running }

        _ = try await c.env.api.delete(Pod.self, namespace: "default", name: "svc-0",
                                       options: DeleteOptions(gracePeriodSeconds: 0))
        // Two pods left of minMember 3: Pending again, and nothing is evicted under Ignore.
        try await c.env.waitUntil("the phase is recomputed") { try await c.podGroupStatus("svc")?.phase == .pending }
        #expect(try await c.pods(of: "svc").filter { $0.metadata.deletionTimestamp == nil }.count == 2)

        try await c.pod("svc-3", group: "svc")
        try await c.env.waitUntil("the replacement is bound, without waiting at Permit") {
            try await c.nodeName("svc-3") != nil
        }
        await c.stop()
    }

    @Test("priority inversion: a higher-priority gang takes the capacity a lower one holds at Permit, without waiting for its timeout")
    func priorityInversion() async throws {
        let c = try await GangCluster.start(nodes: [("node", "9")])
        try await c.podGroup("low", minMember: 10)
        for i in 0..<10 { try await c.pod("low-\(i)", group: "low") }
        try await c.env.waitUntil("nine low members wait at Permit") { c.waitingCount("low") == 9 }

        // Policy: the waiting lower gang yields (it runs nothing yet); bound pods are never touched.
        try await c.podGroup("high", minMember: 3)
        for i in 0..<3 { try await c.pod("high-\(i)", group: "high", priority: 1000) }
        let waited = try await c.advanceUntil("high runs") { try await c.boundCount("high") == 3 }
        #expect(waited < .seconds(60))
        try await c.env.waitUntil("low holds nothing") { try await c.isSettled("low") }
        #expect(try await c.boundCount("low") == 0)
        #expect(try await c.heldCount("low") == 0)
        await c.stop()
    }

    @Test("gangs of equal priority do not displace each other at Permit")
    func equalPriorityDoesNotYield() async throws {
        let c = try await GangCluster.start(nodes: [("node", "9")])
        try await c.podGroup("first", minMember: 10)
        for i in 0..<10 { try await c.pod("first-\(i)", group: "first") }
        try await c.env.waitUntil("nine members wait at Permit") { c.waitingCount("first") == 9 }
        try await c.podGroup("second", minMember: 2)
        for i in 0..<2 { try await c.pod("second-\(i)", group: "second") }
        try await c.env.waitUntil("second is found unschedulable") { try await c.isSettled("second") }
        #expect(c.waitingCount("first") == 9)
        await c.stop()
    }
}
