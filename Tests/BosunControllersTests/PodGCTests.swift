import BosunControllers
import BosunRuntime
import Testing

/// A test environment with only the pod garbage collector; the manager starts when the test
/// has made what the first pass should see.
private func podGCEnvironment(_ options: PodGCController.Options = PodGCController.Options()) async throws -> (TestEnvironment, PodGCController) {
    let env = try await TestEnvironment.start()
    return (env, try PodGCController.register(with: env.manager, options: options))
}

private func start(_ env: TestEnvironment, _ podGC: PodGCController) async throws {
    env.startManager()
    try await env.waitUntil("the first pass ran") { podGC.completedPasses >= 1 }
}

/// Moves the clock one check period on and waits for that pass to finish.
private func nextPass(_ env: TestEnvironment, _ podGC: PodGCController) async throws {
    let done = podGC.completedPasses
    env.clock.advance(by: .seconds(20))
    try await env.waitUntil("a pass ran") { podGC.completedPasses > done }
}

/// Waits until the pod informer the controller reads shows `condition` for pod `name`.
private func waitUntilCached(_ env: TestEnvironment, _ name: String, _ condition: @escaping @Sendable (Pod?) -> Bool) async throws {
    let pods = env.manager.informer(for: Pod.self)
    defer { pods.release() }
    try await env.waitUntil("the cache shows \(name) changed") { pods.informer.hasSynced && condition(pods.informer.get(namespace: "default", name: name)) }
}

private func pod(_ name: String, node: String? = nil, finalizers: [String]? = nil) -> Pod {
    Pod(metadata: ObjectMeta(finalizers: finalizers, name: name, namespace: "default"),
        spec: PodSpec(containers: [Container(name: "c", image: "nginx")], nodeName: node))
}

private func setPhase(_ name: String, _ phase: String, reason: String? = nil, _ env: TestEnvironment) async throws {
    var pod = try await env.api.get(Pod.self, namespace: "default", name: name)
    pod.status.phase = phase
    pod.status.reason = reason
    _ = try await env.api.updateStatus(pod)
}

private func node(_ name: String, ready: Bool, outOfService: Bool = false) -> Node {
    Node(metadata: ObjectMeta(name: name),
         spec: NodeSpec(taints: outOfService ? [Taint(effect: "NoExecute", key: "node.kubernetes.io/out-of-service", value: "nodeshutdown")] : nil),
         status: NodeStatus(conditions: [NodeCondition(status: ready ? "True" : "False", type: "Ready")]))
}

@Suite("PodGC")
struct PodGCTests {
    @Test("PGC-1: terminated pods beyond the threshold are deleted, evicted ones first, then the oldest")
    func terminatedBeyondThreshold() async throws {
        let (env, podGC) = try await podGCEnvironment(PodGCController.Options(terminatedPodThreshold: 3))
        for n in 0..<5 {
            _ = try await env.api.create(pod("done-\(n)"))
            env.clock.advance(by: .seconds(1))
        }
        _ = try await env.api.create(pod("running"))
        for n in [0, 1, 2, 4] { try await setPhase("done-\(n)", n % 2 == 0 ? "Succeeded" : "Failed", env) }
        try await setPhase("done-3", "Failed", reason: "Evicted", env)
        try await setPhase("running", "Running", env)

        try await start(env, podGC)
        let left = try await env.api.listAll(Pod.self, namespace: "default").map(\.name).sorted()
        #expect(left == ["done-1", "done-2", "done-4", "running"], "the evicted pod and the oldest terminated one go; 3 are kept")
        try await nextPass(env, podGC)
        #expect(try await env.api.listAll(Pod.self, namespace: "default").count == 4, "at the threshold nothing more goes")
        await env.stop()
    }

