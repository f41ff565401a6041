import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Testing

/// A ReplicaSet on a cluster: the scheduler places its pods on simulated nodes, their kubelets
/// run them, and the ReplicaSet reports them ready and available.
@Suite("ReplicaSet: cluster")
struct ReplicaSetClusterTests {
    @Test("a ReplicaSet's pods are scheduled, run and become ready; scaled down, the kubelets remove the surplus")
    func runsOnSimulatedNodes() async throws {
        let env = try await TestEnvironment.start()
        try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try ReplicaSetController.register(with: env.manager)
        env.startManager()
        for name in ["n1", "n2"] {
            _ = try await env.api.create(Node(metadata: ObjectMeta(labels: ["bosun.dev/runtime": "simulated"], name: name)))
        }
        try await env.waitUntil("both nodes are Ready") {
            try await env.api.listAll(Node.self).allSatisfy { node in
                node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
        }

        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 6))
        try await env.waitUntil("six pods are ready and available") {
            let status = try await env.replicaSet().status
            return status.replicas == 6 && status.readyReplicas == 6 && status.availableReplicas == 6
        }
        let pods = try await env.pods(controlledBy: rs)
        #expect(pods.count == 6)
        #expect(pods.allSatisfy { $0.status.phase == "Running" && $0.isReady })
        #expect(Set(pods.compactMap(\.spec.nodeName)) == ["n1", "n2"], "spread over both nodes")

        var scaled = try await env.replicaSet()
        scaled.spec.replicas = 2
        _ = try await env.api.update(scaled)
        try await env.waitUntil("four pods are gone") {
            let status = try await env.replicaSet().status
            guard status.replicas == 2 && status.readyReplicas == 2 else { return false }
            return try await env.pods(controlledBy: rs).count == 2
        }
        await env.stop()
    }
}
