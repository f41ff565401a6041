import BosunNodes
import Testing

@Suite("Simulated pods")
struct SimulatedPodTests {
    typealias Behavior = SimulatedPodBehavior

    @Test("a pod bound to a simulated node goes Running and Ready with the kubelet's conditions and container statuses")
    func runningAndReady() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        let created = try await cluster.pod("web")
        try await cluster.pod("web-2")
        let pod = try await cluster.waitForPod("web", "the pod is Ready") { $0.condition("Ready")?.status == "True" }

        #expect(pod.status.phase == "Running")
        #expect(pod.status.startTime == cluster.start)
        for type in ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"] {
            let condition = try #require(pod.condition(type), "\(type)")
            #expect(condition.status == "True", "\(type)")
            #expect(condition.lastTransitionTime == cluster.start, "\(type)")
        }
        let app = try #require(pod.app)
        #expect(app.name == "app")
        #expect(app.ready)
        #expect(app.started == true)
        #expect(app.restartCount == 0)
        #expect(app.image == "registry.example/app:1")
        #expect(app.imageID == "sim://image/registry.example/app:1")
        #expect(app.containerID == "sim://\(created.metadata.uid ?? "")/app/0")
        #expect(app.state?.running?.startedAt == cluster.start)
        #expect(app.lastState == nil)

        // The node's addresses come with its first status report, from the heartbeat controller,
        // which may post it after the pod sync has already used the address it knows.
        try await cluster.waitForReadyNode("n1")
        let node = try #require(try await cluster.getNode("n1"))
        #expect(pod.status.hostIP == node.status.addresses?.first { $0.type == "InternalIP" }?.address)
        #expect(pod.status.hostIPs == [HostIP(ip: pod.status.hostIP ?? "")])
        let podIP = try #require(pod.status.podIP)
        #expect(podIP.hasPrefix("10."))
        #expect(pod.status.podIPs == [PodIP(ip: podIP)])
        let other = try await cluster.waitForPod("web-2", "the second pod runs") { $0.status.podIP != nil }
        #expect(other.status.podIP != podIP)
        await cluster.stop()
    }

    @Test("a pod bound after it was created (spec.nodeName set by a binding) starts too")
    func boundLater() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        _ = try await cluster.env.api.create(Pod(
            metadata: ObjectMeta(name: "late", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "app", image: "app:1")])))
        _ = try await cluster.env.api.bind(
            Binding(metadata: ObjectMeta(name: "late", namespace: "default"), target: ObjectReference(kind: "Node", name: "n1")),
            namespace: "default", options: WriteOptions())
        try await cluster.waitForPod("late", "the bound pod is Ready") { $0.condition("Ready")?.status == "True" }
        await cluster.stop()
    }

    @Test("init containers complete at once, before the containers start")
    func initContainers() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.pod("init", initContainers: [Container(name: "setup", image: "setup:1")])
        let pod = try await cluster.waitForPod("init", "the pod runs") { $0.status.phase == "Running" }
        let setup = try #require(pod.status.initContainerStatuses?.first)
        #expect(setup.name == "setup")
        #expect(setup.state?.terminated?.exitCode == 0)
        #expect(setup.state?.terminated?.reason == "Completed")
        #expect(setup.ready)
        #expect(pod.condition("Initialized")?.status == "True")
        #expect(pod.condition("Ready")?.status == "True")
        await cluster.stop()
    }

    @Test("restartPolicy Never: containers that exit 0 make the pod Succeeded, a non-zero exit Failed")
    func neverPolicy() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.pod("ok", annotations: [Behavior.runSecondsAnnotation: "30"], restartPolicy: "Never")
        try await cluster.pod("bad", annotations: [Behavior.runSecondsAnnotation: "30", Behavior.exitCodeAnnotation: "3"],
                              restartPolicy: "Never")
        try await cluster.waitForPod("ok", "the pod runs") { $0.status.phase == "Running" }
        try await cluster.waitForPod("bad", "the pod runs") { $0.status.phase == "Running" }

        let ok = try await cluster.advance(untilPod: "ok", "the pod succeeds") { $0.status.phase == "Succeeded" }
        #expect(ok.app?.state?.terminated?.exitCode == 0)
        #expect(ok.app?.state?.terminated?.reason == "Completed")
        #expect(ok.app?.state?.terminated?.startedAt == cluster.start)
        #expect(ok.app?.state?.terminated?.finishedAt == cluster.at(30))
        #expect(ok.app?.ready == false)
        #expect(ok.condition("Ready")?.status == "False")
        #expect(ok.condition("Ready")?.reason == "PodCompleted")
        #expect(ok.condition("ContainersReady")?.reason == "PodCompleted")
        #expect(ok.condition("Initialized")?.status == "True")
        #expect(ok.condition("PodReadyToStartContainers")?.status == "False")

        let bad = try await cluster.waitForPod("bad", "the pod fails") { $0.status.phase == "Failed" }
        #expect(bad.app?.state?.terminated?.exitCode == 3)
        #expect(bad.app?.state?.terminated?.reason == "Error")
        #expect(bad.app?.restartCount == 0)
        #expect(bad.condition("Ready")?.reason == "PodFailed")
        await cluster.stop()
    }

    @Test("restartPolicy OnFailure: a zero exit ends the pod Succeeded, a non-zero one restarts the container")
    func onFailurePolicy() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.pod("ok", annotations: [Behavior.runSecondsAnnotation: "5"], restartPolicy: "OnFailure")
        try await cluster.pod("bad", annotations: [Behavior.runSecondsAnnotation: "5", Behavior.exitCodeAnnotation: "1"],
                              restartPolicy: "OnFailure")
        try await cluster.waitForPod("bad", "the pod runs") { $0.status.phase == "Running" }
        try await cluster.waitForPod("ok", "the pod runs") { $0.status.phase == "Running" }

        try await cluster.advance(untilPod: "ok", "the pod succeeds") { $0.status.phase == "Succeeded" }
        let bad = try await cluster.advance(untilPod: "bad", "the container restarted") { $0.app?.restartCount == 1 }
        #expect(bad.status.phase == "Running")
        #expect(bad.app?.state?.running?.startedAt == cluster.at(5))
        #expect(bad.app?.lastState?.terminated?.exitCode == 1)

        let waiting = try await cluster.advance(untilPod: "bad", "the container backs off") { $0.app?.state?.waiting != nil }
        #expect(waiting.app?.state?.waiting?.reason == "CrashLoopBackOff")
        #expect(waiting.status.phase == "Running")
        #expect(waiting.app?.lastState?.terminated?.finishedAt == cluster.at(10))
        let again = try await cluster.advance(untilPod: "bad", "the container restarted again") { $0.app?.restartCount == 2 }
        #expect(again.app?.state?.running?.startedAt == cluster.at(20))
        await cluster.stop()
    }

    @Test("restartPolicy Always: a crashing container restarts at once, then after CrashLoopBackOff delays of 10, 20, 40 s")
    func crashLoopBackOff() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        let created = try await cluster.pod("crash", annotations: [Behavior.runSecondsAnnotation: "5", Behavior.exitCodeAnnotation: "2"])
        try await cluster.waitForPod("crash", "the pod runs") { $0.status.phase == "Running" }
        let uid = created.metadata.uid ?? ""

        // First exit at 5 s: restarted at once.
        var pod = try await cluster.advance(untilPod: "crash", "the first restart") { $0.app?.restartCount == 1 }
        #expect(pod.app?.state?.running?.startedAt == cluster.at(5))
        #expect(pod.app?.containerID == "sim://\(uid)/app/1")

        // Each later exit waits out the backoff, which doubles: exit, wait, restart.
        let cycles: [(exit: Int64, delay: Int64, message: String)] = [(10, 10, "10s"), (25, 20, "20s"), (50, 40, "40s")]
        for (index, cycle) in cycles.enumerated() {
            pod = try await cluster.advance(untilPod: "crash", "back-off after the exit at \(cycle.exit) s") {
                $0.app?.state?.waiting?.reason == "CrashLoopBackOff"
            }
            let app = try #require(pod.app)
            #expect(app.state?.waiting?.message == "back-off \(cycle.message) restarting failed container=app pod=crash_default(\(uid))")
            #expect(app.lastState?.terminated?.exitCode == 2)
            #expect(app.lastState?.terminated?.reason == "Error")
            #expect(app.lastState?.terminated?.finishedAt == cluster.at(cycle.exit))
            #expect(app.ready == false)
            #expect(pod.status.phase == "Running")
            #expect(pod.condition("Ready")?.status == "False")
            #expect(pod.condition("Ready")?.reason == "ContainersNotReady")

            pod = try await cluster.advance(untilPod: "crash", "the restart after \(cycle.delay) s") {
                $0.app?.restartCount == Int32(index + 2)
            }
            #expect(pod.app?.state?.running?.startedAt == cluster.at(cycle.exit + cycle.delay))
            #expect(pod.condition("Ready")?.status == "True")
        }
        await cluster.stop()
    }

    @Test("ready-after-seconds delays readiness; never-ready keeps the pod unready")
    func readiness() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.pod("slow", annotations: [Behavior.readyAfterSecondsAnnotation: "30"])
        try await cluster.pod("never", annotations: [Behavior.neverReadyAnnotation: "true"])
        let slow = try await cluster.waitForPod("slow", "the pod runs") { $0.status.phase == "Running" }
        #expect(slow.app?.ready == false)
        #expect(slow.app?.started == true)
        #expect(slow.condition("ContainersReady")?.status == "False")
        #expect(slow.condition("Ready")?.message == "containers with unready status: [app]")

        let ready = try await cluster.advance(untilPod: "slow", "the pod turns ready") { $0.condition("Ready")?.status == "True" }
        #expect(ready.app?.ready == true)
        #expect(ready.app?.state?.running?.startedAt == cluster.start)
        let turned = try #require(ready.condition("Ready")?.lastTransitionTime)
        #expect(turned >= cluster.at(30) && turned <= cluster.at(31))
        #expect(ready.condition("Initialized")?.lastTransitionTime == cluster.start)

        let never = try #require(try await cluster.getPod("never"))
        #expect(never.status.phase == "Running")
        #expect(never.app?.ready == false)
        #expect(never.condition("Ready")?.status == "False")
        #expect(never.condition("Ready")?.reason == "ContainersNotReady")
        await cluster.stop()
    }

    @Test("a deleted pod's containers stop and the pod is removed")
    func gracefulDeletion() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.pod("web")
        try await cluster.waitForPod("web", "the pod is Ready") { $0.condition("Ready")?.status == "True" }

        let result = try await cluster.env.api.delete(Pod.self, namespace: "default", name: "web")
        guard case .pending(let terminating) = result else {
            Issue.record("a running pod is deleted gracefully")
            return
        }
        #expect(terminating.metadata.deletionTimestamp != nil)
        try await cluster.env.waitUntil("the pod is gone") { try await cluster.getPod("web") == nil }

        // The name can be used again at once, and the new pod runs.
        try await cluster.pod("web")
        try await cluster.waitForPod("web", "the new pod is Ready") { $0.condition("Ready")?.status == "True" }
        await cluster.stop()
    }
}
