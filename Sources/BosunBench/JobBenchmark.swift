import BosunHost
import BosunKit
import BosunNodes
import BosunRuntime
import BosunStore

/// A Job end to end in one process, as `bosun up --sim-nodes N` runs it (every built-in
/// controller, the scheduler, the simulated kubelets, an in-memory store): a Job of
/// `completions` pods, `parallelism` at a time, whose pods exit with 0 the moment they start
/// (`sim.bosun.dev/run-seconds: "0"`), timed from its create until it reports `Complete` with
/// every completion counted. That is the Job controller's whole path per pod: create with the
/// tracking finalizer, see it succeed, record it in `uncountedTerminatedPods`, remove the
/// finalizer, count it — plus the scheduler's bind and the kubelet's status per pod.
///
/// Also reports the process' CPU time over the run: on a shared machine wall time depends on
/// the neighbours, CPU time much less.
public struct JobBenchmark: Sendable {
    public var nodes: Int
    public var completions: Int
    public var parallelism: Int

    public init(nodes: Int = 1_000, completions: Int = 10_000, parallelism: Int = 1_000) {
        self.nodes = nodes
        self.completions = completions
        self.parallelism = parallelism
    }

    static let name = "bench"

    public func run() async throws -> BenchmarkReport {
        guard nodes > 0, completions > 0, parallelism > 0 else { throw BenchmarkError("nodes, completions and parallelism must be positive") }
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false))
        var report = BenchmarkReport(name: "job")
        report.record("nodes", nodes)
        report.record("completions", completions)
        report.record("parallelism", parallelism)
        let clock = ContinuousClock()

        try await DeploymentBenchmark.waitForReadyNodes(nodes, in: plane.store, recordingIn: &report)
        var started = clock.now

        let api = StoreClient(store: plane.store)
        started = clock.now
        let cpu = ProcessUsage.cpuSeconds()
        _ = try await api.create(Self.job(completions: completions, parallelism: parallelism))
        var halfway: Double?
        try await poll(every: .milliseconds(20)) {
            let job = try plane.store.get(Job.resource.resourceKey, namespace: "default", name: Self.name).decode(as: Job.self)
            if halfway == nil && Int(job.status.succeeded ?? 0) * 2 >= completions { halfway = (clock.now - started).seconds }
            return Self.isComplete(job)
        }
        let seconds = (clock.now - started).seconds
        report.record("completeSeconds", seconds, decimals: 2)
        report.record("halfCompleteSeconds", halfway ?? seconds, decimals: 2)
        report.record("completionsPerSecond", Double(completions) / seconds, decimals: 0)
        report.record("completeCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)
        report.record("rssMiB", Double(ProcessUsage.residentBytes()) / 1_048_576, decimals: 0)

        await plane.shutdown()
        return report
    }

    /// A Job whose pods exit with 0 as soon as they start.
    static func job(completions: Int, parallelism: Int) -> Job {
        Job(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: JobSpec(
                template: PodTemplateSpec(
                    metadata: ObjectMeta(annotations: [SimulatedPodBehavior.runSecondsAnnotation: "0"]),
                    spec: PodSpec(containers: [Container(name: "work", image: "busybox:1.36")], restartPolicy: "Never")),
                completions: Int32(completions),
                parallelism: Int32(parallelism)))
    }

    /// `Complete=True` with every completion counted and nothing left uncounted.
    static func isComplete(_ job: Job) -> Bool {
        let uncounted = job.status.uncountedTerminatedPods
        return job.status.conditions?.contains { $0.type == "Complete" && $0.status == "True" } == true
            && job.status.succeeded == job.spec.completions
            && (uncounted?.succeeded ?? []).isEmpty && (uncounted?.failed ?? []).isEmpty
    }
}
