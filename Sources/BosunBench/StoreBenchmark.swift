import BosunKit
import BosunStore
import CHeapStats

/// Object store throughput: pod creates per second with one watcher draining events, on the
/// in-memory backend or any other; then a label-selector list over everything created.
///
/// Pods are created as typed values, as in-process clients and controllers write them, or with
/// `unstructured` as JSON trees, as the HTTP API hands request bodies to the store. Besides
/// creates per second, the process CPU time per create (all threads: store, watcher, backend)
/// is reported.
public struct StoreBenchmark: Sendable {
    public var objects: Int
    public var concurrency: Int
    public var unstructured: Bool

    public init(objects: Int = 100_000, concurrency: Int = 8, unstructured: Bool = false) {
        self.objects = objects
        self.concurrency = concurrency
        self.unstructured = unstructured
    }

    /// - Parameter reopen: for durable backends, opens the same storage again after the store is
    ///   closed, so the benchmark can time a restart with everything it created.
    public func run(
        backend: any StorageBackend, name: String, reopen: (@Sendable () throws -> any StorageBackend)? = nil
    ) async throws -> BenchmarkReport {
        let heapBefore = Int(bosun_heap_bytes_in_use())
        let store = try await ObjectStore.open(backend: backend, historyCapacity: 10_000, watchBufferSize: objects + 10)
        let pods = GroupResource(group: "", resource: "pods")
        let watch = try store.watch(pods, options: ListOptions(resourceVersion: String(store.resourceVersion)))
        let perWorker = objects / concurrency
        let objects = perWorker * concurrency
        let drained = Task {
            var n = 0
            for try await _ in watch {
                n += 1
                if n == objects { break }
            }
            return n
        }

        let unstructured = self.unstructured
        let cpuBefore = ProcessUsage.cpuSeconds()
        let (_, seconds) = try await Stopwatch.measureAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for i in 0..<perWorker {
                            let n = worker * perWorker + i
                            if unstructured {
                                try await store.create(pods, object: Self.unstructuredPod(n))
                            } else {
                                _ = try await store.create(Self.pod(n))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let received = try await drained.value
        // CPU time moves much less than wall time with the rest of a shared machine's load.
        let cpuMicrosPerCreate = (ProcessUsage.cpuSeconds() - cpuBefore) / Double(objects) * 1e6
        var report = BenchmarkReport(name: name)
        report.record("objects", perWorker * concurrency)
        report.record("concurrency", concurrency)
        report.record("writes", unstructured ? "unstructured" : "typed")
        report.record("createsPerSecond", Double(perWorker * concurrency) / seconds, decimals: 0)
        report.record("watchEventsReceived", received)
        report.record("cpuMicrosPerCreate", cpuMicrosPerCreate, decimals: 1)

        // Memory: the heap the store holds per pod beyond the pod's JSON (the watcher has drained
        // its buffer; the history keeps its last 10,000 changes, as it would in service).
        let all = try store.list(pods).items
        let jsonBytes = all.reduce(0) { $0 + $1.byteCount }
        let heapHeld = Int(bosun_heap_bytes_in_use()) - heapBefore
        report.record("jsonBytesPerObject", Double(jsonBytes) / Double(all.count), decimals: 0)
        report.record("heapBytesPerObjectBeyondJSON", Double(heapHeld - jsonBytes) / Double(all.count), decimals: 0)

        let selector = try Selector.parse("bench-group=g7")
        var best = Double.infinity
        var matched = 0
        for _ in 0..<5 {
            let (list, listSeconds) = try Stopwatch.measure {
                try store.list(pods, options: ListOptions(labelSelector: selector))
            }
            matched = list.items.count
            best = min(best, listSeconds)
        }
        report.record("selectorListMatched", matched)
        report.record("selectorListMillis", best * 1000, decimals: 2)
        await store.close()
        if let reopen {
            let (reopened, reopenSeconds) = try await Stopwatch.measureAsync {
                try await ObjectStore.open(backend: try reopen())
            }
            report.record("reopenedObjects", try reopened.list(pods).items.count)
            report.record("reopenSeconds", reopenSeconds, decimals: 3)
            await reopened.close()
        }
        return report
    }

    /// A pod as a Deployment would create it; 1 in 1,000 carries the label the list selects.
    ///
    /// Built from one template by changing its name and one label, so the benchmark times the
    /// store, not the building of pods.
    static func pod(_ n: Int) -> Pod {
        var pod = podTemplate
        pod.metadata.name = "web-\(n)"
        pod.metadata.labels?["bench-group"] = group(n)
        return pod
    }

    /// ``pod(_:)`` as the JSON tree a parsed request body is.
    static func unstructuredPod(_ n: Int) -> UnstructuredObject {
        var object = unstructuredTemplate
        var meta = object["metadata"]?.objectValue ?? JSONObject()
        var labels = meta["labels"]?.objectValue ?? JSONObject()
        labels["bench-group"] = .string(group(n))
        meta["labels"] = .object(labels)
        meta["name"] = .string("web-\(n)")
        object["metadata"] = .object(meta)
        return UnstructuredObject(object)
    }

    private static func group(_ n: Int) -> String {
        n % 1000 == 7 ? "g7" : "g\(n % 997 == 7 ? 8 : n % 1000)"
    }

    private static let podTemplate = Pod(
        metadata: ObjectMeta(labels: ["app": "web", "pod-template-hash": "7d4b9c8f5d", "bench-group": "g0"], name: "web", namespace: "default"),
        spec: PodSpec(containers: [Container(
            name: "nginx", image: "nginx:1.14.2",
            ports: [ContainerPort(containerPort: 80)],
            resources: ResourceRequirements(requests: ["cpu": "100m", "memory": "64Mi"]))]))

    private static let unstructuredTemplate: JSONObject = UnstructuredObject(podTemplate).object
}

extension Stopwatch {
    public static func measureAsync<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await body()
        let elapsed = clock.now - start
        return (result, elapsed.seconds)
    }
}
