import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Testing

/// Namespace deletion with everything `bosun up` runs: the scheduler, a simulated node's
/// kubelet, the garbage collector, PodGC and the namespace controller.
@Suite("Namespace deletion in a cluster")
struct NamespaceClusterTests {
    @Test("deleting a namespace moves it to Terminating, stops its pods through their kubelet, removes its contents, then removes it")
    func deleteNamespaceWithRunningPods() async throws {
        let env = try await TestEnvironment.start()
        _ = try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try GarbageCollector.register(with: env.manager)
        try PodGCController.register(with: env.manager)
        try NamespaceController.register(with: env.manager)
        env.startManager()

        _ = try await env.api.create(Node(metadata: ObjectMeta(labels: ["bosun.dev/runtime": "simulated"], name: "n1")))
        try await env.waitUntil("the node is Ready") {
            try await env.api.get(Node.self, namespace: nil, name: "n1").status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
        }
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "shop")))
        _ = try await Chain.create(in: env, namespace: "shop")
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "shop")))
        try await env.waitUntil("the pods run on the node") {
            let pods = try await env.api.listAll(Pod.self, namespace: "shop")
            return pods.count == 2 && pods.allSatisfy { $0.status.phase == "Running" && $0.spec.nodeName == "n1" }
        }

        let deleted = try await env.api.delete(Namespace.self, namespace: nil, name: "shop")
        #expect(deleted.object.status.phase == "Terminating")
        for _ in 0..<50 {
            if try await env.api.getIfPresent(Namespace.self, namespace: nil, name: "shop") == nil { break }
            for _ in 0..<200 { await Task.yield() }
            env.clock.advance(by: .seconds(5))
        }
        try await env.waitUntil("the namespace is gone") {
            try await env.api.getIfPresent(Namespace.self, namespace: nil, name: "shop") == nil
        }
        for kind in ["pods", "replicasets", "deployments", "configmaps"] {
            let descriptor = try #require(try await env.api.serverResources().first { $0.plural == kind })
            #expect(try await env.api.listObjects(descriptor, namespace: "shop", options: ListOptions()).items.isEmpty, "no \(kind) left")
        }
        await env.stop()
    }
}
