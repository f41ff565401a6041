import BosunKit
import BosunRuntime
import BosunStore
import Synchronization

import CHeapStats

/// The controller runtime's costs over an in-memory store full of pods:
/// - cache memory: heap bytes an informer holds per pod, beside the pod's stored JSON size;
/// - throughput: a no-op reconciler draining one key per pod through the workqueue;
/// - latency: from an object's write to the start of its reconcile, one change at a time.
public struct ReconcileBenchmark: Sendable {
    public var objects: Int
    public var workers: Int
    public var latencySamples: Int
    /// Objects per informer kept decoded (``ManagerOptions/decodedCacheCapacity``).
    public var decodedCapacity: Int

    public init(objects: Int = 100_000, workers: Int = 2, latencySamples: Int = 2_000, decodedCapacity: Int = 4096) {
        self.objects = objects
        self.workers = workers
        self.latencySamples = latencySamples
        self.decodedCapacity = decodedCapacity
    }

    public func run() async throws -> BenchmarkReport {
        let store = try await ObjectStore.open(backend: MemoryBackend(), historyCapacity: 10_000, watchBufferSize: objects + 10)
        let pods = GroupResource(group: "", resource: "pods")
        try await concurrently(objects) { n in _ = try await store.create(StoreBenchmark.pod(n)) }
        var storedBytes = 0
        for object in try store.list(pods).items { storedBytes += object.byteCount }

        var report = BenchmarkReport(name: "reconcile")
        report.record("objects", objects)
        report.record("workers", workers)
        report.record("decodedCapacity", decodedCapacity)

        // Cache memory: the heap an informer's load adds, per object.
        let manager = Manager(
            client: StoreClient(store: store),
            options: ManagerOptions(defaultConcurrency: workers, decodedCacheCapacity: decodedCapacity))
        let heapBefore = Self.heapInUse()
        let lease = manager.informer(for: Pod.self)
        await lease.informer.waitForSync()
        let heapAfter = Self.heapInUse()
        report.record("storedBytesPerObject", Double(storedBytes) / Double(objects), decimals: 0)
        // In-process the cache shares the store's JSON bytes, so this is what the cache adds; a
        // remote informer holds its own copy of the bytes on top.
        report.record("cacheBytesPerObject", Double(heapAfter - heapBefore) / Double(objects), decimals: 0)
        report.record("decodedObjects", lease.informer.decodedCount)

        // Throughput: every key queued by the cache replay, drained by no-op reconciles.
        let probe = CompletionCounter()
        try manager.controller(for: Pod.self).complete(NoOpReconciler(probe: probe))
        let clock = ContinuousClock()
        let started = clock.now
        let running = Task { try await manager.run() }
        await probe.wait(for: objects)
        let drain = clock.now - started
        report.record("reconcilesPerSecond", Double(objects) / drain.seconds, decimals: 0)

        // Latency: one write at a time, measured to the reconcile's start.
        var fromWriteStart: [Double] = []
        var fromWriteReturn: [Double] = []
        let client = StoreClient(store: store)
        for sample in 0..<latencySamples {
            var pod = try await client.get(Pod.self, namespace: "default", name: "web-\(sample % objects)")
            pod.metadata.labels?["sample"] = "\(sample)"
            let target = probe.count + 1
            let before = clock.now
            _ = try await client.update(pod)
            let returned = clock.now
            await probe.wait(for: target)
            let seen = probe.last
            fromWriteStart.append((seen - before).seconds * 1e6)
            fromWriteReturn.append(max(0, (seen - returned).seconds * 1e6))
        }
        report.record("latencyFromWriteStartP50Micros", Self.percentile(fromWriteStart, 0.50), decimals: 1)
        report.record("latencyFromWriteStartP99Micros", Self.percentile(fromWriteStart, 0.99), decimals: 1)
        report.record("latencyFromWriteReturnP99Micros", Self.percentile(fromWriteReturn, 0.99), decimals: 1)

        running.cancel()
        _ = try? await running.value
        lease.release()
        await store.close()
        return report
    }

    static func heapInUse() -> Int {
        Int(bosun_heap_bytes_in_use())
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }
}

private struct NoOpReconciler: Reconciler {
    let probe: CompletionCounter

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        probe.record()
        return .done
    }
}
