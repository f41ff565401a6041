/// One sync of a simulated pod: from its stored status, the clock and its annotations, the
/// status a kubelet would report now, and when it must look again.
///
/// Nothing runs between syncs: a container "runs" as a start time in the status, and each sync
/// replays every transition due by `now` (exit, restart after backoff, turning ready) in order.
/// So a sync that comes late — a busy process, a node that was stopped — still reports the
/// times each transition happened.
struct SimulatedPodSync {
    var pod: Pod
    var behavior: SimulatedPodBehavior
    var hostIP: String
    var podIP: String
    var now: Time
    /// Per container name; survives between syncs of the same pod.
    var backoffs: [String: ContainerRestartBackoff]

    /// The next moment something changes by itself, if anything will.
    private(set) var wake: Time?

    init(pod: Pod, behavior: SimulatedPodBehavior, hostIP: String, podIP: String, now: Time,
         backoffs: [String: ContainerRestartBackoff]) {
        self.pod = pod
        self.behavior = behavior
        self.hostIP = hostIP
        self.podIP = podIP
        self.now = now.truncatedToSeconds
        self.backoffs = backoffs
    }

    /// The status of a pod that runs (no deletion asked for).
    mutating func run() -> PodStatus {
        var status = pod.status
        if KubeletPodStatus.isTerminal(pod) { return status }
        let start = status.startTime ?? now
        status.startTime = start
        KubeletPodStatus.setAddresses(&status, hostIP: hostIP, podIP: podIP)

        var initStatuses: [ContainerStatus] = []
        for container in pod.spec.initContainers ?? [] {
            let existing = status.initContainerStatuses?.first { $0.name == container.name }
            if KubeletPodStatus.isSidecar(container) {
                var sidecar = existing ?? fresh(container, startedAt: start)
                if sidecar.state?.running == nil && sidecar.state?.terminated == nil { sidecar = fresh(container, startedAt: start) }
                updateReadiness(&sidecar)
                initStatuses.append(sidecar)
            } else {
                initStatuses.append(existing ?? completedInit(container, at: start))
            }
        }

        var statuses: [ContainerStatus] = []
        for container in pod.spec.containers {
            var containerStatus = status.containerStatuses?.first { $0.name == container.name } ?? fresh(container, startedAt: start)
            advance(&containerStatus)
            statuses.append(containerStatus)
        }

        let phase = KubeletPodStatus.phase(spec: pod.spec, containerStatuses: statuses)
        let terminal = phase == "Succeeded" || phase == "Failed"
        if terminal {
            // The pod is done: sidecars are stopped when the last regular container exits.
            let end = statuses.compactMap { $0.state?.terminated?.finishedAt }.max() ?? now
            for index in initStatuses.indices where initStatuses[index].state?.running != nil {
                initStatuses[index] = stopped(initStatuses[index], at: end, exitCode: 0)
            }
            wake = nil
        }
        KubeletPodStatus.finish(
            &status, spec: pod.spec, phase: phase, initStatuses: initStatuses, statuses: statuses, sandboxReady: !terminal, now: now)
        return status
    }

    /// The status of a pod whose deletion was asked for: its containers stop now, as a process
    /// does on SIGTERM (exit code 143), and the pod ends Succeeded or Failed as the kubelet
    /// leaves a pod it deletes.
    mutating func terminate() -> PodStatus {
        var status = pod.status
        wake = nil
        if KubeletPodStatus.isTerminal(pod) { return status }
        if status.startTime == nil {
            status.startTime = now
            KubeletPodStatus.setAddresses(&status, hostIP: hostIP, podIP: podIP)
        }
        let initStatuses = (status.initContainerStatuses ?? []).map { $0.state?.running != nil ? stopped($0, at: now, exitCode: 143) : $0 }
        var statuses: [ContainerStatus] = []
        for container in pod.spec.containers {
            guard var containerStatus = status.containerStatuses?.first(where: { $0.name == container.name }) else {
                // Never started: nothing to stop.
                var never = fresh(container, startedAt: now)
                never.state = ContainerState(terminated: ContainerStateTerminated(
                    exitCode: 137, containerID: never.containerID, finishedAt: now, reason: "ContainerStatusUnknown", startedAt: now))
                never.started = false
                statuses.append(never)
                continue
            }
            if containerStatus.state?.running != nil {
                containerStatus = stopped(containerStatus, at: now, exitCode: 143)
            } else if containerStatus.state?.terminated == nil, let last = containerStatus.lastState?.terminated {
                // Waiting to restart: it stays as it last exited.
                containerStatus.state = ContainerState(terminated: last)
                containerStatus.ready = false
                containerStatus.started = false
            }
            statuses.append(containerStatus)
        }
        let phase = KubeletPodStatus.phase(spec: pod.spec, containerStatuses: statuses, terminating: true)
        KubeletPodStatus.finish(
            &status, spec: pod.spec, phase: phase, initStatuses: initStatuses, statuses: statuses, sandboxReady: false, now: now)
        return status
    }

    // MARK: Containers

