import BosunScheduler
import Testing

/// The scheduler driver over a real store: informers feed its cache and queue, pods are bound
/// through `pods/binding`, failures show in the pod's status and events.
@Suite("Scheduler")
struct SchedulerTests {
    /// A test environment with a scheduler whose ties go to the first node, running.
    private func start() async throws -> (TestEnvironment, Scheduler) {
        let env = try await TestEnvironment.start()
        let scheduler = try Scheduler.register(with: env.manager) { _, bind in
            var profile = Profile.defaults(bind: bind)
            profile.tieBreak = .first
            return profile
        }
        env.startManager()
        return (env, scheduler)
    }

    private func node(_ name: String, cpu: String = "4", labels: [String: String] = [:]) -> Node {
        var node = makeNode(name, cpu: cpu, labels: labels)
        node.status.conditions = [NodeCondition(status: "True", type: "Ready")]
        return node
    }

    private func pod(_ name: String, cpu: String? = nil, nodeSelector: [String: String]? = nil,
                     schedulerName: String? = nil) -> Pod {
        var pod = makePod(name, cpu: cpu)
        pod.metadata.uid = nil
        pod.spec.containers[0].image = "nginx"
        pod.spec.nodeSelector = nodeSelector
        pod.spec.schedulerName = schedulerName
        return pod
    }

    private func nodeName(_ env: TestEnvironment, _ pod: String) async throws -> String? {
        try await env.api.getIfPresent(Pod.self, namespace: "default", name: pod)?.spec.nodeName
    }

    private func events(_ env: TestEnvironment, for pod: String, reason: String) async throws -> [Event] {
        try await env.api.listAll(Event.self, namespace: "default")
            .filter { $0.involvedObject.name == pod && $0.reason == reason }
    }

    @Test("a pod is bound to the only node with room, with a Scheduled event")
    func bindsToFittingNode() async throws {
        let (env, _) = try await start()
        _ = try await env.api.create(node("small", cpu: "1"))
        _ = try await env.api.create(node("big", cpu: "8"))
        _ = try await env.api.create(pod("web", cpu: "2"))

        try await env.waitUntil("web is bound") { try await nodeName(env, "web") != nil }
        let bound = try await env.api.get(Pod.self, namespace: "default", name: "web")
        #expect(bound.spec.nodeName == "big")
        #expect(bound.status.conditions?.first { $0.type == "PodScheduled" }?.status == "True")
        try await env.waitUntil("the Scheduled event is written") {
            try await !events(env, for: "web", reason: "Scheduled").isEmpty
        }
        let event = try #require(try await events(env, for: "web", reason: "Scheduled").first)
        #expect(event.message == "Successfully assigned default/web to big")
        #expect(event.type == "Normal")
        #expect(event.source?.component == "default-scheduler")
        await env.stop()
    }

    @Test("nodeSelector is respected")
    func nodeSelector() async throws {
        let (env, _) = try await start()
        _ = try await env.api.create(node("a"))
        _ = try await env.api.create(node("b", labels: ["disk": "ssd"]))
        _ = try await env.api.create(node("c"))
        _ = try await env.api.create(pod("db", nodeSelector: ["disk": "ssd"]))

        try await env.waitUntil("db is bound") { try await nodeName(env, "db") != nil }
        #expect(try await nodeName(env, "db") == "b")
        await env.stop()
    }

    @Test("an unschedulable pod says why, and is scheduled once a fitting node is added")
    func unschedulableThenNodeAdd() async throws {
        let (env, scheduler) = try await start()
        _ = try await env.api.create(node("a", cpu: "1"))
        _ = try await env.api.create(node("b", cpu: "2"))
        let created = try await env.api.create(pod("big", cpu: "4"))
        let uid = try #require(created.metadata.uid)

        let message = "0/2 nodes are available: 2 Insufficient cpu."
        try await env.waitUntil("PodScheduled=False is written") {
            let pod = try await env.api.get(Pod.self, namespace: "default", name: "big")
            return pod.status.conditions?.first { $0.type == "PodScheduled" }?.status == "False"
        }
        let failed = try await env.api.get(Pod.self, namespace: "default", name: "big")
        let condition = try #require(failed.status.conditions?.first { $0.type == "PodScheduled" })
        #expect(condition.reason == "Unschedulable")
        #expect(condition.message == message)
        try await env.waitUntil("the FailedScheduling event is written") {
            try await !events(env, for: "big", reason: "FailedScheduling").isEmpty
        }
        let event = try #require(try await events(env, for: "big", reason: "FailedScheduling").first)
        #expect(event.message == message)
        #expect(event.type == "Warning")
        // The status write does not wake the pod: it waits for a cluster event.
        try await env.waitUntil("big waits as unschedulable") { scheduler.queue.location(of: uid) == .unschedulable }
        #expect(try await nodeName(env, "big") == nil)

        _ = try await env.api.create(node("c", cpu: "8"))
        try await env.waitUntil("big is bound after NodeAdd and its backoff") {
            // NodeAdd moves it to backoff (its one-second backoff has not passed on the manual clock).
            if scheduler.queue.location(of: uid) == .backoff { env.clock.advance(by: .seconds(1)) }
            return try await nodeName(env, "big") != nil
        }
        #expect(try await nodeName(env, "big") == "c")
        #expect(scheduler.queue.location(of: uid) == nil)
        await env.stop()
    }

