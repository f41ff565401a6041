import BosunKit
import BosunPlugin
import BosunPluginHost
import BosunRuntime
import BosunStore
import Logging
import WidgetPlugin

/// An in-process plugin's reconciles against a built-in controller's, on the same work: the
/// plugin template's Widget controller (per Widget, a ConfigMap holding its message, then a
/// status update), once compiled into this binary and registered directly, as the built-in
/// controllers are, and once loaded from `libWidgetPlugin.so` with `dlopen`, as
/// `bosun up --plugin` loads it. The code is the same source; what differs is the path to it.
///
/// Each run: a fresh in-memory store, the controller registered, `objects` Widgets created, then
/// the manager started; timed (wall and CPU) until every Widget's status records its
/// generation. Built-in and plugin runs alternate `rounds` times; the best of each is reported,
/// and the plugin's CPU per reconcile over the built-in's.
public struct PluginReconcileBenchmark: Sendable {
    public var plugin: String
    public var objects: Int
    public var rounds: Int

    public init(plugin: String, objects: Int = 10_000, rounds: Int = 3) {
        self.plugin = plugin
        self.objects = objects
        self.rounds = rounds
    }

    static let widgets = GroupResource(group: "example.com", resource: "widgets")

    public func run() async throws -> BenchmarkReport {
        var builtIn: [(wall: Double, cpu: Double)] = []
        var loaded: [(wall: Double, cpu: Double)] = []
        for _ in 0..<rounds {
            builtIn.append(try await measure(.success(PluginLibrary.accept(
                BosunPluginEntry.descriptor(for: WidgetPlugin.self).assumingMemoryBound(to: BosunPluginDescriptor.self),
                path: "compiled-in"))))
            loaded.append(try await measure(Result { () throws(PluginLoadError) in try PluginLibrary.open(plugin) }))
        }
        let bestBuiltIn = builtIn.min { $0.cpu < $1.cpu }!, bestLoaded = loaded.min { $0.cpu < $1.cpu }!
        var report = BenchmarkReport(name: "plugin-reconcile")
        report.record("objects", objects)
        report.record("rounds", rounds)
        report.record("builtInSeconds", bestBuiltIn.wall, decimals: 3)
        report.record("builtInCPUMicrosPerReconcile", bestBuiltIn.cpu / Double(objects) * 1e6, decimals: 1)
        report.record("pluginSeconds", bestLoaded.wall, decimals: 3)
        report.record("pluginCPUMicrosPerReconcile", bestLoaded.cpu / Double(objects) * 1e6, decimals: 1)
        report.record("pluginOverBuiltInCPU", bestLoaded.cpu / bestBuiltIn.cpu, decimals: 3)
        return report
    }

    private func measure(_ library: Result<PluginLibrary, PluginLoadError>) async throws -> (wall: Double, cpu: Double) {
        let store = try await ObjectStore.open(backend: MemoryBackend(), watchBufferSize: 4 * objects + 1_000)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let manager = Manager(client: StoreClient(store: store), logger: quiet)
        let plugins = PluginSet(store: store, manager: manager, logger: quiet)
        await plugins.start(opened: [library])
        if let failure = plugins.report.failures.first { throw BenchmarkError("the Widget plugin did not load: \(failure)") }
        try await concurrently(objects) { n in
            let body = #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"widget-\#(n)","namespace":"default"},"spec":{"message":"hello \#(n)"}}"#
            try await store.create(Self.widgets, namespace: "default", object: RequestBody.object(Array(body.utf8)))
        }

        let clock = ContinuousClock()
        let started = clock.now
        let cpu = ProcessUsage.cpuSeconds()
        let running = Task { try await manager.run() }
        try await poll(every: .milliseconds(10)) {
            try store.list(Self.widgets, namespace: "default").items.allSatisfy { stored in
                let object = stored.unstructured().object
                return object["status"]?["observedGeneration"] == object["metadata"]?["generation"]
            }
        }
        let measured = (wall: (clock.now - started).seconds, cpu: ProcessUsage.cpuSeconds() - cpu)
        running.cancel()
        _ = try? await running.value
        // The kind leaves the process-wide registry, so the next run's library can register its own type.
        try? await plugins.unload(named: WidgetPlugin.descriptor.name)
        await store.close()
        return measured
    }
}
