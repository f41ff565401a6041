import BosunEtcd
import BosunHost
import BosunProcesses
import BosunRuntime
import Testing

/// Two control planes on one etcd, each with its local node, sharing two simulated nodes.
private func start(_ name: String, _ cluster: LocalEtcdCluster) async throws -> ControlPlane {
    try await ControlPlane.start(ControlPlaneOptions(
        simulatedNodes: 2, localNode: true,
        distributed: DistributedOptions(etcdEndpoints: cluster.endpoints, name: name, leaseDuration: .seconds(3),
                                        renewDeadline: .seconds(2), retryPeriod: .milliseconds(250))))
}

private func deployment(replicas: Int32) -> Deployment {
    let labels = ["app": "web"]
    return Deployment(
        metadata: ObjectMeta(name: "web", namespace: "default"),
        spec: DeploymentSpec(
            selector: LabelSelector(matchLabels: labels),
            template: PodTemplateSpec(
                metadata: ObjectMeta(labels: labels),
                spec: PodSpec(containers: [Container(name: "web", image: "nginx")],
                              nodeSelector: ["bosun.dev/runtime": "simulated"])),
            replicas: replicas))
}

private func runningPods(_ api: some Client) async throws -> [Pod] {
    try await api.listAll(Pod.self, namespace: "default").filter { $0.status.phase == "Running" && $0.metadata.deletionTimestamp == nil }
}

@Suite("Control planes sharing etcd")
struct DistributedControlPlaneTests {
    @Test("one of two leads; both serve and stay in step; each runs its own local node; the standby takes over when the leader stops")
    func leaderAndStandby() async throws {
        try await withEtcd { cluster in
            let a = try await start("plane-a", cluster)
            let b = try await start("plane-b", cluster)
            await a.waitUntilReady()
            await b.waitUntilReady()
            #expect(a.isReady && b.isReady, "a standby is ready too: it serves the API")
            try await waitUntil("exactly one leads") { a.isLeading != b.isLeading }
            let (leader, standby) = a.isLeading ? (a, b) : (b, a)
            let standbyAPI = StoreClient(store: standby.store)

            // Each runs its own local node, named after it, and only that one.
            try await waitUntil("both local nodes are Ready", within: 30) {
                let nodes = try await standbyAPI.listAll(Node.self)
                return ["plane-a", "plane-b"].allSatisfy { name in
                    nodes.first { $0.metadata.name == name }?.status.conditions?
                        .contains { $0.type == "Ready" && $0.status == "True" } == true
                }
            }
            #expect(a.local?.options.nodeName == "plane-a")
            #expect(b.local?.options.nodeName == "plane-b")

            // Written through the standby, rolled out by the leader's controllers and scheduler.
            _ = try await standbyAPI.create(deployment(replicas: 3))
            try await waitUntil("three pods run, as both stores see", within: 30) {
                let seenByStandby = try await runningPods(standbyAPI).count
                let seenByLeader = try await runningPods(StoreClient(store: leader.store)).count
                return seenByStandby == 3 && seenByLeader == 3
            }
            #expect(a.store.resourceVersion > 0 && b.store.resourceVersion > 0)

            // The leader stops (and lets go of its lease); the standby leads and scales on.
            await leader.shutdown()
            try await waitUntil("the standby leads", within: 15) { standby.isLeading }
            // The new leader's controllers write the Deployment's status meanwhile: retry on Conflict.
            try await waitUntil("the Deployment is scaled to 5") {
                var scaled = try await standbyAPI.get(Deployment.self, namespace: "default", name: "web")
                scaled.spec.replicas = 5
                do {
                    _ = try await standbyAPI.update(scaled)
                    return true
                } catch let error as APIError where error.code == 409 {
                    return false
                }
            }
            try await waitUntil("five pods run", within: 30) { try await runningPods(standbyAPI).count == 5 }
            // No pod was made twice: the ReplicaSet has exactly the pods it wants.
            let replicaSets = try await standbyAPI.listAll(ReplicaSet.self, namespace: "default")
            #expect(replicaSets.count == 1)
            #expect(try await standbyAPI.listAll(Pod.self, namespace: "default").count == 5)
            await standby.shutdown()
        }
    }
}
