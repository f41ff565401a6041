import BosunKit
import BosunRuntime
import BosunScheduler
import BosunStore
import Synchronization

/// The scheduler over an in-memory store of `nodes` Ready nodes (32 cpu, 256Gi, 110 pods, three
/// zones) with kube-scheduler's default plugins:
/// - scheduling cycles alone: `pods` pods popped and placed (assumed) by the framework, no store;
/// - end to end: `pods` Deployment-like pods created through the store, each scheduled by the
///   driver, bound through `pods/binding` and reported by a `Scheduled` event; pods per second
///   from the first create to the last bind (bounded by how fast the store creates them);
/// - backlog: the same pods all created first, then scheduled and bound: pods per second from
///   the scheduler's caches being loaded to the last bind.
///
/// kube-scheduler's CI floor for the same shape (SchedulingBasic, 5,000 nodes, 10,000 pods) is
/// 680 pods/s.
public struct SchedulerBenchmark: Sendable {
    public var nodes: Int
    public var pods: Int

    public init(nodes: Int = 5_000, pods: Int = 10_000) {
        self.nodes = nodes
        self.pods = pods
    }

    public func run() async throws -> BenchmarkReport {
        var report = BenchmarkReport(name: "scheduler")
        report.record("nodes", nodes)
        report.record("pods", pods)

        // Scheduling cycles only: the framework fed by hand, assumed pods never bound.
        let cycles = try schedulingCyclesPerSecond()
        report.record("schedulingCyclesPerSecond", cycles.perSecond, decimals: 0)
        report.record("schedulingCycleMicros", 1e6 / cycles.perSecond, decimals: 1)

        // End to end, through the store.
        let (store, client, manager, bound) = try await cluster()
        let running = Task { try await manager.run() }
        let clock = ContinuousClock()
        let started = clock.now
        let createdAt = Mutex<ContinuousClock.Instant?>(nil)
        let creating = Task {
            try await concurrently(pods) { n in _ = try await client.create(Self.pod(n)) }
            createdAt.withLock { $0 = clock.now }
        }
        await bound.wait(for: pods)
        let elapsed = clock.now - started
        try await creating.value
        let creates = (createdAt.withLock { $0 } ?? clock.now) - started
        report.record("podsPerSecond", Double(pods) / elapsed.seconds, decimals: 0)
        report.record("endToEndSeconds", elapsed.seconds, decimals: 3)
        report.record("createSeconds", creates.seconds, decimals: 3)

        // Every pod is bound in the store, and the cache agrees once the watch has caught up.
        let stored = try store.list(GroupResource(group: "", resource: "pods")).items.count
        report.record("storedPods", stored)

        running.cancel()
        _ = try? await running.value
        await store.close()

        let backlog = try await backlogPodsPerSecond()
        report.record("backlogPodsPerSecond", backlog.perSecond, decimals: 0)
        report.record("backlogCPUMicrosPerPod", backlog.cpuSeconds / Double(pods) * 1e6, decimals: 1)
        return report
    }

    /// Scheduling and binding alone: every pod exists before the scheduler starts; pods per
    /// second from the scheduler's caches being loaded to the last bind, and the process' CPU
    /// time meanwhile (steadier than the rate on a shared machine).
    private func backlogPodsPerSecond() async throws -> (perSecond: Double, cpuSeconds: Double) {
        let (store, _, manager, bound) = try await cluster(podsFirst: true)
        let clock = ContinuousClock()
        let started = clock.now
        let cpu = ProcessUsage.cpuSeconds()
        let running = Task { try await manager.run() }
        await bound.wait(for: pods)
        let elapsed = clock.now - started
        let used = ProcessUsage.cpuSeconds() - cpu
        running.cancel()
        _ = try? await running.value
        await store.close()
        return (Double(pods) / elapsed.seconds, used)
    }

    /// A store with the nodes (and, with `podsFirst`, the pods), and a manager with the default
    /// scheduler whose binds are counted, its caches loaded; the manager is not running yet.
    private func cluster(podsFirst: Bool = false) async throws -> (ObjectStore, StoreClient, Manager, CompletionCounter) {
        let store = try await ObjectStore.open(backend: MemoryBackend(), watchBufferSize: 4 * pods + nodes + 1_000)
        let client = StoreClient(store: store)
        try await concurrently(nodes) { n in _ = try await client.create(Self.node(n)) }
        if podsFirst { try await concurrently(pods) { n in _ = try await client.create(Self.pod(n)) } }
        let manager = Manager(client: client, options: ManagerOptions(defaultConcurrency: 2))
        let bound = CompletionCounter()
        let scheduler = try Scheduler.register(with: manager) { _, bind in
            Profile.defaults(bind: { pod, nodeName in
                try await bind(pod, nodeName)
                bound.record()
            })
        }
        await manager.waitForCacheSync()
        while scheduler.cache.nodeCount < nodes { await Task.yield() }
        return (store, client, manager, bound)
    }

    private func schedulingCyclesPerSecond() throws -> (perSecond: Double, placed: Int) {
        let handle = FrameworkHandle(clock: SystemRuntimeClock())
        for n in 0..<nodes { handle.cache.addNode(Self.node(n)) }
        let framework = try Framework(profile: Profile.defaults(bind: { _, _ in }), handle: handle)
        var queued: [Pod] = []
        queued.reserveCapacity(pods)
        for n in 0..<pods {
            var pod = Self.pod(n)
            pod.metadata.uid = "uid-\(n)"
            queued.append(pod)
        }
        for pod in queued { framework.queue.add(pod) }
        var placed = 0
        let (_, seconds) = Stopwatch.measure {
            while let pod = framework.queue.tryPop() {
                if case .assumed = framework.schedulingCycle(pod) { placed += 1 }
                framework.queue.done(uid: pod.uid)
            }
        }
        return (Double(placed) / seconds, placed)
    }

    static func node(_ n: Int) -> Node {
        let name = "node-\(n)"
        var node = Node(metadata: ObjectMeta(
            labels: [
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "topology.kubernetes.io/zone": "zone-\(n % 3)",
            ],
            name: name))
        node.status.capacity = ["cpu": "32", "memory": "256Gi", "pods": "110"]
        node.status.allocatable = ["cpu": "32", "memory": "256Gi", "pods": "110"]
        node.status.conditions = [NodeCondition(status: "True", type: "Ready")]
        return node
    }

    /// A pod as a Deployment's ReplicaSet makes it.
    static func pod(_ n: Int) -> Pod {
        Pod(
            metadata: ObjectMeta(
                labels: ["app": "web", "pod-template-hash": "7d4b9c8f5d"],
                name: "web-7d4b9c8f5d-\(n)", namespace: "default",
                ownerReferences: [OwnerReference(
                    apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d4b9c8f5d",
                    uid: "0b6f4a4e-5d1c-4c1e-9a51-1f7f3f0c0001", blockOwnerDeletion: true, controller: true)]),
            spec: PodSpec(containers: [Container(
                name: "nginx", image: "nginx:1.14.2",
                ports: [ContainerPort(containerPort: 80)],
                resources: ResourceRequirements(requests: ["cpu": "100m", "memory": "128Mi"]))]))
    }
}
