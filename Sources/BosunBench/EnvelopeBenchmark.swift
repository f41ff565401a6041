import BosunHost
import BosunKit
import BosunRuntime
import BosunStore

/// Kubernetes' scalability envelope in one process, as `bosun up --sim-nodes N` runs it: `nodes`
/// simulated nodes (the thresholds' 5,000) and `pods` pods (150,000), as `namespaces`
/// Deployments of equal size created together (50 of 3,000: the thresholds' pods per namespace).
/// Reports the seconds until every node is Ready, the seconds until every Deployment reports all
/// its pods available, the CPU time that took, the peak resident memory, and the CPU the
/// converged control plane uses as a share of one core over one `window` right after (settling)
/// and over the next (idle: heartbeats, leases, resyncs — what a laptop pays to keep the cluster up).
public struct EnvelopeBenchmark: Sendable {
    public var nodes: Int
    public var pods: Int
    public var namespaces: Int
    public var window: Duration

    public init(nodes: Int = 5_000, pods: Int = 150_000, namespaces: Int = 50, window: Duration = .seconds(30)) {
        self.nodes = nodes
        self.pods = pods
        self.namespaces = namespaces
        self.window = window
    }

    public func run() async throws -> BenchmarkReport {
        guard nodes > 0, pods >= 0, namespaces > 0 else { throw BenchmarkError("nodes and namespaces must be positive, pods not negative") }
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false))
        var report = BenchmarkReport(name: "envelope")
        report.record("nodes", nodes)
        report.record("pods", pods)
        report.record("namespaces", namespaces)
        let clock = ContinuousClock()

        var started = clock.now
        try await poll(every: .milliseconds(200)) { try DeploymentBenchmark.readyNodes(plane.store) == nodes }
        report.record("nodesReadySeconds", (clock.now - started).seconds, decimals: 2)

        let api = StoreClient(store: plane.store)
        started = clock.now
        let cpu = ProcessUsage.cpuSeconds()
        for index in 0..<namespaces {
            let namespace = "envelope-\(index)"
            // The remainder goes to the first namespaces, so the sizes add up to `pods`.
            let replicas = pods / namespaces + (index < pods % namespaces ? 1 : 0)
            _ = try await api.create(Namespace(metadata: ObjectMeta(name: namespace)))
            _ = try await api.create(DeploymentBenchmark.deployment(namespace: namespace, replicas: replicas, image: "nginx:1.27"))
        }
        try await poll(every: .milliseconds(200)) {
            let deployments = try plane.store.list(Deployment.resource.resourceKey).items.map { try $0.decode(as: Deployment.self) }
            return deployments.count == namespaces && deployments.allSatisfy(DeploymentBenchmark.isComplete)
        }
        let converge = (clock.now - started).seconds
        report.record("convergeSeconds", converge, decimals: 2)
        report.record("convergePodsPerSecond", Double(pods) / converge, decimals: 0)
        report.record("convergeCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)
        report.record("peakRSSMiB", Double(ProcessUsage.peakResidentBytes()) / 1_048_576, decimals: 0)
        // Converged is not yet idle: the last status writes, Events and requeues (minReadySeconds,
        // progress checks) trail the last available pod. One window to settle, then the measured one.
        report.record("settlingCorePercent", try await ProcessUsage.corePercent(over: window), decimals: 2)
        report.record("idleCorePercent", try await ProcessUsage.corePercent(over: window), decimals: 2)
        report.record("rssMiB", Double(ProcessUsage.residentBytes()) / 1_048_576, decimals: 0)

        await plane.shutdown()
        return report
    }
}
