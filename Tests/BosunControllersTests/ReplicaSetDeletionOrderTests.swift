import BosunControllers
import BosunRuntime
import Testing

/// Which pods a ReplicaSet deletes when scaled down, end to end. Each rule on its own is
/// checked in `WorkloadDeletionOrderTests`.
@Suite("ReplicaSet: deletion order")
struct ReplicaSetDeletionOrderTests {
    /// Scales `web` to `replicas` and waits until exactly `victim` has gone or is terminating.
    func scale(_ env: TestEnvironment, to replicas: Int32, expecting victim: String) async throws {
        var rs = try await env.replicaSet()
        rs.spec.replicas = replicas
        _ = try await env.api.update(rs)
        try await env.waitForReplicas(replicas)
        let active = Set(try await env.activePods(controlledBy: rs).map(\.name))
        #expect(!active.contains(victim), "\(victim) should have gone at \(replicas) replicas")
    }

    /// Waits until `web` counts `ready` ready pods. The pod informer delivers changes in order,
    /// so once the last status write shows, the controller has seen every earlier change too.
    func waitForReady(_ env: TestEnvironment, _ ready: Int32) async throws {
        try await env.waitUntil("\(ready) pods are ready") { try await env.replicaSet().status.readyReplicas == ready }
    }

    @Test("unscheduled, then Pending, then not ready go before a ready Running pod")
    func lifecycleOrder() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 4))
        try await env.waitForReplicas(4)
        let names = try await env.pods(controlledBy: rs).map(\.name)
        let (unscheduled, pending, notReady, ready) = (names[0], names[1], names[2], names[3])
        for name in [pending, notReady, ready] { try await env.bindPod(name, to: "node-1") }
        try await env.setPodStatus(notReady, phase: "Running")
        try await env.setPodStatus(ready, phase: "Running", readySince: env.clock.now().truncatedToSeconds)
        try await waitForReady(env, 1)

        try await scale(env, to: 3, expecting: unscheduled)
        try await scale(env, to: 2, expecting: pending)
        try await scale(env, to: 1, expecting: notReady)
        #expect(try await env.activePods(controlledBy: rs).map(\.name) == [ready])
        await env.stop()
    }

    @Test("the lowest pod-deletion-cost goes first")
    func deletionCost() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 3))
        try await env.waitForReplicas(3)
        let names = try await env.pods(controlledBy: rs).map(\.name)
        let since = env.clock.now().truncatedToSeconds
        for (name, cost) in zip(names, ["100", "-1", "50"]) {
            var pod = try await env.api.get(Pod.self, namespace: "default", name: name)
            pod.metadata.annotations = [PodDeletionOrder.costAnnotation: cost]
            _ = try await env.api.update(pod)
            try await env.bindPod(name, to: "node-\(name)")
            try await env.setPodStatus(name, phase: "Running", readySince: since)
        }
        try await waitForReady(env, 3)
        try await scale(env, to: 2, expecting: names[1])
        try await scale(env, to: 1, expecting: names[2])
        await env.stop()
    }

    @Test("a Deployment's ReplicaSet deletes where its controller's pods are doubled up, counting sibling ReplicaSets' pods")
    func doubledUpFirst() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let deployment = try await env.api.create(Deployment(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: DeploymentSpec(selector: LabelSelector(matchLabels: ["app": "web"]), template: ReplicaSetFixtures.template())))
        let old = try await env.api.create(ReplicaSetFixtures.replicaSet(
            "web-old", replicas: 2, selector: ["app": "web", "hash": "old"], templateLabels: ["app": "web", "hash": "old"],
            owner: deployment.controllerReference))
        try await env.waitForReplicas(2, of: "web-old")
        for pod in try await env.pods(controlledBy: old) { try await env.bindPod(pod.name, to: "node-b") }

        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(
            replicas: 2, selector: ["app": "web", "hash": "new"], templateLabels: ["app": "web", "hash": "new"],
            owner: deployment.controllerReference))
        try await env.waitForReplicas(2)
        let names = try await env.pods(controlledBy: rs).map(\.name)
        let now = env.clock.now().truncatedToSeconds
        // Without the rank, the pod ready for less time (on node-a) would go first.
        try await env.bindPod(names[0], to: "node-a")
        try await env.setPodStatus(names[0], phase: "Running", readySince: now.advanced(by: .seconds(-10)))
        try await env.bindPod(names[1], to: "node-b")
        try await env.setPodStatus(names[1], phase: "Running", readySince: now.advanced(by: .seconds(-1000)))
        try await waitForReady(env, 2)

        try await scale(env, to: 1, expecting: names[1])
        await env.stop()
    }
}
