import BosunControllers
import BosunRuntime
import Foundation
import Testing

/// Objects and steps the CronJob tests share. No Job controller runs: the tests finish Jobs by
/// writing their status.
enum CronJobFixtures {
    static let utc = TimeZone(identifier: "UTC")!

    static func cronJob(_ name: String = "hello", schedule: String = "* * * * *", _ configure: (inout CronJobSpec) -> Void = { _ in }) -> CronJob {
        var container = Container(name: "hello", image: "busybox:1.28")
        container.command = ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"]
        var spec = CronJobSpec(
            jobTemplate: JobTemplateSpec(
                metadata: ObjectMeta(annotations: ["team": "batch"], labels: ["app": name]),
                spec: JobSpec(template: PodTemplateSpec(spec: PodSpec(containers: [container], restartPolicy: "OnFailure")))),
            schedule: schedule)
        configure(&spec)
        return CronJob(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec)
    }

    /// The instant `text` (RFC 3339) names.
    static func time(_ text: String) -> Time {
        try! Time(rfc3339: text)
    }
}

extension TestEnvironment {
    /// A running environment with the CronJob controller, schedules in `zone` unless a CronJob
    /// names its own. What `seed` creates exists before it starts.
    static func withCronJobController(
        zone: TimeZone = CronJobFixtures.utc, seed: (TestEnvironment) async throws -> Void = { _ in }
    ) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try await seed(env)
        try CronJobController.register(with: env.manager, options: CronJobController.Options(timeZone: zone))
        env.startManager()
        return env
    }

    func cronJob(_ name: String = "hello") async throws -> CronJob {
        try await api.get(CronJob.self, namespace: "default", name: name)
    }

    /// Changes a CronJob as a user would, reading it again after a conflict with the
    /// controller's status writes.
    func updateCronJob(_ name: String = "hello", _ change: (inout CronJob) -> Void) async throws {
        while true {
            var cronJob = try await self.cronJob(name)
            change(&cronJob)
            do {
                _ = try await api.update(cronJob)
                return
            } catch let error as APIError where error.code == 409 {
                continue
            }
        }
    }

    /// The Jobs the CronJob controls, by name.
    func jobs(of name: String = "hello") async throws -> [Job] {
        let cronJob = try await cronJob(name)
        return try await api.listAll(Job.self, namespace: "default").filter { $0.isControlled(by: cronJob) }.sorted { $0.name < $1.name }
    }

    /// Waits until the CronJob controls `count` Jobs, and returns them by name.
    @discardableResult
    func waitForJobs(_ count: Int, of name: String = "hello") async throws -> [Job] {
        try await waitUntil("\(name) has \(count) jobs") { try await self.jobs(of: name).count == count }
        return try await jobs(of: name)
    }

    /// The name of the Job for `time`: `<cronjob>-<minutes since the epoch>`.
    func jobName(_ cronJob: String = "hello", at time: Time) -> String {
        "\(cronJob)-\(time.secondsSinceEpoch / 60)"
    }

    /// Moves the clock to `nextScheduleDelta` past `time` once the controller waits for exactly that moment.
    func advanceToDue(_ time: Time) async throws {
        let deadline = time.advanced(by: CronJobController.nextScheduleDelta)
        try await waitForTimer(at: deadline)
        clock.advance(by: clock.now().duration(to: deadline))
    }

    /// Moves the clock to `time` a second at a time, letting whatever wakes run in between.
    func stepClock(to time: Time) async {
        while clock.now() < time {
            clock.advance(by: min(.seconds(1), clock.now().duration(to: time)))
            for _ in 0..<20 { await Task.yield() }
        }
    }

    /// Ends a Job as its controller would, successfully (`Complete`) or not (`Failed`).
    func endJob(_ name: String, succeeded: Bool = true, startedAt: Time? = nil) async throws {
        var job = try await api.get(Job.self, namespace: "default", name: name)
        let now = clock.now().truncatedToSeconds
        job.status.startTime = startedAt ?? now
        if succeeded {
            job.status.succeeded = 1
            job.status.completionTime = now
            job.status.conditions = [JobCondition(status: "True", type: "SuccessCriteriaMet", lastTransitionTime: now),
                                     JobCondition(status: "True", type: "Complete", lastTransitionTime: now)]
        } else {
            job.status.failed = 1
            job.status.conditions = [JobCondition(status: "True", type: "FailureTarget", lastTransitionTime: now),
                                     JobCondition(status: "True", type: "Failed", lastTransitionTime: now)]
        }
        _ = try await api.updateStatus(job)
    }

    /// The events recorded about the CronJob, oldest first.
    func cronJobEvents(_ name: String = "hello") async throws -> [Event] {
        try await events(about: "CronJob", named: name)
    }
}

/// A store opened over objects written before the API validated them (an upgrade from a
/// release that accepted them), and a manager running the CronJob controller on it.
struct LegacyStoreEnvironment {
    let clock: ManualClock
    let store: ObjectStore
    let api: StoreClient
    let manager: Manager
    let task: Task<Void, any Error>

    /// Opens a store whose backend already holds `cronJobs` (uid and creation time set), runs the
    /// controller on it.
    static func start(with cronJobs: [CronJob]) async throws -> LegacyStoreEnvironment {
        let clock = ManualClock()
        let backend = MemoryBackend()
        for var cronJob in cronJobs {
            cronJob.metadata.uid = UUID().uuidString.lowercased()
            cronJob.metadata.creationTimestamp = clock.now()
            cronJob.metadata.generation = 1
            _ = try backend.commitNow(.create("/registry/batch/cronjobs/default/\(cronJob.name)", cronJob.jsonBytes()))
        }
        let store = try await ObjectStore.open(backend: backend, clock: clock)
        let manager = Manager(client: StoreClient(store: store), clock: clock, logger: Logger(label: "bosun.test"),
                              options: ManagerOptions(defaultConcurrency: 2))
        try CronJobController.register(with: manager, options: CronJobController.Options(timeZone: CronJobFixtures.utc))
        let task = Task { try await manager.run() }
        return LegacyStoreEnvironment(clock: clock, store: store, api: StoreClient(store: store), manager: manager, task: task)
    }

    /// The reasons and messages of the events about CronJob `name`, once some exist.
    func events(about name: String) async throws -> [Event] {
        await manager.events.flush()
        return try await api.listAll(Event.self, namespace: "default").filter { $0.involvedObject.name == name }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await store.close()
    }
}
