import BosunKit
import BosunNodes

/// One sync of a pod on the local node: from what its processes did (``PodRun``) and the
/// clock, start what must start — init containers in order, then the containers, restarts once
/// their backoff has passed — and compute the status a kubelet would report now.
///
/// Processes run between syncs; an exit wakes the pod's key, so a sync sees every exit. Times
/// in the status are the runtime clock's, so restart backoff follows that clock.
struct LocalPodSync {
    /// An event the kubelet records about the pod.
    struct PodEvent {
        var type: EventRecorder.EventType
        var reason: String
        var message: String
    }

    let pod: Pod
    var run: PodRun
    let now: Time
    /// Starts a container; the second argument is its restart count. Fails when the
    /// container's configuration cannot be made (a missing ConfigMap or Secret).
    let launch: (Container, Int32) -> Result<ContainerInstance, ContainerConfigError>

    /// How long a container that could not be configured waits before the next try: the
    /// kubelet's pod worker backoff after a failed sync.
    static let configRetry: Duration = .seconds(10)

    /// The next moment something changes by itself (a restart after backoff), if anything will.
    private(set) var wake: Time?
    private(set) var events: [PodEvent] = []
    /// Instances to stop now that the pod has finished: its sidecars.
    private(set) var leftovers: [ContainerInstance] = []

    init(pod: Pod, run: PodRun, now: Time, launch: @escaping (Container, Int32) -> Result<ContainerInstance, ContainerConfigError>) {
        self.pod = pod
        self.run = run
        self.now = now.truncatedToSeconds
        self.launch = launch
    }

    // MARK: Running

    /// Starts or restarts what is due and returns the pod's status.
    mutating func sync() -> PodStatus {
        var status = pod.status
        // A finished pod never runs again (a replacement is a new pod).
        if KubeletPodStatus.isTerminal(pod) { return status }
        recallEarlierRuns()
        status.startTime = status.startTime ?? now
        KubeletPodStatus.setAddresses(&status, hostIP: LocalProcessRuntime.loopback, podIP: LocalProcessRuntime.loopback)
        let policy = pod.spec.restartPolicy ?? "Always"

        var initStatuses: [ContainerStatus] = []
        var initialized = true
        var initFailed = false
        for container in pod.spec.initContainers ?? [] {
            guard initialized else {
                initStatuses.append(waiting(container, reason: "PodInitializing"))
                continue
            }
            if KubeletPodStatus.isSidecar(container) {
                // A sidecar keeps running beside the containers; the next starts once it has.
                let sidecar = advance(container) { _ in true }
                if sidecar.started != true { initialized = false }
                initStatuses.append(sidecar)
                continue
            }
            var initStatus = advance(container) { exitCode in exitCode != 0 && policy != "Never" }
            if let terminated = initStatus.state?.terminated {
                if terminated.exitCode == 0 {
                    initStatus.ready = true
                } else {
                    initialized = false
                    initFailed = true
                }
            } else {
                initialized = false
            }
            initStatuses.append(initStatus)
        }

        let statuses: [ContainerStatus]
        if initialized {
            statuses = pod.spec.containers.map { container in
                advance(container) { exitCode in policy == "Always" || (policy == "OnFailure" && exitCode != 0) }
            }
        } else {
            statuses = pod.spec.containers.map { waiting($0, reason: "PodInitializing") }
        }

        // An init container that failed for good fails the pod (the kubelet's getPhase).
        let phase = initFailed ? "Failed" : KubeletPodStatus.phase(spec: pod.spec, containerStatuses: statuses)
        let terminal = phase == "Succeeded" || phase == "Failed"
        if terminal {
            // The pod is done: its sidecars are stopped, as the kubelet stops them after the
            // last container exits, and reported as exiting cleanly.
            wake = nil
            for index in initStatuses.indices where initStatuses[index].state?.running != nil {
                if let instance = run.containers[initStatuses[index].name]?.current { leftovers.append(instance) }
                var stopped = initStatuses[index]
                stopped.state = ContainerState(terminated: ContainerStateTerminated(
                    exitCode: 0, containerID: stopped.containerID, finishedAt: now, reason: "Completed",
                    startedAt: stopped.state?.running?.startedAt))
                stopped.ready = false
                stopped.started = false
                initStatuses[index] = stopped
            }
        }
        KubeletPodStatus.finish(
            &status, spec: pod.spec, phase: phase, initStatuses: initStatuses, statuses: statuses, sandboxReady: !terminal, now: now)
        return status
    }

