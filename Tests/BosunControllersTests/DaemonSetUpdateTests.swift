import BosunControllers
import BosunRuntime
import Testing

/// The DaemonSet controller against DS-8 and DS-11 … DS-16 (`k8s-workload-semantics.md` §5):
/// updates, status and history.
@Suite("DaemonSet: updates")
struct DaemonSetUpdateTests {
    private func count(_ hashes: [String: [String]], _ hash: String) -> Int {
        hashes.values.joined().filter { $0 == hash }.count
    }

    @Test("DS-12: without surge, available old pods are replaced maxUnavailable at a time; an unavailable old pod goes at once")
    func rollingWithoutSurge() async throws {
        let env = try await TestEnvironment.withDaemonSetController()
        let old = try await env.rollingDaemonSet(strategy: nil)
        let new = try await env.newestDaemonHash()
        // maxUnavailable 1 (the default): one old pod terminates.
        try await env.waitUntil("one old pod is deleted") { try await count(env.daemonHashes(), old) == 2 }
        try await env.waitForDaemonSet("the deletion was seen") { $0.updatedNumberScheduled == nil }
        #expect(try await count(env.daemonHashes(), old) == 2, "one at a time")

        // An old pod that is not available is replaced regardless of the budget.
        let oldPods = try await env.daemonPods().values.joined().filter { $0.metadata.labels?["controller-revision-hash"] == old }
        let unready = try #require(oldPods.first)
        try await env.setPodStatus(unready.name, phase: "Running", readySince: nil)
        try await env.waitUntil("the unready old pod is deleted too") { try await count(env.daemonHashes(), old) == 1 }

        try await env.finishDaemonDeletions()
        try await env.waitUntil("two new pods") { try await count(env.daemonHashes(), new) == 2 }
        try await env.runDaemonPods()
        try await env.waitUntil("the last old pod is deleted") { try await count(env.daemonHashes(), old) == 0 }
        try await env.finishDaemonDeletions()
        try await env.waitUntil("three new pods") { try await count(env.daemonHashes(), new) == 3 }
        try await env.runDaemonPods()
        try await env.waitForDaemonSet("rolled out") { $0.updatedNumberScheduled == 3 && $0.numberAvailable == 3 }
        await env.stop()
    }

    @Test("DS-11: maxUnavailable and maxSurge percentages round up")
    func percentagesRoundUp() async throws {
        let env = try await TestEnvironment.withDaemonSetController()
        // 30% of 4 is 1.2: two at a time.
        let old = try await env.rollingDaemonSet(nodes: 4, strategy: DaemonSetFixtures.rolling(maxUnavailable: .string("30%")))
        try await env.waitUntil("two old pods are deleted at once") { try await count(env.daemonHashes(), old) == 2 }
        try await env.waitForDaemonSet("seen") { _ in true }
        #expect(try await count(env.daemonHashes(), old) == 2)
        await env.stop()

        let env2 = try await TestEnvironment.withDaemonSetController()
        _ = try await env2.rollingDaemonSet(nodes: 4, strategy: DaemonSetFixtures.rolling(maxUnavailable: .int(0), maxSurge: .string("30%")))
        let new = try await env2.newestDaemonHash()
        try await env2.waitUntil("two new pods surge at once") { try await count(env2.daemonHashes(), new) == 2 }
        try await env2.waitForDaemonSet("seen") { _ in true }
        #expect(try await count(env2.daemonHashes(), new) == 2)
        #expect(try await env2.daemonPods().values.map(\.count).reduce(0, +) == 6, "the old pods stay beside them")
        await env2.stop()
    }

    @Test("DS-13/DS-8: with surge a new pod starts beside the old one, which goes once the new one is available")
    func rollingWithSurge() async throws {
        let env = try await TestEnvironment.withDaemonSetController()
        let old = try await env.rollingDaemonSet(nodes: 2, strategy: DaemonSetFixtures.rolling(maxUnavailable: .int(0), maxSurge: .int(1)))
        let new = try await env.newestDaemonHash()
        try await env.waitUntil("one node surges") { try await env.daemonHashes().values.contains { $0.count == 2 } }
        let surging = try #require(try await env.daemonHashes().first { $0.value.count == 2 }?.key)
        #expect(try await env.daemonHashes()[surging] == [new, old].sorted())

        try await env.runDaemonPods()
        try await env.waitUntil("the old pod beside the available new one is deleted") {
            try await env.daemonHashes()[surging] == [new]
        }
        // The other node surges next; its old pod going unready is deleted at once (DS-8).
        let other = surging == "n0" ? "n1" : "n0"
        try await env.waitUntil("the other node surges") { try await env.daemonHashes()[other]?.count == 2 }
        let oldPod = try #require(try await env.daemonPods()[other]?.first { $0.metadata.labels?["controller-revision-hash"] == old })
        try await env.setPodStatus(oldPod.name, phase: "Running", readySince: nil)
        try await env.waitUntil("the unready old pod is deleted") { try await env.daemonHashes()[other] == [new] }
        await env.stop()
    }

