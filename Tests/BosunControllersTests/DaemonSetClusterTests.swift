import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Testing

/// A DaemonSet on a cluster: the scheduler binds its pinned pods on simulated nodes, their
/// kubelets run them.
@Suite("DaemonSet: cluster")
struct DaemonSetClusterTests {
    @Test("fluentd runs one pod per node; a node added through the API gets one; a NoExecute taint removes it")
    func fluentdOnSimulatedNodes() async throws {
        let env = try await TestEnvironment.start()
        try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try DaemonSetController.register(with: env.manager)
        env.startManager()
        for name in ["n1", "n2", "n3"] {
            try await env.createNode(name, labels: ["bosun.dev/runtime": "simulated"])
        }
        try await env.waitUntil("the nodes are Ready") {
            try await env.api.listAll(Node.self).allSatisfy { node in
                node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
        }
        _ = try await env.api.create(DaemonSetFixtures.fluentd())
        try await env.waitForDaemonSet("three pods ready") { $0.desiredNumberScheduled == 3 && $0.numberReady == 3 && $0.numberAvailable == 3 }
        let byNode = try await env.daemonPods()
        #expect(Set(byNode.keys) == ["n1", "n2", "n3"])
        #expect(byNode.values.joined().allSatisfy { $0.spec.nodeName == Self.node(of: $0) && $0.status.phase == "Running" })

        try await env.createNode("n4", labels: ["bosun.dev/runtime": "simulated"])
        // The set's pod for n4 can reach the scheduler before n4's kubelet has posted the node's
        // allocatable resources; it then fails to fit and waits out the scheduler's 1 s backoff,
        // which passes only when the test moves the clock — as a second would pass in a cluster.
        for _ in 0..<30 {
            let status = try await env.daemonSet("fluentd").status
            if status.desiredNumberScheduled == 4 && status.numberReady == 4 { break }
            for _ in 0..<200 { await Task.yield() }
            env.clock.advance(by: .seconds(1))
        }
        try await env.waitForDaemonSet("n4 has a ready pod") { $0.desiredNumberScheduled == 4 && $0.numberReady == 4 }

        try await env.updateNode("n2") { $0.spec.taints = [Taint(effect: "NoExecute", key: "maintenance")] }
        try await env.waitUntil("n2's pod is gone") {
            let pods = try await env.api.listAll(Pod.self, namespace: "default")
            return !pods.contains { $0.spec.nodeName == "n2" }
        }
        try await env.waitForDaemonSet("three again") { $0.desiredNumberScheduled == 3 && $0.currentNumberScheduled == 3 }
        await env.stop()
    }

    private static func node(of pod: Pod) -> String? {
        TestEnvironment.targetNode(of: Pod(metadata: pod.metadata, spec: { var spec = pod.spec; spec.nodeName = nil; return spec }()))
    }
}