    @Test("PGC-2: pods on a node missing through the 40 s quarantine are marked Failed, DisruptionTarget, and force-deleted")
    func orphanedPods() async throws {
        let (env, podGC) = try await podGCEnvironment()
        _ = try await env.api.create(node("n1", ready: true))
        // Finalizers keep the pods visible after their deletion, to see what was done to them.
        _ = try await env.api.create(pod("orphan", node: "gone", finalizers: ["example.com/hold"]))
        _ = try await env.api.create(pod("finished", node: "gone", finalizers: ["example.com/hold"]))
        _ = try await env.api.create(pod("home", node: "n1"))
        try await setPhase("orphan", "Running", env)
        try await setPhase("finished", "Succeeded", env)
        try await setPhase("home", "Running", env)

        try await start(env, podGC)
        try await nextPass(env, podGC)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "orphan").metadata.deletionTimestamp == nil,
                "20 s into the quarantine the node may still appear")
        try await nextPass(env, podGC)
        let orphan = try await env.api.get(Pod.self, namespace: "default", name: "orphan")
        #expect(orphan.metadata.deletionTimestamp != nil && orphan.metadata.deletionGracePeriodSeconds == 0)
        #expect(orphan.status.phase == "Failed")
        let disruption = orphan.status.conditions?.first { $0.type == "DisruptionTarget" }
        #expect(disruption?.status == "True" && disruption?.reason == "DeletionByPodGC" && disruption?.message == "PodGC: node no longer exists")
        let finished = try await env.api.get(Pod.self, namespace: "default", name: "finished")
        #expect(finished.metadata.deletionTimestamp != nil)
        #expect(finished.status.phase == "Succeeded", "a pod that already finished keeps its phase")
        let home = try await env.api.get(Pod.self, namespace: "default", name: "home")
        #expect(home.metadata.deletionTimestamp == nil && home.status.phase == "Running")
        await env.stop()
    }

    @Test("PGC-2: a node that comes back during the quarantine keeps its pods")
    func nodeBackInTime() async throws {
        let (env, podGC) = try await podGCEnvironment()
        _ = try await env.api.create(pod("late", node: "late-node"))
        try await start(env, podGC)
        _ = try await env.api.create(node("late-node", ready: true))
        let nodes = env.manager.informer(for: Node.self)
        try await env.waitUntil("the node is cached") { nodes.informer.get(name: "late-node") != nil }
        nodes.release()
        try await nextPass(env, podGC)
        try await nextPass(env, podGC)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "late").metadata.deletionTimestamp == nil)
        await env.stop()
    }

    @Test("PGC-3: a terminating pod that was never scheduled is marked Failed and force-deleted")
    func unscheduledTerminating() async throws {
        let (env, podGC) = try await podGCEnvironment()
        _ = try await env.api.create(pod("stuck", finalizers: ["example.com/hold"]))
        try await start(env, podGC)
        _ = try await env.api.delete(Pod.self, namespace: "default", name: "stuck")
        try await waitUntilCached(env, "stuck") { $0?.metadata.deletionTimestamp != nil }
        try await nextPass(env, podGC)
        let stuck = try await env.api.get(Pod.self, namespace: "default", name: "stuck")
        #expect(stuck.status.phase == "Failed")
        #expect(stuck.status.conditions?.contains { $0.type == "DisruptionTarget" } != true, "only orphaned pods get a DisruptionTarget")
        await env.stop()
    }

    @Test("PGC-4: terminating pods on a not-ready node tainted out-of-service are force-deleted; others wait for their kubelet")
    func outOfService() async throws {
        let (env, podGC) = try await podGCEnvironment()
        _ = try await env.api.create(node("shut-down", ready: false, outOfService: true))
        _ = try await env.api.create(node("unreachable", ready: false))
        _ = try await env.api.create(node("out-of-service-but-ready", ready: true, outOfService: true))
        for (name, node) in [("a", "shut-down"), ("b", "unreachable"), ("c", "out-of-service-but-ready")] {
            _ = try await env.api.create(pod(name, node: node))
            try await setPhase(name, "Running", env)
        }
        try await start(env, podGC)
        for name in ["a", "b", "c"] {
            guard case .pending = try await env.api.delete(Pod.self, namespace: "default", name: name) else {
                Issue.record("a running pod is deleted gracefully")
                return
            }
            try await waitUntilCached(env, name) { $0?.metadata.deletionTimestamp != nil }
        }
        try await nextPass(env, podGC)
        #expect(try await env.api.getIfPresent(Pod.self, namespace: "default", name: "a") == nil)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "b").metadata.deletionGracePeriodSeconds == 30)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "c").metadata.deletionGracePeriodSeconds == 30)
        await env.stop()
    }

    @Test("PGC-5: a pod not yet finished is marked Failed before it is deleted")
    func failedBeforeDeletion() async throws {
        let (env, podGC) = try await podGCEnvironment()
        _ = try await env.api.create(node("shut-down", ready: false, outOfService: true))
        _ = try await env.api.create(pod("job-pod", node: "shut-down"))
        try await setPhase("job-pod", "Running", env)
        try await start(env, podGC)
        _ = try await env.api.delete(Pod.self, namespace: "default", name: "job-pod")
        try await waitUntilCached(env, "job-pod") { $0?.metadata.deletionTimestamp != nil }
        let events = try await env.api.watch(Pod.self, namespace: "default",
                                             options: ListOptions(resourceVersion: String(env.store.resourceVersion)))
        try await nextPass(env, podGC)
        var seen: [String] = []
        for try await event in events {
            seen.append("\(event.type.rawValue) \(event.object?.status.phase ?? "")")
            if event.type == .deleted { break }
        }
        events.cancel()
        #expect(seen == ["MODIFIED Failed", "DELETED Failed"], "the kubelet is gone: PodGC records the failure, then deletes")
        await env.stop()
    }
}
