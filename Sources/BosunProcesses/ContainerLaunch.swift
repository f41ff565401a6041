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

    /// Starts one run of `container` with its resolved `environment`: its process when it has a
    /// command, otherwise an idle instance that runs until stopped (see the type's
    /// documentation), and its probes. The process's exit, and a probe's change of verdict, wake
    /// the pod's key.
    func launch(
        _ container: Container, of pod: Pod, environment: ContainerEnvironment, volumes: PodVolumes.Directories, key: ObjectName,
        restartCount: Int32, clock: any RuntimeClock
    ) -> ContainerInstance {
        let now = clock.now()
        guard let command = container.command, !command.isEmpty else {
            return .idle(startedAt: now, containerID: "process://idle/\(pod.metadata.uid ?? pod.name)/\(container.name)/\(restartCount)")
        }
        let spec = ProcessSpec(
            arguments: environment.commandLine(of: container),
            environment: Self.environment(of: container, in: pod, resolved: environment, volumes: volumes),
            workingDirectory: PodVolumes.workingDirectory(of: container, volumes: volumes))
        let log = ContainerLog()
        let process: ContainerProcess
        do {
            process = try ContainerProcess.start(spec, log: log)
        } catch {
            return .failedToStart(String(describing: error), at: now, log: log)
        }
        let probes: [(ContainerProber.Kind, Probe)] = [
            container.startupProbe.map { (ContainerProber.Kind.startup, $0) },
            container.livenessProbe.map { (ContainerProber.Kind.liveness, $0) },
            container.readinessProbe.map { (ContainerProber.Kind.readiness, $0) },
        ].compactMap { $0 }
        let instance = ContainerInstance.running(process, startedAt: now, probes: Set(probes.map(\.0)))
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
            let probers = self?.state.withLock { s -> [Task<Void, Never>] in
                s.live[id] = nil
                return s.probes.removeValue(forKey: id) ?? []
            }
            for prober in probers ?? [] { prober.cancel() }
            controller?.enqueue(key)
        }
        guard accepted else {
            // Shut down meanwhile: nothing may run after that.
            Task { await instance.stop(grace: .zero, clock: clock) }
            return instance
        }
        let grace = Duration.seconds(pod.spec.terminationGracePeriodSeconds ?? 30)
        let restartPolicy = container.restartPolicy ?? pod.spec.restartPolicy ?? "Always"
        let tasks = probes.map { kind, probe in
            let prober = ContainerProber(
                kind: kind, probe: probe, container: container, instance: instance, spec: spec, podGrace: grace,
                restartPolicy: restartPolicy, clock: clock, wake: { controller?.enqueue(key) })
            return Task { await prober.run() }
        }
        if !tasks.isEmpty {
            state.withLock { s in
                if instance.isRunning && s.accepting { s.probes[id] = tasks } else { tasks.forEach { $0.cancel() } }
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
    /// here (``PodVolumes``), then the variables the kubelet resolved (``ContainerEnvironment``),
    /// which win over the others as a container's `env` wins over its image's.
    static func environment(
        of container: Container, in pod: Pod, resolved: ContainerEnvironment, volumes: PodVolumes.Directories = [:]
    ) -> [String: String] {
        var environment = ["PATH": defaultPath, "HOSTNAME": pod.name]
        for (name, path) in PodVolumes.environment(of: container, volumes: volumes) { environment[name] = path }
        environment.merge(resolved.variables) { _, resolved in resolved }
        return environment
    }
}