    /// The final status of a pod whose containers were all stopped for its deletion.
    mutating func terminated() -> PodStatus {
        var status = pod.status
        if KubeletPodStatus.isTerminal(pod) { return status }
        recallEarlierRuns()
        status.startTime = status.startTime ?? now
        KubeletPodStatus.setAddresses(&status, hostIP: LocalProcessRuntime.loopback, podIP: LocalProcessRuntime.loopback)
        var initStatuses: [ContainerStatus] = []
        for container in pod.spec.initContainers ?? [] {
            guard let containerRun = run.containers[container.name] else {
                initStatuses.append(waiting(container, reason: "PodInitializing"))
                continue
            }
            var initStatus = report(container, containerRun)
            if !KubeletPodStatus.isSidecar(container), initStatus.state?.terminated?.exitCode == 0 { initStatus.ready = true }
            initStatuses.append(initStatus)
        }
        let statuses = pod.spec.containers.map { container in
            guard let containerRun = run.containers[container.name] else {
                // Never started: the kubelet reports what it could not find.
                var never = base(container, ContainerRun())
                never.state = ContainerState(terminated: ContainerStateTerminated(
                    exitCode: 137, finishedAt: now, message: "The container could not be located when the pod was terminated",
                    reason: "ContainerStatusUnknown", startedAt: now))
                never.started = false
                return never
            }
            return report(container, containerRun)
        }
        let phase = KubeletPodStatus.phase(spec: pod.spec, containerStatuses: statuses, terminating: true)
        KubeletPodStatus.finish(
            &status, spec: pod.spec, phase: phase, initStatuses: initStatuses, statuses: statuses, sandboxReady: false, now: now)
        return status
    }

    // MARK: Containers

    /// Starts `container` if it never ran, restarts it when `restarts` says its exit code calls
    /// for it and its backoff has passed, and returns its status.
    private mutating func advance(_ container: Container, restarts: (Int32) -> Bool) -> ContainerStatus {
        var containerRun = run.containers[container.name] ?? ContainerRun()
        defer { run.containers[container.name] = containerRun }
        guard let instance = containerRun.current else {
            switch start(container, restartCount: 0) {
            case .success(let started):
                containerRun.current = started
                return report(container, containerRun)
            case .failure(let error):
                return configError(container, containerRun, error)
            }
        }
        guard let ending = instance.ending, restarts(ending.exitCode) else { return report(container, containerRun) }
        if containerRun.backoff.isInBackOff(exitedAt: ending.finishedAt, now: now) {
            schedule(containerRun.backoff.restartTime(exitedAt: ending.finishedAt))
            let message = crashLoopMessage(container.name, containerRun.backoff.delay)
            var status = base(container, containerRun)
            status.containerID = instance.containerID.isEmpty ? nil : instance.containerID
            status.state = ContainerState(waiting: ContainerStateWaiting(message: message, reason: "CrashLoopBackOff"))
            status.lastState = ContainerState(terminated: instance.terminated(ending))
            status.started = false
            if reported(container.name)?.state?.waiting?.reason != "CrashLoopBackOff" {
                events.append(PodEvent(type: .warning, reason: "BackOff", message: "Back-off restarting failed container \(container.name) in pod \(podDescription)"))
            }
            return status
        }
        switch start(container, restartCount: containerRun.restartCount + 1) {
        case .success(let next):
            containerRun.backoff.recordRestart(exitedAt: ending.finishedAt, now: now)
            containerRun.previous = instance
            containerRun.restartCount += 1
            containerRun.current = next
            return report(container, containerRun)
        case .failure(let error):
            var status = configError(container, containerRun, error)
            status.lastState = ContainerState(terminated: instance.terminated(ending))
            return status
        }
    }

    private mutating func start(_ container: Container, restartCount: Int32) -> Result<ContainerInstance, ContainerConfigError> {
        let result = launch(container, restartCount)
        switch result {
        case .success(let instance):
            if let ending = instance.ending, ending.reason == "StartError" {
                events.append(PodEvent(type: .warning, reason: "Failed", message: "Error: \(ending.message ?? "")"))
            } else {
                events.append(PodEvent(type: .normal, reason: "Started", message: "Started container \(container.name)"))
            }
        case .failure(let error):
            // As the kubelet: the container waits, the pod is synced again after a backoff.
            events.append(PodEvent(type: .warning, reason: "Failed", message: "Error: \(error.message)"))
            schedule(now.advanced(by: Self.configRetry))
        }
        return result
    }

