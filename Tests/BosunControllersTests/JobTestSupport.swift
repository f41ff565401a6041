import BosunControllers
import BosunRuntime
import Synchronization
import Testing

/// Objects and steps the Job tests share. Pods never run: the test writes their status as a
/// kubelet would.
enum JobFixtures {
    static func job(
        _ name: String = "pi", completions: Int32? = 1, parallelism: Int32? = 1, restartPolicy: String = "Never",
        _ configure: (inout JobSpec) -> Void = { _ in }
    ) -> Job {
        var spec = JobSpec(template: PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": name]),
            spec: PodSpec(containers: [Container(name: "main", image: "perl:5.34.0")], restartPolicy: restartPolicy)))
        spec.completions = completions
        spec.parallelism = parallelism
        configure(&spec)
        return Job(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec)
    }
}

extension TestEnvironment {
    /// A running environment with the Job controller. What `seed` creates exists before it starts.
    static func withJobController(
        options: JobController.Options = JobController.Options(), seed: (TestEnvironment) async throws -> Void = { _ in }
    ) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try await seed(env)
        try JobController.register(with: env.manager, options: options)
        env.startManager()
        return env
    }

    func job(_ name: String = "pi") async throws -> Job {
        try await api.get(Job.self, namespace: "default", name: name)
    }

    /// Changes a Job's spec as a user would, reading it again after a conflict with the
    /// controller's status writes.
    @discardableResult
    func updateJob(_ name: String = "pi", _ change: (inout Job) -> Void) async throws -> Job {
        while true {
            var job = try await self.job(name)
            change(&job)
            do {
                return try await api.update(job)
            } catch let error as APIError where error.code == 409 {
                continue
            }
        }
    }

    /// The Job's pods that are not being deleted, by name.
    func livePods(of job: Job) async throws -> [Pod] {
        try await pods(controlledBy: job).filter { $0.metadata.deletionTimestamp == nil }
    }

    /// Waits until the Job has `count` live pods, and returns them by name.
    @discardableResult
    func waitForLivePods(_ count: Int, of name: String = "pi", _ what: String? = nil) async throws -> [Pod] {
        try await waitUntil(what ?? "\(name) has \(count) live pods") {
            try await self.livePods(of: self.job(name)).count == count
        }
        return try await livePods(of: job(name))
    }

    /// Waits until the Job has one pod that has not finished (nor is being deleted), and returns it.
    func waitForUnfinishedPod(of name: String = "pi") async throws -> Pod {
        try await waitUntil("\(name) has one unfinished pod") { try await self.unfinishedPods(of: self.job(name)).count == 1 }
        return try await unfinishedPods(of: job(name))[0]
    }

    /// The Job's pods that are neither finished nor being deleted.
    func unfinishedPods(of job: Job) async throws -> [Pod] {
        try await livePods(of: job).filter { $0.status.phase != "Failed" && $0.status.phase != "Succeeded" }
    }

    /// Waits until the Job's condition of `type` is True.
    func waitForCondition(_ type: String, of name: String = "pi") async throws {
        try await waitUntil("\(name) has \(type)=True") { try await self.job(name).hasTrueCondition(type) }
    }

    /// Ends a pod as a kubelet would: every container terminated with `exitCode` now, the phase
    /// Succeeded (0) or Failed, Ready False since now. `conditions` are added as given.
    func finishPod(_ name: String, exitCode: Int32 = 0, phase: String? = nil, conditions: [PodCondition] = []) async throws {
        var pod = try await api.get(Pod.self, namespace: "default", name: name)
        let now = clock.now().truncatedToSeconds
        pod.status.phase = phase ?? (exitCode == 0 ? "Succeeded" : "Failed")
        pod.status.containerStatuses = pod.spec.containers.map { container in
            ContainerStatus(name: container.name, state: ContainerState(terminated: ContainerStateTerminated(
                exitCode: exitCode, finishedAt: now, reason: exitCode == 0 ? "Completed" : "Error", startedAt: now)))
        }
        pod.status.conditions = [PodCondition(status: "False", type: "Ready", lastTransitionTime: now)] + conditions
        _ = try await api.updateStatus(pod)
    }

    /// Marks a pod Running and Ready, as a kubelet would once it started.
    func runPod(_ name: String, ready: Bool = true, restarts: Int32 = 0) async throws {
        var pod = try await api.get(Pod.self, namespace: "default", name: name)
        let now = clock.now().truncatedToSeconds
        pod.status.phase = "Running"
        pod.status.containerStatuses = pod.spec.containers.map { container in
            ContainerStatus(name: container.name, ready: ready, restartCount: restarts,
                            state: ContainerState(running: ContainerStateRunning(startedAt: now)))
        }
        pod.status.conditions = [PodCondition(status: ready ? "True" : "False", type: "Ready", lastTransitionTime: now)]
        _ = try await api.updateStatus(pod)
    }

    /// The reasons of the events recorded about the Job, oldest first.
    func jobEvents(_ name: String = "pi") async throws -> [Event] {
        try await events(about: "Job", named: name)
    }
}

/// Keeps every Job status write the store accepts for validation, in order.
final class JobStatusRecorder: ValidatingAdmissionHook {
    let name = "job-status-recorder"
    private let writes = Mutex<[JobStatus]>([])

    var statuses: [JobStatus] { writes.withLock { $0 } }

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.resource.resource == "jobs" && request.subresource == "status"
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        guard let object = request.object, let job = try? Job(json: .object(object.object)) else { return }
        writes.withLock { $0.append(job.status) }
    }
}

extension JobStatus {
    /// The types of the conditions that are True, in order.
    var trueConditions: [String] { (conditions ?? []).filter { $0.status == "True" }.map(\.type) }
}

extension TestEnvironment {
    /// Waits until some task sleeps until `deadline` or earlier, so that advancing the clock to
    /// it wakes the requeue the controller asked for. A work queue sleeps only until its earliest
    /// due key, so a requeue for `deadline` may sit behind an earlier one; advancing to
    /// `deadline` wakes them in order.
    func waitForTimer(at deadline: Time) async throws {
        try await waitUntil("a timer waits for \(deadline.rfc3339NanoFixed) or earlier") {
            self.clock.deadlines.contains { $0 <= deadline }
        }
    }

    /// Moves the clock `seconds` ahead once the controller waits for exactly that moment.
    func advanceToTimer(in seconds: Int64) async throws {
        let deadline = clock.now().advanced(by: .seconds(seconds))
        try await waitForTimer(at: deadline)
        clock.advance(by: .seconds(seconds))
    }

    /// A pod of `job` as its controller would have made it (labels, controller ref, tracking
    /// finalizer), for seeding before the controller runs.
    func seedPod(of job: Job, _ name: String, annotations: [String: String]? = nil) async throws -> Pod {
        try await api.create(Pod(
            metadata: ObjectMeta(
                annotations: annotations, finalizers: [JobController.trackingFinalizer],
                labels: job.spec.template.metadata?.labels, name: name, namespace: "default",
                ownerReferences: [job.controllerReference]),
            spec: job.spec.template.spec ?? PodSpec()))
    }
}
