import BosunHost
import BosunKit
import BosunRuntime
import BosunStore

/// A DaemonSet end to end in one process, as `bosun up --sim-nodes N` runs it (every built-in
/// controller, the scheduler, the simulated kubelets, an in-memory store), on `nodes` simulated
/// nodes:
/// - creation: the docs' fluentd DaemonSet created, timed until a pod runs and is Ready on every
///   node and the status says so (`kubectl rollout status`'s test: observedGeneration,
///   updatedNumberScheduled and numberAvailable at desiredNumberScheduled) with one pod per node;
/// - rollout: its image changed, timed by the same test, and until no old pod is left.
///
/// The rolling update runs with `maxUnavailable` (an absolute number or a percentage of the
/// nodes, rounded up as upstream does) and `maxSurge`. Kubernetes' default, `maxUnavailable: 1`,
/// replaces one pod at a time: on 1,000 nodes that is 1,000 steps in sequence, each a delete, a
/// create, a bind and a Ready, which is why large clusters set a percentage.
///
/// Each phase also reports the process' CPU time: on a shared machine wall time depends on the
/// neighbours, CPU time much less.
public struct DaemonSetBenchmark: Sendable {
    public var nodes: Int
    public var maxUnavailable: IntOrString
    public var maxSurge: IntOrString

    public init(nodes: Int = 1_000, maxUnavailable: IntOrString = "10%", maxSurge: IntOrString = 0) {
        self.nodes = nodes
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }

    static let name = "fluentd-elasticsearch"
    static let label = ["name": "fluentd-elasticsearch"]

    public func run() async throws -> BenchmarkReport {
        guard nodes > 0 else { throw BenchmarkError("nodes must be positive") }
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false))
        var report = BenchmarkReport(name: "daemonset")
        report.record("nodes", nodes)
        report.record("maxUnavailable", maxUnavailable.description)
        report.record("maxSurge", maxSurge.description)
        let clock = ContinuousClock()

        try await DeploymentBenchmark.waitForReadyNodes(nodes, in: plane.store, recordingIn: &report)
        var started = clock.now

        let api = StoreClient(store: plane.store)
        started = clock.now
        var cpu = ProcessUsage.cpuSeconds()
        var daemonSet = try await api.create(daemonSet(image: "quay.io/fluentd_elasticsearch/fluentd:v5.0.1"))
        try await poll(every: .milliseconds(20)) { try Self.isRolledOut(plane.store, nodes: nodes, image: nil) }
        let create = (clock.now - started).seconds
        report.record("createSeconds", create, decimals: 2)
        report.record("createPodsPerSecond", Double(nodes) / create, decimals: 0)
        report.record("createCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)

        let image = "quay.io/fluentd_elasticsearch/fluentd:v5.0.2"
        started = clock.now
        cpu = ProcessUsage.cpuSeconds()
        daemonSet = try await api.get(DaemonSet.self, namespace: "kube-system", name: Self.name)
        daemonSet.spec.template.spec?.containers[0].image = image
        _ = try await api.update(daemonSet)
        try await poll(every: .milliseconds(20)) { try Self.isRolledOut(plane.store, nodes: nodes, image: image) }
        let rollout = (clock.now - started).seconds
        report.record("rolloutSeconds", rollout, decimals: 2)
        report.record("rolloutPodsPerSecond", Double(nodes) / rollout, decimals: 0)
        report.record("rolloutCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)
        report.record("rssMiB", Double(ProcessUsage.residentBytes()) / 1_048_576, decimals: 0)

        await plane.shutdown()
        return report
    }

    /// The docs' fluentd-elasticsearch DaemonSet (its tolerations, limits and volumes left out:
    /// simulated nodes have no taints or files), rolling with this run's settings.
    func daemonSet(image: String) -> DaemonSet {
        DaemonSet(
            metadata: ObjectMeta(labels: ["k8s-app": "fluentd-logging"], name: Self.name, namespace: "kube-system"),
            spec: DaemonSetSpec(
                selector: LabelSelector(matchLabels: Self.label),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: Self.label),
                    spec: PodSpec(containers: [Container(name: Self.name, image: image)], terminationGracePeriodSeconds: 30)),
                updateStrategy: DaemonSetUpdateStrategy(
                    rollingUpdate: RollingUpdateDaemonSet(maxSurge: maxSurge, maxUnavailable: maxUnavailable), type: "RollingUpdate")))
    }

    /// `kubectl rollout status`'s test for a DaemonSet at its current generation, then: exactly
    /// one pod per node, each of `image` when given.
    static func isRolledOut(_ store: ObjectStore, nodes: Int, image: String?) throws -> Bool {
        let ds = try store.get(DaemonSet.resource.resourceKey, namespace: "kube-system", name: name).decode(as: DaemonSet.self)
        let s = ds.status
        guard s.observedGeneration == ds.metadata.generation, s.desiredNumberScheduled == nodes,
              s.updatedNumberScheduled == s.desiredNumberScheduled, s.numberAvailable == s.desiredNumberScheduled,
              s.numberReady == s.desiredNumberScheduled
        else { return false }
        let pods = try store.list(Pod.resource.resourceKey, namespace: "kube-system").items.filter { $0.labels["name"] == label["name"] }
        guard pods.count == nodes else { return false }
        guard let image else { return true }
        return try pods.allSatisfy { try $0.decode(as: Pod.self).spec.containers.first?.image == image }
    }
}