    /// Plays a regular container's transitions up to now.
    private mutating func advance(_ status: inout ContainerStatus) {
        let policy = pod.spec.restartPolicy ?? "Always"
        while true {
            if let running = status.state?.running {
                let started = running.startedAt ?? now
                guard let runDuration = behavior.runDuration else {
                    updateReadiness(&status)
                    return
                }
                let exitAt = started.advanced(by: runDuration)
                guard exitAt <= now else {
                    updateReadiness(&status)
                    schedule(exitAt)
                    return
                }
                let exited = stopped(status, at: exitAt, exitCode: behavior.exitCode)
                let restarts = policy == "Always" || (policy == "OnFailure" && behavior.exitCode != 0)
                guard restarts else {
                    status = exited
                    return
                }
                status.lastState = exited.state
                status.ready = false
                status.started = false
                status.state = ContainerState(waiting: ContainerStateWaiting(reason: "CrashLoopBackOff"))
                var backoff = backoffs[status.name] ?? ContainerRestartBackoff()
                if backoff.isInBackOff(exitedAt: exitAt, now: exitAt) {
                    let message = crashLoopMessage(status.name, backoff.delay)
                    status.state?.waiting?.message = message
                    continue
                }
                backoff.recordRestart(exitedAt: exitAt, now: exitAt)
                backoffs[status.name] = backoff
                restart(&status, at: exitAt)
            } else if status.state?.waiting != nil, let exitedAt = status.lastState?.terminated?.finishedAt {
                var backoff = backoffs[status.name] ?? ContainerRestartBackoff(
                    restarts: status.restartCount, lastRestart: status.lastState?.terminated?.startedAt)
                let restartAt = backoff.restartTime(exitedAt: exitedAt)
                guard restartAt <= now else {
                    backoffs[status.name] = backoff
                    schedule(restartAt)
                    return
                }
                backoff.recordRestart(exitedAt: exitedAt, now: restartAt)
                backoffs[status.name] = backoff
                restart(&status, at: restartAt)
            } else if status.state?.terminated != nil {
                return
            } else {
                restart(&status, at: now)
            }
        }
    }

    private func fresh(_ container: Container, startedAt: Time) -> ContainerStatus {
        var status = ContainerStatus(
            image: container.image ?? "", imageID: imageID(container.image ?? ""), name: container.name,
            containerID: containerID(container.name, run: 0))
        status.state = ContainerState(running: ContainerStateRunning(startedAt: startedAt))
        status.started = true
        return status
    }

    private func completedInit(_ container: Container, at time: Time) -> ContainerStatus {
        var status = ContainerStatus(
            image: container.image ?? "", imageID: imageID(container.image ?? ""), name: container.name, ready: true,
            containerID: containerID(container.name, run: 0))
        status.state = ContainerState(terminated: ContainerStateTerminated(
            exitCode: 0, containerID: status.containerID, finishedAt: time, reason: "Completed", startedAt: time))
        status.started = false
        return status
    }

    private mutating func restart(_ status: inout ContainerStatus, at time: Time) {
        if status.lastState?.terminated != nil { status.restartCount += 1 }
        status.containerID = containerID(status.name, run: status.restartCount)
        status.state = ContainerState(running: ContainerStateRunning(startedAt: time.truncatedToSeconds))
        status.started = true
        status.ready = false
    }

    private func stopped(_ status: ContainerStatus, at time: Time, exitCode: Int32) -> ContainerStatus {
        var status = status
        let started = status.state?.running?.startedAt
        status.state = ContainerState(terminated: ContainerStateTerminated(
            exitCode: exitCode, containerID: status.containerID, finishedAt: time.truncatedToSeconds,
            reason: exitCode == 0 ? "Completed" : "Error", startedAt: started))
        status.ready = false
        status.started = false
        return status
    }

    private mutating func updateReadiness(_ status: inout ContainerStatus) {
        guard let started = status.state?.running?.startedAt else { return }
        if behavior.neverReady {
            status.ready = false
            return
        }
        let readyAt = started.advanced(by: behavior.readyAfter)
        status.ready = readyAt <= now
        if !status.ready { schedule(readyAt) }
    }

    private mutating func schedule(_ time: Time) {
        if time > now { wake = min(wake ?? time, time) }
    }

    // MARK: Pod

    private func containerID(_ name: String, run: Int32) -> String {
        "sim://\(pod.metadata.uid ?? pod.name)/\(name)/\(run)"
    }

    private func imageID(_ image: String) -> String {
        image.isEmpty ? "" : "sim://image/" + image
    }

    /// The kubelet's message: `back-off 20s restarting failed container=app pod=web_default(uid)`.
    private func crashLoopMessage(_ container: String, _ delay: Duration) -> String {
        let pod = "\(pod.name)_\(pod.metadata.namespace ?? "")(\(pod.metadata.uid ?? ""))"
        return "back-off \(Self.goDuration(delay)) restarting failed container=\(container) pod=\(pod)"
    }

    /// Whole seconds as Go prints a duration: `40s`, `5m0s`.
    static func goDuration(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(seconds % 60)s"
    }
}
