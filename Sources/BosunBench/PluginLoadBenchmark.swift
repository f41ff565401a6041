import BosunKit
import BosunPluginHost
import BosunRuntime
import BosunStore
import Logging

/// Loading plugins as `bosun up --plugin` does: for each library, `dlopen`, the handshake, its
/// registration and applying what it registered (CRDs served, hooks, controllers built) into a
/// fresh in-memory control plane. Each library is loaded once, cold: a process opens a library
/// only once, so a second load would time the dynamic linker's cache.
public struct PluginLoadBenchmark: Sendable {
    public var paths: [String]

    public init(paths: [String]) {
        self.paths = paths
    }

    public func run() async throws -> BenchmarkReport {
        var report = BenchmarkReport(name: "plugin-load")
        var worst = 0.0
        for path in paths {
            let store = try await ObjectStore.open(backend: MemoryBackend())
            let manager = Manager(client: StoreClient(store: store), logger: Logger(label: "bench"))
            let clock = ContinuousClock()
            let started = clock.now
            let loaded = await PluginHost.load(paths: [path], store: store, manager: manager, logger: Logger(label: "bench"))
            let millis = (clock.now - started).seconds * 1000
            guard let plugin = loaded.loaded.first else {
                throw BenchmarkError("\(path) did not load: \(loaded.failures.map(\.description).joined(separator: "; "))")
            }
            report.record("\(plugin.info.name)Millis", millis, decimals: 2)
            worst = max(worst, millis)
            await store.close()
        }
        report.record("plugins", paths.count)
        report.record("worstMillis", worst, decimals: 2)
        return report
    }
}
