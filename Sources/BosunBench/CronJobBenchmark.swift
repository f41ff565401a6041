import BosunHost
import BosunKit
import BosunNodes
import BosunRuntime
import BosunStore
import Synchronization

/// CronJobs on the real clock, in one process as `bosun up --sim-nodes N` runs it: `cronJobs`
/// CronJobs on `* * * * *` are created, then the benchmark waits for the next minute boundary
/// (the one after, when fewer than `margin` remain, so every CronJob has had its first sync and
/// is sleeping until the minute) and measures for each CronJob how long after the minute its Job
/// appeared.
///
/// "Appeared" is when a watch on Jobs delivers the Job's ADDED event, read from the wall clock:
/// `creationTimestamp` has whole seconds only. So the figures include the store's write and the
/// watch's delivery, as a client would see them. The Jobs run for real: their pods exit with 0
/// as soon as they start on the simulated nodes, so the Job controller, the scheduler and the
/// kubelets work at the same time as the CronJob controller, as in a cluster.
///
/// Reports the lateness's maximum, 99th percentile and median, how many Jobs appeared within
/// one second, the CPU time from the minute to the last Job, and the seconds until every Job of
/// that minute has completed (when that happens before the next minute's Jobs start).
public struct CronJobBenchmark: Sendable {
    public var nodes: Int
    public var cronJobs: Int
    public var margin: Duration

    public init(nodes: Int = 100, cronJobs: Int = 10_000, margin: Duration = .seconds(10)) {
        self.nodes = nodes
        self.cronJobs = cronJobs
        self.margin = margin
    }

    public func run() async throws -> BenchmarkReport {
        guard nodes > 0, cronJobs > 0 else { throw BenchmarkError("nodes and cron jobs must be positive") }
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false))
        var report = BenchmarkReport(name: "cronjob")
        report.record("nodes", nodes)
        report.record("cronJobs", cronJobs)
        let clock = ContinuousClock()

        try await DeploymentBenchmark.waitForReadyNodes(nodes, in: plane.store, recordingIn: &report)
        var started = clock.now

        let api = StoreClient(store: plane.store)
        started = clock.now
        try await concurrently(cronJobs) { index in
            _ = try await api.create(Self.cronJob(index))
        }
        report.record("createSeconds", (clock.now - started).seconds, decimals: 2)

        var minute = (wallSeconds() / 60).rounded(.up) * 60
        if minute - wallSeconds() < margin.seconds { minute += 60 }
        // The Jobs of that minute are named `<cronjob>-<minutes since 1970>`; the next minute's
        // come from the same CronJobs and are not counted.
        let suffix = "-\(Int(minute / 60))"

        // Watch from now on, so every Job created from here is seen as ADDED exactly once.
        let jobs = GroupResource(group: "batch", resource: "jobs")
        let observer = JobObserver(store: plane.store, resource: jobs, from: plane.store.resourceVersion, suffix: suffix)
        let observing = Task { try await observer.run() }
        defer { observing.cancel() }
        report.record("waitSeconds", minute - wallSeconds(), decimals: 1)
        try await Task.sleep(for: .seconds(max(0, minute - wallSeconds())))
        let cpu = ProcessUsage.cpuSeconds()
        let boundary = clock.now

        // Until every Job appeared, for at most a minute: one later than that belongs to the
        // next schedule time.
        try await poll(every: .milliseconds(20)) {
            observer.arrivals.count >= cronJobs || clock.now - boundary > .seconds(59)
        }
        let lateness = observer.arrivals.map { $0 - minute }.sorted()
        report.record("jobsObserved", lateness.count)
        report.record("maxLatenessSeconds", lateness.last ?? .infinity, decimals: 3)
        report.record("p99LatenessSeconds", Self.percentile(lateness, 0.99), decimals: 3)
        report.record("p50LatenessSeconds", Self.percentile(lateness, 0.50), decimals: 3)
        report.record("withinOneSecond", lateness.filter { $0 <= 1 }.count)
        report.record("earliestSeconds", lateness.first ?? .infinity, decimals: 3)
        report.record("toLastJobCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)

        // Until that minute's Jobs have all completed, or the next minute's start.
        var completed = 0
        try await poll(every: .milliseconds(250)) {
            completed = try Self.completedJobs(plane.store, suffix: suffix)
            return completed == cronJobs || clock.now - boundary > .seconds(59)
        }
        report.record("jobsCompleted", completed)
        if completed == cronJobs {
            report.record("jobsCompleteSeconds", (clock.now - boundary).seconds, decimals: 2)
            report.record("jobsCompleteCPUSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)
        }
        report.record("rssMiB", Double(ProcessUsage.residentBytes()) / 1_048_576, decimals: 0)

        await plane.shutdown()
        return report
    }

    /// The value at fraction `q` of `sorted` (nearest rank), or infinity when empty.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .infinity }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// CronJob `tick-<index>`: every minute, a Job of one pod that exits with 0 at once.
    static func cronJob(_ index: Int) -> CronJob {
        CronJob(
            metadata: ObjectMeta(name: "tick-\(index)", namespace: "default"),
            spec: CronJobSpec(
                jobTemplate: JobTemplateSpec(spec: JobSpec(template: PodTemplateSpec(
                    metadata: ObjectMeta(annotations: [SimulatedPodBehavior.runSecondsAnnotation: "0"]),
                    spec: PodSpec(containers: [Container(name: "hello", image: "busybox:1.36")], restartPolicy: "OnFailure")))),
                schedule: "* * * * *"))
    }

    /// Jobs named with `suffix` that have `Complete=True`.
    static func completedJobs(_ store: ObjectStore, suffix: String) throws -> Int {
        try store.list(Job.resource.resourceKey).items.reduce(0) { count, object in
            guard object.key.name.hasSuffix(suffix) else { return count }
            let job = try object.decode(as: Job.self)
            return count + (job.status.conditions?.contains { $0.type == "Complete" && $0.status == "True" } == true ? 1 : 0)
        }
    }
}

/// Follows a watch on Jobs and notes the wall-clock time each new Job's ADDED event arrives;
/// a watch closed for falling behind is reopened from the last resourceVersion seen, as an
/// informer's reflector does.
private final class JobObserver: Sendable {
    let store: ObjectStore
    let resource: GroupResource
    let from: Int64
    /// Only Jobs whose name ends so count.
    let suffix: String
    private let seen = Mutex<(names: Set<String>, arrivals: [Double])>(([], []))

    init(store: ObjectStore, resource: GroupResource, from: Int64, suffix: String) {
        self.store = store
        self.resource = resource
        self.from = from
        self.suffix = suffix
    }

    /// The arrival times (seconds since 1970) of the Jobs seen so far.
    var arrivals: [Double] { seen.withLock { $0.arrivals } }

    /// Watches until cancelled or the store closes.
    func run() async throws {
        var last = from
        while !Task.isCancelled {
            let watch = try store.watch(resource, options: ListOptions(resourceVersion: String(last)))
            do {
                for try await event in watch {
                    last = event.resourceVersion
                    guard event.type == .added, let name = event.object?.key.name, name.hasSuffix(suffix) else { continue }
                    let now = wallSeconds()
                    seen.withLock { if $0.names.insert(name).inserted { $0.arrivals.append(now) } }
                }
                return
            } catch WatchClosedError.tooSlow {
                continue
            }
        }
    }
}

/// Seconds since 1970 on the wall clock the controllers read (`Time.now()`), with its fraction.
private func wallSeconds() -> Double {
    let now = Time.now()
    return Double(now.secondsSinceEpoch) + Double(now.nanoseconds) / 1e9
}
