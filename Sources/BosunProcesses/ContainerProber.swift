import BosunKit
import BosunNodes

/// Runs one probe of a running container for as long as it runs, as a kubelet's probe worker:
/// the first probe once `initialDelaySeconds` have passed since the container started, then one
/// every `periodSeconds` (default 10), each given `timeoutSeconds` (default 1). A verdict needs
/// `successThreshold` passes (default 1) or `failureThreshold` failures (default 3) in a row.
///
/// - **startup**: until it passes, `started` is false and the other probes wait; failing kills
///   the container (it restarts as its restart policy says).
/// - **liveness**: failing kills the container, with the probe's
///   `terminationGracePeriodSeconds` or the pod's; it restarts as its restart policy says (with
///   the restart backoff), as after any exit.
/// - **readiness**: decides `ready` (false until the first pass).
///
/// Every failed probe is a Warning `Unhealthy` event ("Liveness probe failed: …"); a kill is a
/// Normal `Killing` event ("Container app failed liveness probe, will be restarted"). Delays
/// are the runtime clock's; the probes themselves run for real.
struct ContainerProber: Sendable {
    enum Kind: String, Sendable {
        case startup = "Startup"
        case liveness = "Liveness"
        case readiness = "Readiness"
    }

    let kind: Kind
    let probe: Probe
    let container: Container
    let instance: ContainerInstance
    /// The container's process, for exec probes to run like it.
    let spec: ProcessSpec
    /// The pod's grace period, for a kill without a probe-level one.
    let podGrace: Duration
    let restartPolicy: String
    let clock: any RuntimeClock
    /// Wakes the pod's sync when something it reports changed.
    let wake: @Sendable () -> Void

    func run() async {
        let period = Duration.seconds(max(Int64(probe.periodSeconds ?? 10), 1))
        let timeout = Duration.seconds(max(Int64(probe.timeoutSeconds ?? 1), 1))
        // Liveness and startup probes must have a success threshold of 1.
        let successThreshold = kind == .readiness ? max(Int(probe.successThreshold ?? 1), 1) : 1
        let failureThreshold = max(Int(probe.failureThreshold ?? 3), 1)
        var last: Bool?
        var run = 0
        do {
            try await clock.sleep(for: .seconds(Int64(max(probe.initialDelaySeconds ?? 0, 0))))
            while instance.isRunning && !Task.isCancelled {
                if kind == .startup && instance.isStarted { return }
                // The other probes wait for the container to have started.
                guard kind == .startup || instance.isStarted else {
                    try await clock.sleep(for: period)
                    continue
                }
                let outcome = await ProbeAction.run(probe, container: container, spec: spec, timeout: timeout, clock: clock)
                guard instance.isRunning, !Task.isCancelled else { return }
                if !outcome.passed {
                    instance.record(ProbeEvent(type: .warning, reason: "Unhealthy", message: "\(kind.rawValue) probe failed: \(outcome.output)"))
                    wake()
                }
                if last == outcome.passed {
                    run += 1
                } else {
                    last = outcome.passed
                    run = 1
                }
                if outcome.passed, run >= successThreshold {
                    passed()
                } else if !outcome.passed, run >= failureThreshold {
                    if await failed() { return }
                }
                try await clock.sleep(for: period)
            }
        } catch {
            // Cancelled: the container ended or the runtime shut down.
        }
    }

    private func passed() {
        switch kind {
        case .readiness:
            if instance.setProbeReady(true) { wake() }
        case .startup:
            if instance.setStartupPassed() { wake() }
        case .liveness:
            break
        }
    }

    /// Acts on a failure verdict; whether the container is being killed.
    private func failed() async -> Bool {
        switch kind {
        case .readiness:
            if instance.setProbeReady(false) { wake() }
            return false
        case .liveness, .startup:
            let restarts = restartPolicy != "Never"
            instance.record(ProbeEvent(
                type: .normal, reason: "Killing",
                message: "Container \(container.name) failed \(kind.rawValue.lowercased()) probe\(restarts ? ", will be restarted" : "")"))
            wake()
            let grace = probe.terminationGracePeriodSeconds.map { Duration.seconds($0) } ?? podGrace
            await instance.stop(grace: grace, clock: clock)
            return true
        }
    }
}
