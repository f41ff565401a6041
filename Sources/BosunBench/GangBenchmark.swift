import Foundation
import BosunHost
import BosunKit
import BosunPluginHost
import BosunRuntime
import BosunScheduler
import BosunStore

/// The gang-scheduling sample plugin, loaded from its `.so` as `bosun up --plugin` loads it,
/// with `groups` PodGroups of `groupSize` pods (minMember = groupSize, 1 cpu each) on `nodes`
/// nodes of 32 cpu:
/// - scheduling: every group and pod exists before the scheduler starts (no kubelets); time from
///   the scheduler's start to the last bind, per group (upstream's scheduler_perf gang figure is
///   3.7 ms per group at 5,000 nodes and 1,000 gangs of 3);
/// - running: the whole control plane on `nodes` simulated nodes; the groups and pods created,
///   timed until every pod is Running.
public struct GangBenchmark: Sendable {
    public var nodes: Int
    public var groups: Int
    public var groupSize: Int
    /// The plugin library (`libGangScheduling.so`).
    public var plugin: String

    public init(nodes: Int = 5_000, groups: Int = 1_000, groupSize: Int = 3, plugin: String) {
        self.nodes = nodes
        self.groups = groups
        self.groupSize = groupSize
        self.plugin = plugin
    }

    public func run() async throws -> BenchmarkReport {
        var report = BenchmarkReport(name: "gang")
        report.record("nodes", nodes)
        report.record("groups", groups)
        report.record("groupSize", groupSize)

        let cpu = ProcessUsage.cpuSeconds()
        let scheduling = try await schedulingSeconds()
        report.record("schedulingSeconds", scheduling, decimals: 3)
        report.record("schedulingCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)
        report.record("msPerGroup", scheduling * 1000 / Double(groups), decimals: 3)
        report.record("podsPerSecond", Double(groups * groupSize) / scheduling, decimals: 0)

        let running = try await runningSeconds()
        report.record("allRunningSeconds", running.seconds, decimals: 2)
        report.record("allRunningCPUSeconds", running.cpuSeconds, decimals: 2)
        return report
    }

    /// Scheduling and binding alone, from a backlog.
    private func schedulingSeconds() async throws -> Double {
        let pods = groups * groupSize
        let store = try await ObjectStore.open(backend: MemoryBackend(), watchBufferSize: 4 * pods + groups + nodes + 1_000)
        let client = StoreClient(store: store)
        let manager = Manager(client: client, options: ManagerOptions(defaultConcurrency: 2))
        let loaded = await PluginHost.load(paths: [plugin], store: store, manager: manager, logger: manager.logger)
        if let failure = loaded.failures.first { throw BenchmarkError("the plugin did not load: \(failure)") }
        let bound = CompletionCounter()
        let scheduler = try Scheduler.register(with: manager) { handle, bind in
            try loaded.schedulerProfile(handle: handle, bind: { pod, nodeName in
                try await bind(pod, nodeName)
                bound.record()
            })
        }
        try await concurrently(nodes) { n in _ = try await client.create(SchedulerBenchmark.node(n)) }
        try await createGroups(store)
        let clock = ContinuousClock()
        let started = clock.now
        let running = Task { try await manager.run() }
        await manager.waitForCacheSync()
        while scheduler.cache.nodeCount < nodes { await Task.yield() }
        await bound.wait(for: pods)
        let elapsed = clock.now - started
        running.cancel()
        _ = try? await running.value
        await store.close()
        return elapsed.seconds
    }

    /// The control plane on simulated nodes: from the first create to every pod Running.
    private func runningSeconds() async throws -> (seconds: Double, cpuSeconds: Double) {
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false, plugins: [plugin]))
        if let failure = plane.plugins.failures.first { throw BenchmarkError("the plugin did not load: \(failure)") }
        try await poll(every: .milliseconds(50)) {
            try plane.store.list(Node.resource.resourceKey).items.reduce(0) { ready, object in
                let node = try object.decode(as: Node.self)
                return ready + (node.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true ? 1 : 0)
            } == nodes
        }
        let clock = ContinuousClock()
        let started = clock.now
        let cpu = ProcessUsage.cpuSeconds()
        try await createGroups(plane.store)
        let pods = groups * groupSize
        var reported = started
        // The phase from the stored objects' selectable fields: decoding 10,000 pods every poll
        // would take a good share of the CPU the control plane is being timed on.
        try await poll(every: .milliseconds(50)) {
            let all = try plane.store.list(Pod.resource.resourceKey).items
            let done = all.count(where: { $0.fields["status.phase"] == "Running" }) == pods
            if !done, clock.now - reported > .seconds(60) {
                reported = clock.now
                Self.describeStall(try all.map { try $0.decode(as: Pod.self) }, of: pods)
            }
            return done
        }
        let elapsed = clock.now - started
        let cpuSeconds = ProcessUsage.cpuSeconds() - cpu
        await plane.shutdown()
        return (elapsed.seconds, cpuSeconds)
    }

    /// What the pods that are not Running look like, on standard error, so that a run that
    /// does not converge says where it stopped.
    private static func describeStall(_ all: [Pod], of pods: Int) {
        let stuck = all.filter { $0.status.phase != "Running" }
        let unbound = stuck.filter { ($0.spec.nodeName ?? "").isEmpty }
        var lines = ["gang: \(all.count) of \(pods) pods exist, \(stuck.count) not Running, \(unbound.count) of those unbound"]
        for pod in stuck.prefix(5) {
            let conditions = (pod.status.conditions ?? []).map { "\($0.type)=\($0.status) \($0.reason ?? "") \($0.message ?? "")" }
            lines.append("  \(pod.name) rv=\(pod.metadata.resourceVersion ?? "") node=\(pod.spec.nodeName ?? "-") phase=\(pod.status.phase ?? "-") \(conditions)")
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// The PodGroups (as JSON: the kind's Swift type lives in the plugin), then their pods.
    private func createGroups(_ store: ObjectStore) async throws {
        let podGroups = GroupResource(group: "scheduling.x-k8s.io", resource: "podgroups")
        let client = StoreClient(store: store)
        let (groups, groupSize) = (self.groups, self.groupSize)
        try await concurrently(groups) { g in
            let object: JSONObject = [
                "apiVersion": "scheduling.x-k8s.io/v1alpha1", "kind": "PodGroup",
                "metadata": ["name": .string("gang-\(g)"), "namespace": "default"],
                "spec": ["minMember": .number(.int(Int64(groupSize)))],
            ]
            _ = try await store.create(podGroups, namespace: "default", object: UnstructuredObject(object))
        }
        try await concurrently(groups * groupSize) { n in
            let group = n / groupSize
            let pod = Pod(
                metadata: ObjectMeta(labels: ["scheduling.x-k8s.io/pod-group": "gang-\(group)"],
                                     name: "gang-\(group)-\(n % groupSize)", namespace: "default"),
                spec: PodSpec(containers: [Container(
                    name: "worker", image: "busybox",
                    resources: ResourceRequirements(requests: ["cpu": "1", "memory": "1Gi"]))]))
            _ = try await client.create(pod)
        }
    }
}