    @Test("pods naming another scheduler are left alone")
    func otherSchedulerName() async throws {
        let (env, scheduler) = try await start()
        _ = try await env.api.create(node("a"))
        let other = try await env.api.create(pod("theirs", schedulerName: "my-scheduler"))
        _ = try await env.api.create(pod("ours"))

        try await env.waitUntil("ours is bound") { try await nodeName(env, "ours") != nil }
        #expect(try await nodeName(env, "theirs") == nil)
        #expect(scheduler.queue.location(of: try #require(other.metadata.uid)) == nil)
        try await env.waitUntil("the Scheduled event is written") {
            try await !events(env, for: "ours", reason: "Scheduled").isEmpty
        }
        #expect(try await events(env, for: "theirs", reason: "FailedScheduling").isEmpty)
        await env.stop()
    }

    @Test("a deleted pending pod leaves the queue")
    func deletedPendingPod() async throws {
        let (env, scheduler) = try await start()
        _ = try await env.api.create(node("a", cpu: "1"))
        let created = try await env.api.create(pod("huge", cpu: "16"))
        let uid = try #require(created.metadata.uid)
        try await env.waitUntil("huge waits as unschedulable") { scheduler.queue.location(of: uid) == .unschedulable }

        _ = try await env.api.delete(Pod.self, namespace: "default", name: "huge")
        try await env.waitUntil("huge left the queue") { scheduler.queue.location(of: uid) == nil }
        #expect(scheduler.queue.unschedulableCount == 0)
        await env.stop()
    }

    @Test("many pods spread over the nodes (LeastAllocated)")
    func spreads() async throws {
        let (env, scheduler) = try await start()
        for name in ["n1", "n2", "n3", "n4"] { _ = try await env.api.create(node(name)) }
        for i in 0..<8 { _ = try await env.api.create(pod("p\(i)", cpu: "1")) }

        try await env.waitUntil("all pods are bound") {
            try await env.api.listAll(Pod.self, namespace: "default").allSatisfy { $0.spec.nodeName != nil }
        }
        var perNode: [String: Int] = [:]
        for pod in try await env.api.listAll(Pod.self, namespace: "default") { perNode[pod.spec.nodeName ?? "", default: 0] += 1 }
        #expect(perNode == ["n1": 2, "n2": 2, "n3": 2, "n4": 2])
        try await env.waitUntil("the cache counts the bound pods") {
            (1...4).allSatisfy { scheduler.cache.nodeInfo(named: "n\($0)")?.pods.count == 2 }
        }
        await env.stop()
    }

    @Test("a finished pod frees its capacity for a waiting one")
    func terminalPodReleases() async throws {
        let (env, scheduler) = try await start()
        _ = try await env.api.create(node("a", cpu: "2"))
        _ = try await env.api.create(pod("first", cpu: "2"))
        try await env.waitUntil("first is bound") { try await nodeName(env, "first") != nil }
        let second = try await env.api.create(pod("second", cpu: "2"))
        let uid = try #require(second.metadata.uid)
        try await env.waitUntil("second waits as unschedulable") { scheduler.queue.location(of: uid) == .unschedulable }

        var first = try await env.api.get(Pod.self, namespace: "default", name: "first")
        first.status.phase = "Succeeded"
        _ = try await env.api.updateStatus(first)
        try await env.waitUntil("second is bound once first has finished") {
            if scheduler.queue.location(of: uid) == .backoff { env.clock.advance(by: .seconds(1)) }
            return try await nodeName(env, "second") != nil
        }
        #expect(try await nodeName(env, "second") == "a")
        await env.stop()
    }
}
