import BosunKit
import BosunNodes
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension LocalProcessRuntime {
    /// The `PATH` a container gets when its `env` sets none: Bosun's own, as a container gets
    /// its image's.
    static let defaultPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Starts one run of `container`: its process when it has a command, otherwise an idle
    /// instance that runs until stopped (see the type's documentation). The process's exit
    /// wakes the pod's key.
    func launch(
        _ container: Container, of pod: Pod, volumes: PodVolumes.Directories, key: ObjectName, restartCount: Int32, clock: any RuntimeClock
    ) -> ContainerInstance {
        let now = clock.now()
        guard let command = container.command, !command.isEmpty else {
            return .idle(startedAt: now, containerID: "process://idle/\(pod.metadata.uid ?? pod.name)/\(container.name)/\(restartCount)")
        }
        let spec = ProcessSpec(
            arguments: command + (container.args ?? []), environment: Self.environment(of: container, in: pod, volumes: volumes),
            workingDirectory: container.workingDir)
        let log = ContainerLog()
        let process: ContainerProcess
        do {
            process = try ContainerProcess.start(spec, log: log)
        } catch {
            return .failedToStart(String(describing: error), at: now, log: log)
        }
        let probe = container.readinessProbe.flatMap { probe in probe.exec?.command.map { (probe, $0) } }
        let instance = ContainerInstance.running(process, startedAt: now, probed: probe != nil)
        let id = ObjectIdentifier(instance)
        let accepted = state.withLock { s in
            if s.accepting { s.live[id] = instance }
            return s.accepting
        }
        let controller = wiring.withLock { $0?.controller }
        Task { [weak self] in
            let status = await process.wait()
            // A container ends with its main process: what it started goes with it, as its
            // cgroup would, before the exit is reported.
            Self.killGroup(of: process)
            instance.finish(status, at: clock.now())
            let probe = self?.state.withLock { s -> Task<Void, Never>? in
                s.live[id] = nil
                return s.probes.removeValue(forKey: id)
            }
            probe?.cancel()
            controller?.enqueue(key)
        }
        guard accepted else {
            // Shut down meanwhile: nothing may run after that.
            Task { await instance.stop(grace: .zero, clock: clock) }
            return instance
        }
        if let (probe, probeCommand) = probe, !probeCommand.isEmpty {
            let task = Task { [weak self] () -> Void in
                await self?.probeReadiness(instance, probe: probe, command: probeCommand, spec: spec, key: key, clock: clock)
            }
            state.withLock { s in
                if instance.isRunning && s.accepting { s.probes[id] = task } else { task.cancel() }
            }
        }
        return instance
    }

    /// Kills what is left in the process group of `process`, whose leader has exited, and
    /// reaps it (this process adopted it: ``ContainerProcess/adoptOrphans()``), waiting a little
    /// for the SIGKILL to land.
    static func killGroup(of process: ContainerProcess) {
        guard kill(-process.pid, SIGKILL) == 0 else { return }
        for _ in 0..<100 {
            var raw: Int32 = 0
            let reaped = waitpid(-process.pid, &raw, WNOHANG)
            if reaped < 0 { return }
            if reaped == 0 { usleep(1_000) }
        }
    }

    /// The environment of a container's process: `PATH` and `HOSTNAME` (the pod's name, as in
    /// a container), `BOSUN_VOLUME_<NAME>` for each volume it mounts that lives in a directory
    /// here (``PodVolumes``), then the container's literal `env` in order. `valueFrom` (fields,
    /// secrets, config maps) and `envFrom` are not resolved: those variables are left unset.
    static func environment(of container: Container, in pod: Pod, volumes: PodVolumes.Directories = [:]) -> [String: String] {
        var environment = ["PATH": defaultPath, "HOSTNAME": pod.name]
        for (name, path) in PodVolumes.environment(of: container, volumes: volumes) { environment[name] = path }
        for variable in container.env ?? [] {
            guard let value = variable.value ?? (variable.valueFrom == nil ? "" : nil) else { continue }
            environment[variable.name] = value
        }
        return environment
    }
}
