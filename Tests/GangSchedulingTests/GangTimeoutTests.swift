import BosunScheduler
import GangSchedulingCore
import Testing

/// Permit timeouts on an injected clock: the group's own, the plugin's default, the 15-minute
/// cap; every waiter rejected in the same tick; the rejected pods' backoff.
@Suite("Gang scheduling timeouts")
struct GangTimeoutTests {
    /// Two of three members fit (the third never does); a reject percentage of 50 keeps them
    /// waiting at Permit. Returns the cluster and the UIDs of the two waiting.
    private func twoWaiting(timeoutSeconds: Int32?) async throws -> (GangCluster, [String]) {
        let c = try await GangCluster.start(nodes: [("node", "2")],
                                            arguments: CoschedulingArguments(podGroupRejectPercentage: 50))
        try await c.podGroup("g", minMember: 3, timeoutSeconds: timeoutSeconds)
        for i in 0..<3 { try await c.pod("g-\(i)", group: "g", cpu: i == 2 ? "4" : "1") }
        try await c.env.waitUntil("two members wait at Permit") { c.waitingCount("g") == 2 }
        try await c.env.waitUntil("the third is found unschedulable") { try await c.isQuiet() }
        return (c, c.scheduler.framework.waitingPods.all.map(\.uid))
    }

    /// The two stay waiting until just before `timeout`, and are rejected together at it: back
    /// in the queue (backing off), their capacity released.
    private func expectRejected(_ c: GangCluster, _ waiting: [String], after timeout: Duration) async throws {
        let waitingPods = c.scheduler.framework.waitingPods
        c.clock.advance(by: timeout - .seconds(1))
        // Give a premature rejection every chance to show.
        try await c.env.waitUntil("the scheduler is quiet") { try await c.isQuiet() }
        for _ in 0..<100 { await Task.yield() }
        #expect(waiting.allSatisfy { waitingPods.get(uid: $0) != nil })
        c.clock.advance(by: .seconds(1))
        try await c.env.waitUntil("both waiters are rejected in the same tick and back off") {
            waiting.allSatisfy { c.scheduler.queue.location(of: $0) == .backoff }
        }
        #expect(waiting.allSatisfy { !c.scheduler.cache.isAssumed(uid: $0) })
    }

    @Test("the group's scheduleTimeoutSeconds (10) overrides the plugin's 60 s; rejected members back off 1 s")
    func groupTimeout() async throws {
        let (c, waiting) = try await twoWaiting(timeoutSeconds: 10)
        try await expectRejected(c, waiting, after: .seconds(10))
        for uid in waiting {
            let queued = try #require(c.scheduler.queue.queued(uid: uid))
            #expect(queued.attempts == 1)
            #expect(queued.timestamp.duration(to: c.scheduler.queue.backoffExpiry(of: queued)) == .seconds(1))
        }
        await c.stop()
    }

    @Test("without a group timeout, the plugin's default of 60 s applies")
    func defaultTimeout() async throws {
        let (c, waiting) = try await twoWaiting(timeoutSeconds: nil)
        try await expectRejected(c, waiting, after: .seconds(60))
        await c.stop()
    }

    @Test("a 20-minute group timeout is capped at 15 minutes")
    func cappedTimeout() async throws {
        let (c, waiting) = try await twoWaiting(timeoutSeconds: 20 * 60)
        try await expectRejected(c, waiting, after: .seconds(15 * 60))
        await c.stop()
    }

    @Test("the timeout rule: the group's, else the plugin's, at most 15 minutes")
    func timeoutRule() {
        let plugin = GangScheduling(arguments: CoschedulingArguments(permitWaitingTime: .seconds(30)))
            .schedulerPlugin(handle: FrameworkHandle(clock: ManualClock()))
        func group(_ seconds: Int32?) -> PodGroup {
            PodGroup(spec: PodGroup.Spec(minMember: 2, scheduleTimeoutSeconds: seconds))
        }
        #expect(plugin.scheduleTimeout(group(10)) == .seconds(10))
        #expect(plugin.scheduleTimeout(group(nil)) == .seconds(30))
        #expect(plugin.scheduleTimeout(group(3600)) == .seconds(900))
        #expect(plugin.scheduleTimeout(nil) == .seconds(30))
    }
}

/// The plugin's optional group backoff.
@Suite("Gang scheduling group backoff")
struct GangBackoffTests {
    @Test("with podGroupBackoff, a rejected group is not tried again until it ends, even when room appears")
    func groupBackoff() async throws {
        let c = try await GangCluster.start(nodes: [("a", "4")], arguments: CoschedulingArguments(podGroupBackoff: .seconds(30)))
        try await c.podGroup("g", minMember: 5)
        for i in 0..<5 { try await c.pod("g-\(i)", group: "g") }
        try await c.env.waitUntil("g is rejected") { try await c.isSettled("g") }
        var node = Node(metadata: ObjectMeta(labels: ["kubernetes.io/hostname": "b"], name: "b"))
        node.status.allocatable = ["cpu": "4", "memory": "64Gi", "pods": "110"]
        node.status.conditions = [NodeCondition(status: "True", type: "Ready")]
        _ = try await c.env.api.create(node)

        // A second at a time up to just before the backoff ends: tried (and refused) meanwhile, never placed.
        for _ in 0..<29 {
            c.clock.advance(by: .seconds(1))
            c.scheduler.queue.flushBackoffCompleted()
            try await c.env.waitUntil("the scheduler is quiet") { try await c.isQuiet() }
        }
        #expect(try await c.boundCount("g") == 0)
        #expect(try await c.heldCount("g") == 0)
        // The backoff ends: the members are activated, no event needed.
        c.clock.advance(by: .seconds(1))
        try await c.env.waitUntil("g runs on the two nodes") { try await c.boundCount("g") == 5 }
        let events = try await c.env.api.listAll(Event.self, namespace: "default")
        #expect(events.contains { $0.reason == "FailedScheduling" && $0.message?.contains("PodGroup default/g failed recently") == true })
        await c.stop()
    }
}
