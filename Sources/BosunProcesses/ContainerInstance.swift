import BosunKit
import BosunNodes
import Synchronization

/// One run of a container on the local node: its process, its log, and how it ended.
///
/// A container without a command has nothing to run (there is no image, so no entrypoint): its
/// instance has no process and "runs" until it is stopped, as a pause container does. An
/// instance whose process could not start ends at once, as the container runtime reports it.
final class ContainerInstance: Sendable {
    /// How an instance ended, in the terms of `ContainerStateTerminated`.
    struct Ending: Sendable, Hashable {
        var exitCode: Int32
        var signal: Int32?
        var reason: String
        var message: String?
        var finishedAt: Time
    }

    let process: ContainerProcess?
    let log: ContainerLog
    let startedAt: Time
    let containerID: String
    /// Which probes the container has: readiness waits for a readiness probe's first success,
    /// and `started` for a startup probe's.
    let probes: Set<ContainerProber.Kind>
    private struct State {
        var ending: Ending?
        var ready = false
        var startupPassed = false
        var events: [ProbeEvent] = []
    }

    private let lock: Mutex<State>

    private init(process: ContainerProcess?, log: ContainerLog, startedAt: Time, containerID: String, probes: Set<ContainerProber.Kind>, ending: Ending?) {
        self.process = process
        self.log = log
        self.startedAt = startedAt.truncatedToSeconds
        self.containerID = containerID
        self.probes = probes
        lock = Mutex(State(ending: ending))
    }

    /// An instance running `process`.
    static func running(_ process: ContainerProcess, startedAt: Time, probes: Set<ContainerProber.Kind>) -> ContainerInstance {
        ContainerInstance(process: process, log: process.log, startedAt: startedAt, containerID: "process://\(process.pid)",
                          probes: probes, ending: nil)
    }

    /// An instance of a container without a command: it runs until stopped. Without a process
    /// there is nothing to probe.
    static func idle(startedAt: Time, containerID: String) -> ContainerInstance {
        let log = ContainerLog()
        return ContainerInstance(process: nil, log: log, startedAt: startedAt, containerID: containerID, probes: [], ending: nil)
    }

    /// An instance that never ran: its process failed to start. Exit code 128 and `StartError`,
    /// as containerd reports an exec that failed.
    static func failedToStart(_ message: String, at time: Time, log: ContainerLog) -> ContainerInstance {
        log.close(at: Time.now())
        return ContainerInstance(process: nil, log: log, startedAt: time, containerID: "", probes: [],
                                 ending: Ending(exitCode: 128, reason: "StartError", message: message, finishedAt: time.truncatedToSeconds))
    }

    /// An instance known only from a pod's status: one that ran before this runtime started
    /// (Bosun restarted; its processes died with it).
    static func remembered(startedAt: Time?, containerID: String?, ending: Ending) -> ContainerInstance {
        let log = ContainerLog()
        log.close(at: Time.now())
        return ContainerInstance(process: nil, log: log, startedAt: startedAt ?? ending.finishedAt, containerID: containerID ?? "",
                                 probes: [], ending: ending)
    }

    var ending: Ending? { lock.withLock { $0.ending } }
    var isRunning: Bool { ending == nil }

    /// Whether the container has started: running and, with a startup probe, past its first
    /// success (`ContainerStatus.started`). Until then its other probes wait.
    var isStarted: Bool { lock.withLock { $0.ending == nil && (!probes.contains(.startup) || $0.startupPassed) } }

    /// Whether the container is ready: started and, with a readiness probe, last probed ready.
    var isReady: Bool {
        lock.withLock { s in
            s.ending == nil && (!probes.contains(.startup) || s.startupPassed) && (!probes.contains(.readiness) || s.ready)
        }
    }

    /// Records the readiness probe's verdict; returns whether readiness changed.
    func setProbeReady(_ ready: Bool) -> Bool {
        lock.withLock { s in
            defer { s.ready = ready }
            return s.ready != ready
        }
    }

    /// Records the startup probe's success; returns whether that is news.
    func setStartupPassed() -> Bool {
        lock.withLock { s in
            defer { s.startupPassed = true }
            return !s.startupPassed
        }
    }

    /// Keeps an event a probe caused, for the pod's next sync to record.
    func record(_ event: ProbeEvent) {
        lock.withLock { $0.events.append(event) }
    }

    /// The events kept since the last call.
    func takeEvents() -> [ProbeEvent] {
        lock.withLock { s in
            defer { s.events = [] }
            return s.events
        }
    }

    /// Records how the process ended (the first report wins: the exit watcher or a stop).
    func finish(_ status: ExitStatus, at time: Time) {
        var signal: Int32?
        if case .signaled(let number) = status { signal = number }
        finish(Ending(exitCode: status.exitCode, signal: signal, reason: status.exitCode == 0 ? "Completed" : "Error",
                      finishedAt: time.truncatedToSeconds))
    }

    private func finish(_ ending: Ending) {
        lock.withLock { s in
            if s.ending == nil { s.ending = ending }
        }
    }

    /// Stops the instance: its process group gets SIGTERM, then SIGKILL after `grace`. A
    /// container without a command stops at once and exits 0, as a pause container does on
    /// SIGTERM.
    func stop(grace: Duration, clock: any RuntimeClock) async {
        guard let process else {
            if isRunning {
                log.close(at: Time.now())
                finish(Ending(exitCode: 0, reason: "Completed", finishedAt: clock.now().truncatedToSeconds))
            }
            return
        }
        let status = await process.stop(grace: grace)
        finish(status, at: clock.now())
    }

    /// The container's state as a status reports it: running, or terminated as it ended.
    var state: ContainerState {
        guard let ending else { return ContainerState(running: ContainerStateRunning(startedAt: startedAt)) }
        return ContainerState(terminated: terminated(ending))
    }

    func terminated(_ ending: Ending) -> ContainerStateTerminated {
        ContainerStateTerminated(
            exitCode: ending.exitCode, containerID: containerID.isEmpty ? nil : containerID, finishedAt: ending.finishedAt,
            message: ending.message, reason: ending.reason, signal: ending.signal, startedAt: startedAt)
    }
}
