import BosunNodes
import Testing

@Suite("Simulated nodes")
struct SimulatedNodeTests {
    @Test("a labelled node becomes Ready with the kubelet's status and gets a Lease that is renewed every 10 s")
    func readyAndLease() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1", status: NodeStatus(capacity: ["cpu": "4"]))
        try await cluster.waitForReadyNode("n1")

        let node = try #require(try await cluster.getNode("n1"))
        let ready = try #require(node.status.conditions?.first { $0.type == "Ready" })
        #expect(ready.reason == "KubeletReady")
        #expect(ready.lastHeartbeatTime == cluster.start)
        #expect(ready.lastTransitionTime == cluster.start)
        for (type, reason) in [("MemoryPressure", "KubeletHasSufficientMemory"), ("DiskPressure", "KubeletHasNoDiskPressure"),
                               ("PIDPressure", "KubeletHasSufficientPID")] {
            let condition = try #require(node.status.conditions?.first { $0.type == type })
            #expect(condition.status == "False")
            #expect(condition.reason == reason)
        }
        // What the Node sets wins; the rest comes from the defaults.
        #expect(node.status.capacity?["cpu"] == "4")
        #expect(node.status.capacity?["memory"] == "256Gi")
        #expect(node.status.capacity?["pods"] == "110")
        #expect(node.status.allocatable == node.status.capacity)
        #expect(node.status.nodeInfo?.kubeletVersion == "v1.32.0-bosun-sim")
        #expect(node.status.nodeInfo?.operatingSystem == "linux")
        let internalIP = try #require(node.status.addresses?.first { $0.type == "InternalIP" }?.address)
        #expect(internalIP.hasPrefix("172."))
        #expect(node.status.addresses?.contains(NodeAddress(address: "n1", type: "Hostname")) == true)

        try await cluster.env.waitUntil("the lease exists") { try await cluster.lease("n1") != nil }
        let lease = try #require(try await cluster.lease("n1"))
        #expect(lease.spec.holderIdentity == "n1")
        #expect(lease.spec.leaseDurationSeconds == 40)
        #expect(lease.spec.renewTime == MicroTime(cluster.start))
        #expect(lease.metadata.ownerReferences?.first?.uid == node.metadata.uid)

