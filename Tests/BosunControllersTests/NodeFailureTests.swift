import BosunControllers
import BosunNodes
import BosunRuntime
import BosunScheduler
import Testing

/// Issue 6's node-failure acceptance: a ReplicaSet's pods on a simulated node that fails are
/// replaced on the nodes that still run — the node lifecycle controller taints the silent node,
/// taint eviction deletes its pods once the default 300 s toleration runs out, the ReplicaSet
/// stops counting the terminating pods and creates replacements, and the scheduler keeps them off
/// the tainted node.
@Suite("Cluster: node failure")
struct NodeFailureTests {
    @Test("the pods of a failed simulated node are replaced on the other nodes")
    func podsAreReplacedElsewhere() async throws {
        let env = try await TestEnvironment.start()
        let simulated = try SimulatedNodes.register(with: env.manager)
        try Scheduler.register(with: env.manager)
        try NodeLifecycleController.register(with: env.manager)
        try TaintEvictionController.register(with: env.manager)
        try ReplicaSetController.register(with: env.manager)
        env.startManager()
        for name in ["n1", "n2", "n3"] {
            _ = try await env.api.create(Node(metadata: ObjectMeta(labels: ["bosun.dev/runtime": "simulated"], name: name)))
        }
        // Ready, and rid of the not-ready taint a new node starts with: a pod scheduled before
        // the node lifecycle controller lifts it avoids that node. Read from the shared Node
        // informer, whose handlers (the scheduler's cache among them) see each change as it
        // lands there: the store can be ahead of what the scheduler has seen.
        let nodes = env.manager.informer(for: Node.self)
        defer { nodes.release() }
        try await env.waitUntil("the scheduler sees the nodes Ready and untainted") {
            let seen = nodes.informer.list()
            return seen.count == 3 && seen.allSatisfy { node in
                node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
                    && (node.spec.taints ?? []).isEmpty
            }
        }
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 6))
        try await env.waitUntil("six pods are ready") {
            let status = try await env.replicaSet().status
            return status.readyReplicas == 6
        }
        // The node that fails is one that runs some of the pods: the scheduler's spreading is a
        // score, not a rule, so any one node may have been left without.
        let pods = try await env.pods(controlledBy: rs)
        let failed = try #require(Dictionary(grouping: pods, by: { $0.spec.nodeName ?? "" })
            .max { $0.value.count < $1.value.count }?.key)
        let survivors = Set(["n1", "n2", "n3"]).subtracting([failed])
        let lost = pods.filter { $0.spec.nodeName == failed }.map(\.name)
        #expect(!lost.isEmpty)

        simulated.stop(node: failed)
        // Time passes in steps the kubelets and controllers act in: 40 s until it is declared
        // unreachable, then 300 s of default toleration before its pods are evicted.
        for _ in 0..<400 {
            for _ in 0..<50 { await Task.yield() }
            env.clock.advance(by: .seconds(1))
        }
        try await env.waitUntil("six pods, the replacements included, are ready on the other nodes") {
            let active = try await env.activePods(controlledBy: rs)
            let status = try await env.replicaSet().status
            return active.count == 6 && status.readyReplicas == 6
                && active.allSatisfy { survivors.contains($0.spec.nodeName ?? "") }
        }
        for name in lost {
            let pod = try await env.api.getIfPresent(Pod.self, namespace: "default", name: name)
            #expect(pod == nil || pod?.metadata.deletionTimestamp != nil, "\(name) on the failed node is being deleted")
        }
        await env.stop()
    }
}
