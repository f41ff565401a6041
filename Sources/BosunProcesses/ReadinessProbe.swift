import BosunKit
import BosunNodes
import Synchronization

extension LocalProcessRuntime {
    /// Runs an exec readiness probe for as long as `instance` runs, as the kubelet's prober
    /// does: first after `initialDelaySeconds`, then every `periodSeconds` (default 10); a
    /// probe passes when its command exits 0 within `timeoutSeconds` (default 1). Ready after
    /// `successThreshold` passes in a row (default 1), unready after `failureThreshold` failures
    /// in a row (default 3). A change of readiness wakes the pod's key. Delays are the runtime
    /// clock's; the probe's process runs for real.
    func probeReadiness(
        _ instance: ContainerInstance, probe: Probe, command: [String], spec: ProcessSpec, key: ObjectName, clock: any RuntimeClock
    ) async {
        let period = Duration.seconds(max(Int64(probe.periodSeconds ?? 10), 1))
        let timeout = Duration.seconds(max(Int64(probe.timeoutSeconds ?? 1), 1))
        let successThreshold = max(Int(probe.successThreshold ?? 1), 1)
        let failureThreshold = max(Int(probe.failureThreshold ?? 3), 1)
        var successes = 0, failures = 0
        do {
            try await clock.sleep(for: .seconds(Int64(max(probe.initialDelaySeconds ?? 0, 0))))
            while instance.isRunning && !Task.isCancelled {
                if await Self.runProbe(command, like: spec, timeout: timeout, clock: clock) {
                    successes += 1
                    failures = 0
                } else {
                    failures += 1
                    successes = 0
                }
                var verdict: Bool?
                if successes >= successThreshold { verdict = true }
                if failures >= failureThreshold { verdict = false }
                if let verdict, instance.setProbeReady(verdict) {
                    wiring.withLock { $0?.controller }?.enqueue(key)
                }
                try await clock.sleep(for: period)
            }
        } catch {
            // Cancelled: the container ended or the runtime shut down.
        }
    }

    /// Runs the probe's command with the container's environment and directory; whether it
    /// exited 0 in time. A probe that outlives its timeout is killed.
    private static func runProbe(_ command: [String], like container: ProcessSpec, timeout: Duration, clock: any RuntimeClock) async -> Bool {
        let spec = ProcessSpec(arguments: command, environment: container.environment, workingDirectory: container.workingDirectory)
        guard let process = try? ContainerProcess.start(spec, log: ContainerLog(capacity: 64 << 10)) else { return false }
        let timer = Task {
            try await clock.sleep(for: timeout)
            await process.stop(grace: .zero)
        }
        let status = await withTaskCancellationHandler {
            await process.wait()
        } onCancel: {
            Task { await process.stop(grace: .zero) }
        }
        timer.cancel()
        return status == .exited(0)
    }
}
