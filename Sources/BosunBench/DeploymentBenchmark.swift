import BosunHost
import BosunKit
import BosunRuntime
import BosunStore

/// A Deployment end to end in one process, as `bosun up --sim-nodes N` runs it (every built-in
/// controller, the scheduler, the simulated kubelets, an in-memory store):
/// - scale-up: a Deployment of `replicas` pods created on `nodes` simulated nodes, timed until
///   every pod is Running and Ready and the Deployment reports them all available;
/// - rollout: its image changed, timed until every pod belongs to the new ReplicaSet, the old
///   ones are gone and all are available again.
///
/// Each phase also reports the process' CPU time (all threads): on a shared machine wall time
/// depends on the neighbours, CPU time much less.
public struct DeploymentBenchmark: Sendable {
    public var nodes: Int
    public var replicas: Int

    public init(nodes: Int = 1_000, replicas: Int = 10_000) {
        self.nodes = nodes
        self.replicas = replicas
    }

    public func run() async throws -> BenchmarkReport {
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false))
        var report = BenchmarkReport(name: "deployment")
        report.record("nodes", nodes)
        report.record("replicas", replicas)
        let clock = ContinuousClock()

        try await DeploymentBenchmark.waitForReadyNodes(nodes, in: plane.store, recordingIn: &report)
        var started = clock.now

        let api = StoreClient(store: plane.store)
        started = clock.now
        var cpu = ProcessUsage.cpuSeconds()
        var deployment = try await api.create(Self.deployment(replicas: replicas, image: "nginx:1.14.2"))
        try await poll(every: .milliseconds(20)) { try self.isComplete(plane.store) }
        let scaleUp = (clock.now - started).seconds
        report.record("scaleUpSeconds", scaleUp, decimals: 2)
        report.record("scaleUpPodsPerSecond", Double(replicas) / scaleUp, decimals: 0)
        report.record("scaleUpCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)

        started = clock.now
        cpu = ProcessUsage.cpuSeconds()
        deployment = try await api.get(Deployment.self, namespace: "default", name: Self.name)
        deployment.spec.template.spec?.containers[0].image = "nginx:1.16.1"
        _ = try await api.update(deployment)
        try await poll(every: .milliseconds(20)) { try self.isComplete(plane.store) }
        let rollout = (clock.now - started).seconds
        report.record("rolloutSeconds", rollout, decimals: 2)
        report.record("rolloutPodsPerSecond", Double(replicas) / rollout, decimals: 0)
        report.record("rolloutCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)
        report.record("rssMiB", Double(ProcessUsage.residentBytes()) / 1_048_576, decimals: 0)

        await plane.shutdown()
        return report
    }

    static let name = "bench"

    /// How many nodes report Ready.
    /// Waits until `count` nodes report Ready and records how long that took as
    /// `nodesReadySeconds`: the start of every whole-control-plane benchmark.
    static func waitForReadyNodes(_ count: Int, in store: ObjectStore, recordingIn report: inout BenchmarkReport) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        try await poll(every: .milliseconds(20)) { try readyNodes(store) == count }
        report.record("nodesReadySeconds", (clock.now - started).seconds, decimals: 2)
    }

    static func readyNodes(_ store: ObjectStore) throws -> Int {
        try store.list(Node.resource.resourceKey).items.reduce(0) { ready, object in
            let node = try object.decode(as: Node.self)
            return ready + (node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true ? 1 : 0)
        }
    }

    /// The docs' nginx Deployment, scaled.
    static func deployment(name: String = name, namespace: String = "default", replicas: Int, image: String) -> Deployment {
        let labels = ["app": "nginx"]
        return Deployment(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: DeploymentSpec(
                selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: labels),
                    spec: PodSpec(containers: [Container(name: "nginx", image: image, ports: [ContainerPort(containerPort: 80)])])),
                replicas: Int32(replicas)))
    }

    private func isComplete(_ store: ObjectStore) throws -> Bool {
        try Self.isComplete(store.get(Deployment.resource.resourceKey, namespace: "default", name: Self.name).decode(as: Deployment.self))
    }

    /// Every replica updated, available and counted, for the Deployment's current generation,
    /// with no old pod left.
    static func isComplete(_ d: Deployment) -> Bool {
        let s = d.status
        let want = d.spec.replicas ?? 1
        return s.observedGeneration == d.metadata.generation && s.replicas == want && s.updatedReplicas == want
            && s.availableReplicas == want && s.conditions?.contains { $0.type == "Available" && $0.status == "True" } == true
    }
}
