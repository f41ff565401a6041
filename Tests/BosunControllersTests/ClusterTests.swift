import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Testing

/// The pieces of a cluster together on one store and one manual clock: the scheduler places pods
/// on simulated nodes, their kubelets run them, and when a node goes silent the node lifecycle and
/// taint eviction controllers take its pods away.
@Suite("Cluster")
struct ClusterTests {
    @Test("pods are scheduled onto simulated nodes and run; a silent node's pods are evicted after 300 s")
    func scheduleRunAndEvict() async throws {
        let env = try await TestEnvironment.start()
        let simulated = try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try NodeLifecycleController.register(with: env.manager)
        try TaintEvictionController.register(with: env.manager)
        env.startManager()

        for name in ["n1", "n2"] {
            _ = try await env.api.create(Node(metadata: ObjectMeta(labels: ["bosun.dev/runtime": "simulated"], name: name)))
        }
        try await env.waitUntil("both nodes are Ready") {
            try await env.api.listAll(Node.self).allSatisfy { node in
                node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }
        }
        for n in 0..<4 {
            _ = try await env.api.create(Pod(
                metadata: ObjectMeta(name: "web-\(n)", namespace: "default"),
                spec: PodSpec(containers: [Container(
                    name: "web", image: "nginx", resources: ResourceRequirements(requests: ["cpu": "1"]))])))
        }
        try await env.waitUntil("all pods are Running on a node") {
            let pods = try await env.api.listAll(Pod.self, namespace: "default")
            return pods.count == 4 && pods.allSatisfy { $0.status.phase == "Running" && $0.spec.nodeName != nil }
        }
        let onN1 = try await env.api.listAll(Pod.self, namespace: "default").filter { $0.spec.nodeName == "n1" }.map(\.name)
        #expect(onN1.count == 2, "LeastAllocated spreads the pods")

        // n1's kubelet goes silent. Time passes in steps a kubelet and the controllers act in.
        simulated.stop(node: "n1")
        func pass(_ seconds: Int) async {
            for _ in 0..<seconds {
                for _ in 0..<50 { await Task.yield() }
                env.clock.advance(by: .seconds(1))
            }
        }
        await pass(60)
        try await env.waitUntil("n1 is unreachable") {
            let node = try await env.api.get(Node.self, namespace: nil, name: "n1")
            return node.spec.taints?.contains { $0.key == "node.kubernetes.io/unreachable" && $0.effect == "NoExecute" } == true
        }
        #expect(try await env.api.get(Node.self, namespace: nil, name: "n2").spec.taints == nil)
        await pass(250)
        for name in onN1 {
            #expect(try await env.api.get(Pod.self, namespace: "default", name: name).metadata.deletionTimestamp == nil,
                    "the default toleration holds for 300 s")
        }
        await pass(60)
        try await env.waitUntil("n1's pods are being evicted") {
            var evicted = 0
            for name in onN1 where try await env.api.getIfPresent(Pod.self, namespace: "default", name: name)?.metadata.deletionTimestamp != nil {
                evicted += 1
            }
            return evicted == onN1.count
        }
        // With n1's kubelet gone they stay Terminating, as in Kubernetes; n2's pods are untouched.
        for pod in try await env.api.listAll(Pod.self, namespace: "default") where pod.spec.nodeName == "n2" {
            #expect(pod.metadata.deletionTimestamp == nil)
            #expect(pod.status.phase == "Running")
        }
        await env.stop()
    }
}
