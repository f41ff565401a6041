import BosunKit
import BosunStore

#if canImport(Glibc)
import Glibc
#endif

/// Where a typed pod create spends its CPU, phase by phase, in CPU time rather than wall time:
/// on a machine shared with other work, throughput figures move with the load, CPU time per
/// operation much less.
///
/// Each phase runs up to 20,000 times on one thread (best of five rounds, thread CPU time):
/// building the benchmark's pod, Kubernetes' defaulting, validation (with field paths, as the
/// JSON path reports errors), encoding, and for comparison decoding the JSON back. Then `objects`
/// whole creates through an in-memory store from one writer with no watcher (process CPU time,
/// mean over the last three quarters, once the store is warm).
public struct StorePhasesBenchmark: Sendable {
    public var objects: Int

    public init(objects: Int = 100_000) {
        self.objects = objects
    }

    public func run() async throws -> BenchmarkReport {
        var report = BenchmarkReport(name: "store-phases")
        let n = min(objects, 20_000)
        var sink = 0
        report.record("buildPodMicros", Self.time(n) { i in sink &+= StoreBenchmark.pod(i).metadata.name?.utf8.count ?? 0 }, decimals: 3)
        var defaulted = StoreBenchmark.pod(0)
        report.record("buildAndDefaultMicros", Self.time(n) { i in
            var pod = StoreBenchmark.pod(i)
            BuiltinAdmission.applyDefaults(&pod)
            defaulted = pod
        }, decimals: 3)
        defaulted.metadata.uid = UID.random()
        defaulted.metadata.creationTimestamp = Time(secondsSinceEpoch: 1_700_000_000)
        report.record("validateMicros", Self.time(n) { _ in sink &+= BuiltinAdmission.validate(defaulted).count }, decimals: 3)
        report.record("encodeMicros", Self.time(n) { _ in sink &+= defaulted.jsonBytes().count }, decimals: 3)
        let bytes = defaulted.jsonBytes()
        report.record("decodeMicros", Self.time(n) { _ in sink &+= (try? Pod(jsonBytes: bytes))?.spec.containers.count ?? 0 }, decimals: 3)

        let store = try await ObjectStore.open(backend: MemoryBackend(), historyCapacity: 10_000)
        let warm = objects / 4
        for i in 0..<warm { try await store.create(StoreBenchmark.pod(i)) }
        // Process time: the writer task may move between threads at each suspension.
        let start = Self.cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
        for i in warm..<objects { try await store.create(StoreBenchmark.pod(i)) }
        report.record("createMicros", (Self.cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - start) / Double(objects - warm) * 1e6, decimals: 3)
        report.record("storedObjects", try store.list(GroupResource(group: "", resource: "pods")).items.count + sink % 1)
        await store.close()
        return report
    }

    /// Microseconds of thread CPU time per call of `body`, best of five rounds.
    static func time(_ n: Int, _ body: (Int) -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let start = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
            for i in 0..<n { body(i) }
            best = min(best, (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - start) / Double(n) * 1e6)
        }
        return best
    }

    static func cpuSeconds(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