    /// A container that could not be created: waiting, `CreateContainerConfigError`.
    private func configError(_ container: Container, _ containerRun: ContainerRun, _ error: ContainerConfigError) -> ContainerStatus {
        var status = base(container, containerRun)
        status.state = ContainerState(waiting: ContainerStateWaiting(message: error.message, reason: ContainerConfigError.reason))
        status.started = false
        status.ready = false
        return status
    }

    /// The status of a container as its current instance stands.
    private func report(_ container: Container, _ containerRun: ContainerRun) -> ContainerStatus {
        var status = base(container, containerRun)
        guard let instance = containerRun.current else { return waiting(container, reason: "ContainerCreating") }
        status.containerID = instance.containerID.isEmpty ? nil : instance.containerID
        status.state = instance.state
        status.ready = instance.isReady
        status.started = instance.isStarted
        return status
    }

    private func base(_ container: Container, _ containerRun: ContainerRun) -> ContainerStatus {
        var status = ContainerStatus(image: container.image ?? "", name: container.name, restartCount: containerRun.restartCount)
        if let previous = containerRun.previous, let ending = previous.ending {
            status.lastState = ContainerState(terminated: previous.terminated(ending))
        }
        return status
    }

    private func waiting(_ container: Container, reason: String) -> ContainerStatus {
        var status = ContainerStatus(image: container.image ?? "", name: container.name)
        status.state = ContainerState(waiting: ContainerStateWaiting(reason: reason))
        status.started = false
        return status
    }

    /// The status last reported for the container `name`.
    private func reported(_ name: String) -> ContainerStatus? {
        (pod.status.containerStatuses ?? []).first { $0.name == name }
            ?? (pod.status.initContainerStatuses ?? []).first { $0.name == name }
    }

    /// Rebuilds what this runtime knew of containers a pod's status says ran, when it does not
    /// remember them itself: Bosun restarted, and the processes died with it. A container that
    /// was running is reported as the kubelet reports one it cannot find; the restart policy
    /// then applies as to any exit.
    private mutating func recallEarlierRuns() {
        let statuses = (pod.status.initContainerStatuses ?? []) + (pod.status.containerStatuses ?? [])
        for status in statuses where run.containers[status.name] == nil {
            let ending: ContainerInstance.Ending
            let startedAt: Time?
            if let terminated = status.state?.terminated {
                ending = Self.ending(terminated, now: now)
                startedAt = terminated.startedAt
            } else if let running = status.state?.running {
                ending = ContainerInstance.Ending(
                    exitCode: 137, reason: "ContainerStatusUnknown",
                    message: "The container could not be located when the pod was terminated", finishedAt: now)
                startedAt = running.startedAt
            } else if let last = status.lastState?.terminated {
                ending = Self.ending(last, now: now)
                startedAt = last.startedAt
            } else {
                continue
            }
            var containerRun = ContainerRun()
            containerRun.restartCount = status.restartCount
            containerRun.backoff = ContainerRestartBackoff(restarts: status.restartCount, lastRestart: startedAt)
            containerRun.current = .remembered(startedAt: startedAt, containerID: status.containerID, ending: ending)
            run.containers[status.name] = containerRun
        }
    }

    private static func ending(_ terminated: ContainerStateTerminated, now: Time) -> ContainerInstance.Ending {
        ContainerInstance.Ending(
            exitCode: terminated.exitCode, signal: terminated.signal, reason: terminated.reason ?? "Error",
            message: terminated.message, finishedAt: terminated.finishedAt ?? now)
    }

    private mutating func schedule(_ time: Time) {
        if time > now { wake = min(wake ?? time, time) }
    }

    // MARK: Pod

    private var podDescription: String {
        "\(pod.name)_\(pod.metadata.namespace ?? "")(\(pod.metadata.uid ?? ""))"
    }

    /// The kubelet's message: `back-off 20s restarting failed container=app pod=web_default(uid)`.
    private func crashLoopMessage(_ container: String, _ delay: Duration) -> String {
        let seconds = delay.components.seconds
        let text = seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(seconds % 60)s"
        return "back-off \(text) restarting failed container=\(container) pod=\(podDescription)"
    }
}
