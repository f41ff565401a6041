import BosunKit
import BosunNodes
import BosunRuntime
import BosunStore
import Foundation

/// Simulated nodes at Kubernetes' scale, in real time:
/// - idle cost: the CPU that N heartbeating nodes take, as a share of one core;
/// - pods: P pods bound across the nodes, the time until all are Running, and the process's RSS
///   then; then the idle cost again with the pods in place.
public struct SimulatedNodesBenchmark: Sendable {
    public var nodes: Int
    public var pods: Int
    /// How long each idle window is measured.
    public var window: Duration

    public init(nodes: Int = 5_000, pods: Int = 150_000, window: Duration = .seconds(30)) {
        self.nodes = nodes
        self.pods = pods
        self.window = window
    }

    public func run() async throws -> BenchmarkReport {
        let store = try await ObjectStore.open(backend: MemoryBackend(), historyCapacity: 10_000, watchBufferSize: 1_000_000)
        let api = StoreClient(store: store)
        let manager = Manager(client: api, options: ManagerOptions(defaultConcurrency: 2))
        _ = try SimulatedNodes.register(with: manager)
        let running = Task { try await manager.run() }
        var report = BenchmarkReport(name: "sim-nodes")
        report.record("nodes", nodes)
        report.record("pods", pods)

        let clock = ContinuousClock()
        var started = clock.now
        try await concurrently(nodes) { n in
            _ = try await api.create(Node(metadata: ObjectMeta(
                labels: ["bosun.dev/runtime": "simulated", "kubernetes.io/hostname": "sim-\(n)",
                         "topology.kubernetes.io/zone": "zone-\(n % 3)"],
                name: "sim-\(n)")))
        }
        try await poll(every: .milliseconds(500)) { try self.count(Node.self, store: store) { $0.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true } == nodes }
        report.record("nodesReadySeconds", (clock.now - started).seconds, decimals: 2)

        report.record("idleCorePercentNodesOnly", try await ProcessUsage.corePercent(over: window), decimals: 2)

        started = clock.now
        try await concurrently(pods) { n in
            _ = try await api.create(Pod(
                metadata: ObjectMeta(labels: ["app": "bench"], name: "p-\(n)", namespace: "default"),
                spec: PodSpec(containers: [Container(name: "c", image: "nginx")], nodeName: "sim-\(n % nodes)")))
        }
        report.record("podsCreatedSeconds", (clock.now - started).seconds, decimals: 2)
        try await poll(every: .milliseconds(500)) { try self.count(Pod.self, store: store) { $0.status.phase == "Running" } == pods }
        let elapsed = (clock.now - started).seconds
        report.record("podsRunningSeconds", elapsed, decimals: 2)
        report.record("podsRunningPerSecond", Double(pods) / elapsed, decimals: 0)
        report.record("rssMiB", Double(ProcessUsage.residentBytes()) / 1_048_576, decimals: 0)
        report.record("idleCorePercentWithPods", try await ProcessUsage.corePercent(over: window), decimals: 2)

        running.cancel()
        _ = try? await running.value
        await store.close()
        return report
    }

    private func count<T: Resource>(_ type: T.Type, store: ObjectStore, where matches: (T) -> Bool) throws -> Int {
        try store.list(T.resource.resourceKey).items.reduce(0) { total, object in
            total + ((try? object.decode(as: T.self)).map(matches) == true ? 1 : 0)
        }
    }
}
