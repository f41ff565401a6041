@testable import BosunControllers
import BosunRuntime
import Testing

/// A node as a kubelet registers it: Ready, with a heartbeat now, and its Lease.
private func registerNode(_ name: String, _ env: TestEnvironment) async throws {
    let now = env.clock.now().truncatedToSeconds
    _ = try await env.api.create(Node(
        metadata: ObjectMeta(name: name),
        status: NodeStatus(conditions: [NodeCondition(status: "True", type: "Ready", lastHeartbeatTime: now, lastTransitionTime: now,
                                                      message: "kubelet is posting ready status", reason: "KubeletReady")])))
    _ = try await env.api.create(Lease(
        metadata: ObjectMeta(name: name, namespace: "kube-node-lease"),
        spec: LeaseSpec(holderIdentity: name, leaseDurationSeconds: 40, renewTime: MicroTime(env.clock.now()))))
}

/// What a kubelet does every 10 s: renew its Lease.
private func renewLease(_ name: String, _ env: TestEnvironment) async throws {
    var lease = try await env.api.get(Lease.self, namespace: "kube-node-lease", name: name)
    lease.spec.renewTime = MicroTime(env.clock.now())
    _ = try await env.api.update(lease)
}

private func readyCondition(_ name: String, _ env: TestEnvironment) async throws -> NodeCondition? {
    try await env.api.get(Node.self, namespace: nil, name: name).status.conditions?.first { $0.type == "Ready" }
}

private func boundPod(_ name: String, node: String, tolerations: [Toleration]? = nil) -> Pod {
    Pod(metadata: ObjectMeta(name: name, namespace: "default"),
        spec: PodSpec(containers: [Container(name: "c", image: "nginx")], nodeName: node, tolerations: tolerations))
}

/// Lets the controllers run, then moves the clock in steps no longer than their period.
private func pass(_ duration: Duration, _ env: TestEnvironment) async {
    var left = duration
    while left > .zero {
        let step = min(left, .seconds(5))
        for _ in 0..<300 { await Task.yield() }
        env.clock.advance(by: step)
        left -= step
    }
    for _ in 0..<300 { await Task.yield() }
}

@Suite("Node lifecycle")
struct NodeLifecycleTests {
    @Test("a node's next check ends on a tenth of a second, so that checks due together share a timer")
    func checksShareTimers() {
        let period = Duration.seconds(5)
        let onTenth = Time(secondsSinceEpoch: 1_000, nanoseconds: 300_000_000)
        #expect(NodeLifecycleController.untilNextCheck(after: period, now: onTenth) == period)
        let between = Time(secondsSinceEpoch: 1_000, nanoseconds: 312_345_678)
        #expect(NodeLifecycleController.untilNextCheck(after: period, now: between) == period + .nanoseconds(87_654_322))
        let lastTenth = Time(secondsSinceEpoch: 1_000, nanoseconds: 950_000_000)
        #expect(NodeLifecycleController.untilNextCheck(after: period, now: lastTenth) == period + .milliseconds(50))
    }

    func environment() async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try NodeLifecycleController.register(with: env.manager)
        try TaintEvictionController.register(with: env.manager)
        env.startManager()
        return env
    }

    @Test("a node whose heartbeats stop becomes Unknown with the unreachable taints; heartbeats clear them")
    func silentNodeBecomesUnknown() async throws {
        let env = try await environment()
        try await registerNode("n1", env)
        for _ in 0..<6 {
            await pass(.seconds(10), env)
            try await renewLease("n1", env)
        }
        #expect(try await readyCondition("n1", env)?.status == "True", "renewing every 10 s keeps the node Ready")

        await pass(.seconds(45), env)
        try await env.waitUntil("the node is Unknown") { try await readyCondition("n1", env)?.status == "Unknown" }
        let ready = try await readyCondition("n1", env)
        #expect(ready?.reason == "NodeStatusUnknown")
        #expect(ready?.message == "Kubelet stopped posting node status.")
        try await env.waitUntil("the unreachable taints are on") {
            let taints = try await env.api.get(Node.self, namespace: nil, name: "n1").spec.taints ?? []
            return Set(taints.map { "\($0.key):\($0.effect)" })
                == ["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"]
        }
        let noExecute = try await env.api.get(Node.self, namespace: nil, name: "n1").spec.taints?.first { $0.effect == "NoExecute" }
        #expect(noExecute?.timeAdded != nil)

        // The kubelet comes back: it renews and posts Ready.
        try await renewLease("n1", env)
        var node = try await env.api.get(Node.self, namespace: nil, name: "n1")
        let now = env.clock.now().truncatedToSeconds
        node.status.conditions = [NodeCondition(status: "True", type: "Ready", lastHeartbeatTime: now, lastTransitionTime: now, reason: "KubeletReady")]
        _ = try await env.api.updateStatus(node)
        try await env.waitUntil("the taints are gone") {
            (try await env.api.get(Node.self, namespace: nil, name: "n1").spec.taints ?? []).isEmpty
        }
        await env.stop()
    }

    @Test("pods on an unreachable node are evicted by their tolerations: at once, after 300 s by default, or never")
    func taintEviction() async throws {
        let env = try await environment()
        try await registerNode("n1", env)
        let unreachable = "node.kubernetes.io/unreachable"
        _ = try await env.api.create(boundPod("defaults", node: "n1"))
        _ = try await env.api.create(boundPod("impatient", node: "n1", tolerations: [
            Toleration(effect: "NoExecute", key: unreachable, operator: "Exists", tolerationSeconds: 0)]))
        _ = try await env.api.create(boundPod("patient", node: "n1", tolerations: [
            Toleration(effect: "NoExecute", key: unreachable, operator: "Exists")]))
        var running = try await env.api.get(Pod.self, namespace: "default", name: "defaults")
        running.status.conditions = [PodCondition(status: "True", type: "Ready")]
        _ = try await env.api.updateStatus(running)

        @Sendable func deleting(_ name: String) async throws -> Bool {
            try await env.api.get(Pod.self, namespace: "default", name: name).metadata.deletionTimestamp != nil
        }

        await pass(.seconds(45), env)
        try await env.waitUntil("the node is tainted") {
            (try await env.api.get(Node.self, namespace: nil, name: "n1").spec.taints ?? []).contains { $0.key == unreachable }
        }
        try await env.waitUntil("the pod tolerating 0 s is evicted at once") { try await deleting("impatient") }
        let evicted = try await env.api.get(Pod.self, namespace: "default", name: "impatient")
        #expect(evicted.status.conditions?.first { $0.type == "DisruptionTarget" }?.reason == "DeletionByTaintManager")
        try await env.waitUntil("pods on the node are marked not ready") {
            try await env.api.get(Pod.self, namespace: "default", name: "defaults").status.conditions?.first { $0.type == "Ready" }?.status == "False"
        }
        #expect(try await !deleting("defaults"))

        await pass(.seconds(290), env)
        #expect(try await !deleting("defaults"), "the default toleration holds for 300 s")
        await pass(.seconds(15), env)
        try await env.waitUntil("the default-tolerating pod is evicted after 300 s") { try await deleting("defaults") }
        await pass(.seconds(600), env)
        #expect(try await !deleting("patient"), "a toleration without seconds holds forever")
        await env.stop()
    }
}