        var renewed = cluster.start
        for _ in 1...3 {
            let previous = renewed
            try await cluster.advance(until: "the lease is renewed after \(previous)") {
                try await cluster.lease("n1")?.spec.renewTime.map { Time($0) > previous } ?? false
            }
            renewed = try #require(try await cluster.lease("n1")?.spec.renewTime.map { Time($0) })
            let interval = previous.duration(to: renewed)
            #expect(interval >= .seconds(10) && interval <= .seconds(11), "renewed \(interval) after the last renewal")
        }
        // Unchanged status is not posted again before the report interval.
        #expect(try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime == cluster.start)
        await cluster.stop()
    }

    @Test("an unchanged status is posted every report interval, moving the heartbeat but not the transition")
    func statusReport() async throws {
        let cluster = try await SimulatedCluster.start(options: SimulatedNodesOptions(statusReportInterval: .seconds(60)))
        try await cluster.node("n1")
        try await cluster.waitForReadyNode("n1")
        @Sendable func heartbeat() async throws -> Time? {
            try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime
        }
        // Lease renewals come and go; the status is not posted again before the interval.
        try await cluster.advance(until: "the lease is renewed at 50 s") {
            try await cluster.lease("n1")?.spec.renewTime.map { Time($0) >= cluster.at(50) } ?? false
        }
        #expect(try await heartbeat() == cluster.start)
        try await cluster.advance(until: "the status is reported again") { try await heartbeat() != cluster.start }
        let reported = try #require(try await heartbeat())
        #expect(reported >= cluster.at(60) && reported <= cluster.at(61))
        let ready = try #require(try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" })
        #expect(ready.lastTransitionTime == cluster.start)
        await cluster.stop()
    }

    @Test("a node without the label is left alone, and so are its pods")
    func unlabelledNodeIgnored() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("other", labelled: false)
        try await cluster.pod("elsewhere", on: "other")
        try await cluster.node("n1")
        try await cluster.pod("here", on: "n1")
        try await cluster.waitForReadyNode("n1")
        try await cluster.waitForPod("here", "the simulated node's pod runs") { $0.status.phase == "Running" }
        try await cluster.env.waitUntil("n1's lease exists") { try await cluster.lease("n1") != nil }

        #expect(try await cluster.getNode("other")?.status.conditions == nil)
        #expect(try await cluster.lease("other") == nil)
        let pod = try #require(try await cluster.getPod("elsewhere"))
        #expect(pod.status.containerStatuses == nil)
        #expect(pod.status.phase != "Running")
        await cluster.stop()
    }

    @Test("heartbeats have workers of their own: a pod sync stuck in a write does not delay the lease renewal")
    func heartbeatsApartFromPodSyncs() async throws {
        // One worker each: in a shared queue the stuck pod sync would hold the only worker.
        let cluster = try await SimulatedCluster.start(options: SimulatedNodesOptions(concurrency: 1))
        try await cluster.node("n1")
        try await cluster.waitForReadyNode("n1")
        try await cluster.env.waitUntil("the lease exists") { try await cluster.lease("n1") != nil }
        let held = HeldPodStatusWrites()
        try cluster.env.store.register(validating: held)
        try await cluster.pod("stuck")
        try await cluster.env.waitUntil("the pod sync is stuck in its status write") { held.gate.waiting > 0 }

        try await cluster.advance(until: "the lease is renewed while the pod sync is stuck") {
            try await cluster.lease("n1")?.spec.renewTime.map { Time($0) >= cluster.at(10) } ?? false
        }
        #expect(held.gate.waiting == 1)
        held.gate.open()
        try await cluster.waitForPod("stuck", "the pod runs once its write goes through") { $0.status.phase == "Running" }
        await cluster.stop()
    }

    @Test("stopping a node stops its lease renewals and freezes its pods; restarting resumes both")
    func stopAndRestart() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.waitForReadyNode("n1")
        try await cluster.pod("job", annotations: [SimulatedPodBehavior.runSecondsAnnotation: "25"], restartPolicy: "Never")
        try await cluster.waitForPod("job", "the pod runs") { $0.status.phase == "Running" }
        try await cluster.env.waitUntil("the lease exists") { try await cluster.lease("n1") != nil }

        cluster.runtime.stop(node: "n1")
        #expect(cluster.runtime.mode(of: "n1") == .stopped)
        cluster.advance(to: 65)
        try await cluster.env.waitUntil("the timers due by 65 s have run") {
            cluster.env.clock.nextDeadline.map { $0 > cluster.at(65) } ?? false
        }
        #expect(try await cluster.lease("n1")?.spec.renewTime == MicroTime(cluster.start))
        // The container exited at 25 s, but a silent node reports nothing.
        #expect(try await cluster.getPod("job")?.status.phase == "Running")

        cluster.runtime.restart(node: "n1")
        #expect(cluster.runtime.mode(of: "n1") == .running)
        try await cluster.advance(until: "the lease is renewed again") {
            try await cluster.lease("n1")?.spec.renewTime.map { Time($0) > cluster.start } ?? false
        }
        #expect(cluster.elapsed <= 76)
        try await cluster.advance(until: "the restarted kubelet posts its status") {
            try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime != cluster.start
        }
        let pod = try await cluster.advance(untilPod: "job", "the pod reports its exit", limit: 20) { $0.status.phase == "Succeeded" }
        #expect(pod.app?.state?.terminated?.finishedAt == cluster.at(25))
        await cluster.stop()
    }

    @Test("a failed node keeps renewing its lease but reports Ready=False; restarting makes it Ready again")
    func failAndRestart() async throws {
        let cluster = try await SimulatedCluster.start()
        try await cluster.node("n1")
        try await cluster.waitForReadyNode("n1")

        cluster.runtime.fail(node: "n1", message: "runtime down")
        try await cluster.advance(until: "the node reports NotReady") {
            try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" }?.status == "False"
        }
        let ready = try #require(try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" })
        #expect(ready.reason == "KubeletNotReady")
        #expect(ready.message == "runtime down")
        // It takes effect at the kubelet's next look: at once here, as the node's own status
        // write had it queued already; within one heartbeat at most.
        let failedAt = try #require(ready.lastTransitionTime)
        #expect(failedAt <= cluster.at(11))
        try await cluster.advance(until: "the lease is renewed while the node is NotReady") {
            try await cluster.lease("n1")?.spec.renewTime.map { Time($0) >= cluster.at(20) } ?? false
        }
        #expect(try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" }?.status == "False")

        cluster.runtime.restart(node: "n1")
        try await cluster.advance(until: "the node is Ready again") {
            try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" }?.status == "True"
        }
        let back = try #require(try await cluster.getNode("n1")?.status.conditions?.first { $0.type == "Ready" })
        #expect(back.reason == "KubeletReady")
        #expect(back.lastTransitionTime.map { $0 >= cluster.at(20) } == true)
        await cluster.stop()
    }
}

/// Holds every pod status write in admission until the gate opens.
private struct HeldPodStatusWrites: ValidatingAdmissionHook {
    let name = "hold-pod-status-writes"
    let gate = TestGate()

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.resource.resource == "pods" && request.subresource == "status"
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        await gate.wait()
    }
}
