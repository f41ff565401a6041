import BosunKit
import BosunNodes
import BosunRuntime
import BosunStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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
        try await waitUntil { try self.count(Node.self, store: store) { $0.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true } == nodes }
        report.record("nodesReadySeconds", (clock.now - started).seconds, decimals: 2)

        report.record("idleCorePercentNodesOnly", try await idleCorePercent(), decimals: 2)

        started = clock.now
        try await concurrently(pods) { n in
            _ = try await api.create(Pod(
                metadata: ObjectMeta(labels: ["app": "bench"], name: "p-\(n)", namespace: "default"),
                spec: PodSpec(containers: [Container(name: "c", image: "nginx")], nodeName: "sim-\(n % nodes)")))
        }
        report.record("podsCreatedSeconds", (clock.now - started).seconds, decimals: 2)
        try await waitUntil { try self.count(Pod.self, store: store) { $0.status.phase == "Running" } == pods }
        let elapsed = (clock.now - started).seconds
        report.record("podsRunningSeconds", elapsed, decimals: 2)
        report.record("podsRunningPerSecond", Double(pods) / elapsed, decimals: 0)
        report.record("rssMiB", Double(Self.residentBytes()) / 1_048_576, decimals: 0)
        report.record("idleCorePercentWithPods", try await idleCorePercent(), decimals: 2)

        running.cancel()
        _ = try? await running.value
        await store.close()
        return report
    }

    /// CPU time (user + system) over one window, as a percentage of one core.
    private func idleCorePercent() async throws -> Double {
        let before = Self.cpuSeconds()
        try await Task.sleep(for: window)
        return (Self.cpuSeconds() - before) / window.seconds * 100
    }

    private func count<T: Resource>(_ type: T.Type, store: ObjectStore, where matches: (T) -> Bool) throws -> Int {
        try store.list(T.resource.resourceKey).items.reduce(0) { total, object in
            total + ((try? object.decode(as: T.self)).map(matches) == true ? 1 : 0)
        }
    }

    private func waitUntil(_ done: () throws -> Bool) async throws {
        while try !done() { try await Task.sleep(for: .milliseconds(500)) }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kib * 1024
    }
}
