import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Testing

/// A StatefulSet on a cluster: the scheduler places its pods on simulated nodes, their kubelets
/// run them, and the set comes up in order.
@Suite("StatefulSet: cluster")
struct StatefulSetClusterTests {
    @Test("the web StatefulSet comes up on simulated nodes; a deleted pod returns under its name with its claim")
    func webOnSimulatedNodes() async throws {
        let env = try await TestEnvironment.start()
        try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try StatefulSetController.register(with: env.manager)
        env.startManager()
        for name in ["n1", "n2"] {
            _ = try await env.api.create(Node(metadata: ObjectMeta(labels: ["bosun.dev/runtime": "simulated"], name: name)))
        }
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 3))
        // Time passes while the set comes up, as on a cluster: a sync that lost a write race
        // retries after its backoff on the manual clock.
        try await env.waitUntil("three pods ready") {
            env.clock.advance(by: .milliseconds(10))
            let set = try await env.statefulSet("web")
            return set.status.observedGeneration == set.metadata.generation
                && set.status.readyReplicas == 3 && set.status.availableReplicas == 3
        }

        let pods = try await env.api.listAll(Pod.self, namespace: "default").sorted { $0.name < $1.name }
        #expect(pods.map(\.name) == ["web-0", "web-1", "web-2"])
        #expect(pods.allSatisfy { $0.status.phase == "Running" && $0.spec.nodeName != nil })
        let claims = try await env.api.listAll(PersistentVolumeClaim.self, namespace: "default").map(\.name).sorted()
        #expect(claims == ["www-web-0", "www-web-1", "www-web-2"])

        let claim = try #require(try await env.claim("www-web-1"))
        let old = try #require(try await env.pod("web-1"))
        try await env.api.delete(Pod.self, namespace: "default", name: "web-1")
        try await env.waitUntil("web-1 is back and ready") {
            env.clock.advance(by: .milliseconds(10))
            guard let pod = try await env.pod("web-1") else { return false }
            return pod.metadata.uid != old.metadata.uid && pod.isReady
        }
        #expect(try await env.claim("www-web-1")?.metadata.uid == claim.metadata.uid)
        await env.stop()
    }
}
