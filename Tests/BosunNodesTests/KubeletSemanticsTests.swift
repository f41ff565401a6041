import BosunNodes
import Testing

@Suite("Kubelet semantics")
struct KubeletSemanticsTests {
    let t0 = Time(secondsSinceEpoch: 1_767_225_600)

    func at(_ seconds: Int64) -> Time { t0.advanced(by: .seconds(seconds)) }

    @Test("restart backoff: at once, then 10 s doubling to 300 s, reset after 10 minutes of clean running")
    func backoff() {
        var backoff = ContainerRestartBackoff()
        #expect(!backoff.isInBackOff(exitedAt: at(0), now: at(0)))
        backoff.recordRestart(exitedAt: at(0), now: at(0))
        var exit: Int64 = 1
        var delays: [Int64] = []
        for _ in 0..<7 {
            #expect(backoff.isInBackOff(exitedAt: at(exit), now: at(exit)))
            let restart = backoff.restartTime(exitedAt: at(exit))
            delays.append(at(exit).duration(to: restart).components.seconds)
            #expect(!backoff.isInBackOff(exitedAt: at(exit), now: restart))
            backoff.recordRestart(exitedAt: at(exit), now: restart)
            exit = restart.secondsSinceEpoch - t0.secondsSinceEpoch + 1
        }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300])

        // An exit more than 600 s after the last restart starts over.
        let lastRestart = exit - 1
        #expect(!backoff.isInBackOff(exitedAt: at(lastRestart + 601), now: at(lastRestart + 601)))
        backoff.recordRestart(exitedAt: at(lastRestart + 601), now: at(lastRestart + 601))
        #expect(backoff.delay == .seconds(10))
    }

    @Test("restart backoff rebuilt from a restart count")
    func rebuiltBackoff() {
        #expect(ContainerRestartBackoff(restarts: 1, lastRestart: t0).delay == .seconds(10))
        #expect(ContainerRestartBackoff(restarts: 3, lastRestart: t0).delay == .seconds(40))
        #expect(ContainerRestartBackoff(restarts: 9, lastRestart: t0).delay == .seconds(300))
        #expect(ContainerRestartBackoff(restarts: 0, lastRestart: t0).delay == .zero)
    }

    func status(_ name: String, running: Bool = false, exitCode: Int32? = nil, restarting: Bool = false) -> ContainerStatus {
        var status = ContainerStatus(name: name)
        if running { status.state = ContainerState(running: ContainerStateRunning(startedAt: t0)) }
        if let exitCode { status.state = ContainerState(terminated: ContainerStateTerminated(exitCode: exitCode)) }
        if restarting {
            status.state = ContainerState(waiting: ContainerStateWaiting(reason: "CrashLoopBackOff"))
            status.lastState = ContainerState(terminated: ContainerStateTerminated(exitCode: 1))
        }
        return status
    }

    @Test("pod phase follows the kubelet's getPhase")
    func phase() {
        func spec(_ policy: String) -> PodSpec {
            PodSpec(containers: [Container(name: "a"), Container(name: "b")], restartPolicy: policy)
        }
        let done = [status("a", exitCode: 0), status("b", exitCode: 0)]
        let oneFailed = [status("a", exitCode: 0), status("b", exitCode: 1)]
        #expect(KubeletPodStatus.phase(spec: spec("Always"), containerStatuses: []) == "Pending")
        #expect(KubeletPodStatus.phase(spec: spec("Never"), containerStatuses: [status("a", running: true), status("b", exitCode: 1)]) == "Running")
        #expect(KubeletPodStatus.phase(spec: spec("Never"), containerStatuses: done) == "Succeeded")
        #expect(KubeletPodStatus.phase(spec: spec("Never"), containerStatuses: oneFailed) == "Failed")
        #expect(KubeletPodStatus.phase(spec: spec("OnFailure"), containerStatuses: done) == "Succeeded")
        #expect(KubeletPodStatus.phase(spec: spec("OnFailure"), containerStatuses: [status("a", exitCode: 0), status("b", restarting: true)]) == "Running")
        #expect(KubeletPodStatus.phase(spec: spec("Always"), containerStatuses: done) == "Running")
        #expect(KubeletPodStatus.phase(spec: spec("Always"), containerStatuses: done, terminating: true) == "Succeeded")
        #expect(KubeletPodStatus.phase(spec: spec("Always"), containerStatuses: oneFailed, terminating: true) == "Failed")
    }

    @Test("readiness gates hold Ready back until their conditions are True")
    func readinessGates() {
        let spec = PodSpec(containers: [Container(name: "a")], readinessGates: [PodReadinessGate(conditionType: "example.com/lb")])
        var ready = status("a", running: true)
        ready.ready = true
        var conditions: [PodCondition] = []
        KubeletPodStatus.setConditions(&conditions, spec: spec, phase: "Running", sandboxReady: true,
                                       initContainerStatuses: [], containerStatuses: [ready], now: t0)
        #expect(conditions.first { $0.type == "ContainersReady" }?.status == "True")
        let gated = conditions.first { $0.type == "Ready" }
        #expect(gated?.status == "False")
        #expect(gated?.reason == "ReadinessGatesNotReady")
        #expect(gated?.message == "corresponding condition of pod readiness gate \"example.com/lb\" does not exist.")

        conditions.append(PodCondition(status: "True", type: "example.com/lb"))
        KubeletPodStatus.setConditions(&conditions, spec: spec, phase: "Running", sandboxReady: true,
                                       initContainerStatuses: [], containerStatuses: [ready], now: at(5))
        #expect(conditions.first { $0.type == "Ready" }?.status == "True")
        #expect(conditions.first { $0.type == "Ready" }?.lastTransitionTime == at(5))
        #expect(conditions.first { $0.type == "ContainersReady" }?.lastTransitionTime == t0)
    }

    @Test("annotations parse, and values that do not parse count as absent")
    func annotations() {
        let behavior = SimulatedPodBehavior(annotations: [
            SimulatedPodBehavior.runSecondsAnnotation: "2.5", SimulatedPodBehavior.exitCodeAnnotation: "7",
            SimulatedPodBehavior.readyAfterSecondsAnnotation: "3", SimulatedPodBehavior.neverReadyAnnotation: "true",
        ])
        #expect(behavior == SimulatedPodBehavior(runDuration: .milliseconds(2500), exitCode: 7, readyAfter: .seconds(3), neverReady: true))
        #expect(SimulatedPodBehavior(annotations: [SimulatedPodBehavior.runSecondsAnnotation: "soon"]) == SimulatedPodBehavior())
        #expect(SimulatedPodBehavior(annotations: nil) == SimulatedPodBehavior())
    }
}