    @Test("DS-14: OnDelete replaces a pod only after it is deleted by hand")
    func onDelete() async throws {
        let env = try await TestEnvironment.withDaemonSetController()
        let old = try await env.rollingDaemonSet(strategy: DaemonSetUpdateStrategy(type: "OnDelete"))
        let new = try await env.newestDaemonHash()
        try await env.waitForDaemonSet("the new revision was seen") { $0.updatedNumberScheduled == nil }
        #expect(try await count(env.daemonHashes(), old) == 3)
        let victim = try #require(try await env.daemonPods()["n1"]?.first)
        try await env.api.delete(Pod.self, namespace: "default", name: victim.name)
        try await env.finishDaemonDeletions()
        try await env.waitUntil("n1 gets a new pod") { try await env.daemonHashes()["n1"] == [new] }
        #expect(try await count(env.daemonHashes(), old) == 2)
        await env.stop()
    }

    @Test("DS-15: status counts the oldest pod per eligible node; ineligible nodes' pods are misscheduled; availability waits minReadySeconds")
    func statusCounts() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in
            try await env.createNode("a")
            try await env.createNode("b")
        }
        _ = try await env.api.create(DaemonSetFixtures.fluentd(minReadySeconds: 10))
        try await env.waitForDaemonPods(on: ["a", "b"])
        try await env.runDaemonPods()
        try await env.waitForDaemonSet("ready, not yet available") {
            $0.desiredNumberScheduled == 2 && $0.currentNumberScheduled == 2 && $0.numberReady == 2 && $0.numberAvailable == nil
                && $0.numberUnavailable == 2 && $0.updatedNumberScheduled == 2 && $0.numberMisscheduled == 0
        }
        env.clock.advance(by: .seconds(11))
        try await env.waitForDaemonSet("available after minReadySeconds") { $0.numberAvailable == 2 && $0.numberUnavailable == nil }

        try await env.updateNode("b") { $0.spec.taints = [Taint(effect: "NoSchedule", key: "dedicated")] }
        try await env.waitForDaemonSet("b's pod is misscheduled") {
            $0.desiredNumberScheduled == 1 && $0.currentNumberScheduled == 1 && $0.numberMisscheduled == 1 && $0.numberReady == 1
        }
        await env.stop()
    }

    @Test("DS-16: revisions are <ds>-<hash>; cleanup never deletes a revision a live pod carries")
    func history() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in try await env.createNode("a") }
        let ds = try await env.api.create(DaemonSetFixtures.fluentd(strategy: DaemonSetUpdateStrategy(type: "OnDelete"), historyLimit: 0))
        try await env.waitForDaemonPods(on: ["a"])
        let first = try #require(try await env.api.listAll(ControllerRevision.self, namespace: "default").first)
        let hash = try #require(first.metadata.labels?["controller-revision-hash"])
        #expect(first.name == "fluentd-\(hash)" && first.revision == 1 && first.isControlled(by: ds))
        #expect(first.metadata.labels?["name"] == "fluentd-elasticsearch")

        for image in ["v2", "v3"] {
            try await env.updateDaemonSet { $0.spec.template.spec?.containers[0].image = "fluentd:\(image)" }
            try await env.waitUntil("revision for \(image)") {
                try await env.api.listAll(ControllerRevision.self, namespace: "default").contains {
                    ControllerHistory.template(in: $0)?.spec?.containers.first?.image == "fluentd:\(image)"
                }
            }
        }
        // Limit 0: v2's revision goes; the first stays, its hash on the running pod.
        try await env.waitUntil("v2's revision is deleted") { try await env.api.listAll(ControllerRevision.self, namespace: "default").count == 2 }
        let names = try await env.api.listAll(ControllerRevision.self, namespace: "default").map(\.name)
        #expect(names.contains(first.name))
        await env.stop()
    }
}
