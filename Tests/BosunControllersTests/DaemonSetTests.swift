import BosunControllers
import BosunRuntime
import Testing

/// The DaemonSet controller against DS-1 … DS-10 of the workload checklist
/// (`k8s-workload-semantics.md` §5): placement and repair.
@Suite("DaemonSet")
struct DaemonSetTests {
    private func taint(_ key: String, _ effect: String) -> Taint { Taint(effect: effect, key: key) }

    @Test("DS-1: a pod goes to each node matching nodeSelector and required affinity whose taints are tolerated")
    func placement() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in
            try await env.createNode("a", labels: ["disk": "ssd"])
            try await env.createNode("b", labels: ["disk": "hdd"])
            try await env.createNode("c", labels: ["disk": "ssd"], taints: [Taint(effect: "NoSchedule", key: "dedicated", value: "db")])
            try await env.createNode("d", labels: ["disk": "ssd"], taints: [Taint(effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane")])
            try await env.createNode("e", labels: ["disk": "ssd", "zone": "z2"])
        }
        var ds = DaemonSetFixtures.fluentd(nodeSelector: ["disk": "ssd"])
        ds.spec.template.spec?.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(
            nodeSelectorTerms: [NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "NotIn", values: ["z2"])])])))
        _ = try await env.api.create(ds)
        // b: wrong label; c: untolerated NoSchedule; e: affinity; d: its taint is tolerated.
        try await env.waitForDaemonPods(on: ["a", "d"])
        try await env.waitForDaemonSet("status counted") { $0.desiredNumberScheduled == 2 && $0.currentNumberScheduled == 2 }
        await env.stop()
    }

    @Test("DS-1: a template nodeName limits the set to that node")
    func templateNodeName() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in
            try await env.createNode("a")
            try await env.createNode("b")
        }
        var ds = DaemonSetFixtures.fluentd()
        ds.spec.template.spec?.nodeName = "b"
        _ = try await env.api.create(ds)
        try await env.waitForDaemonPods(on: ["b"])
        await env.stop()
    }

    @Test("DS-2: a new NoSchedule taint keeps the pod (misscheduled); a NoExecute taint deletes it")
    func noScheduleVersusNoExecute() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in try await env.createNode("a") }
        _ = try await env.api.create(DaemonSetFixtures.fluentd())
        try await env.waitForDaemonPods(on: ["a"])
        try await env.updateNode("a") { $0.spec.taints = [Taint(effect: "NoSchedule", key: "dedicated")] }
        try await env.waitForDaemonSet("the pod counts as misscheduled") { $0.numberMisscheduled == 1 && $0.desiredNumberScheduled == 0 }
        #expect(try await env.daemonPods()["a"]?.count == 1, "the pod stays")

        try await env.updateNode("a") { $0.spec.taints = [Taint(effect: "NoExecute", key: "dedicated")] }
        try await env.waitUntil("the pod is deleted") { try await env.daemonPods().isEmpty }
        await env.stop()
    }

    @Test("DS-3: daemon pods tolerate not-ready/unreachable forever, pressure and unschedulable, network-unavailable with hostNetwork")
    func automaticTolerations() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in
            try await env.createNode("cordoned", taints: [Taint(effect: "NoSchedule", key: "node.kubernetes.io/unschedulable")], unschedulable: true)
            try await env.createNode("pressured", taints: [
                Taint(effect: "NoSchedule", key: "node.kubernetes.io/memory-pressure"), Taint(effect: "NoSchedule", key: "node.kubernetes.io/disk-pressure"),
                Taint(effect: "NoSchedule", key: "node.kubernetes.io/pid-pressure"),
            ])
            try await env.createNode("notready", taints: [Taint(effect: "NoExecute", key: "node.kubernetes.io/not-ready")])
            try await env.createNode("nonet", taints: [Taint(effect: "NoSchedule", key: "node.kubernetes.io/network-unavailable")])
        }
        _ = try await env.api.create(DaemonSetFixtures.fluentd())
        _ = try await env.api.create(DaemonSetFixtures.fluentd("hostnet", hostNetwork: true).withSelector(["name": "hostnet"]))
        try await env.waitForDaemonPods(on: ["cordoned", "pressured", "notready"])
        try await env.waitForDaemonPods(on: ["cordoned", "pressured", "notready", "nonet"], "hostnet")

        let pod = try #require(try await env.daemonPods()["notready"]?.first)
        let tolerations = pod.spec.tolerations ?? []
        for key in ["not-ready", "unreachable"] {
            let toleration = try #require(tolerations.first { $0.key == "node.kubernetes.io/\(key)" })
            #expect(toleration.effect == "NoExecute" && toleration.operator == "Exists" && toleration.tolerationSeconds == nil)
        }
        for key in ["disk-pressure", "memory-pressure", "pid-pressure", "unschedulable"] {
            #expect(tolerations.contains { $0.key == "node.kubernetes.io/\(key)" && $0.effect == "NoSchedule" && $0.operator == "Exists" })
        }
        #expect(!tolerations.contains { $0.key == "node.kubernetes.io/network-unavailable" })
        let hostnet = try #require(try await env.daemonPods("hostnet")["nonet"]?.first)
        #expect(hostnet.spec.tolerations?.contains { $0.key == "node.kubernetes.io/network-unavailable" && $0.effect == "NoSchedule" } == true)
        await env.stop()
    }

    @Test("DS-4: pods are pinned by required affinity metadata.name In [node] (other required terms replaced) and carry the revision hash")
    func pinnedByAffinity() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in try await env.createNode("a", labels: ["zone": "z1"]) }
        var ds = DaemonSetFixtures.fluentd()
        let preferred = [PreferredSchedulingTerm(
            preference: NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "fast", operator: "Exists")]), weight: 10)]
        ds.spec.template.spec?.affinity = Affinity(nodeAffinity: NodeAffinity(
            preferredDuringSchedulingIgnoredDuringExecution: preferred,
            requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
                NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "In", values: ["z1"])])])))
        _ = try await env.api.create(ds)
        try await env.waitForDaemonPods(on: ["a"])
        let pod = try #require(try await env.daemonPods()["a"]?.first)
        #expect(pod.spec.nodeName == nil, "the scheduler binds it")
        let required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
        #expect(required == [NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["a"])])])
        #expect(pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution == preferred)
        let revision = try #require(try await env.api.listAll(ControllerRevision.self, namespace: "default").first)
        #expect(pod.metadata.labels?["controller-revision-hash"] == revision.metadata.labels?["controller-revision-hash"])
        #expect(pod.metadata.generateName == "fluentd-")
        await env.stop()
    }

    @Test("DS-5: a new eligible node gets a pod; a node that stops matching loses it")
    func nodesComeAndGo() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in try await env.createNode("a", labels: ["logging": "on"]) }
        _ = try await env.api.create(DaemonSetFixtures.fluentd(nodeSelector: ["logging": "on"]))
        try await env.waitForDaemonPods(on: ["a"])
        try await env.createNode("b", labels: ["logging": "on"])
        try await env.waitForDaemonPods(on: ["a", "b"])
        try await env.updateNode("a") { $0.metadata.labels = ["logging": "off"] }
        try await env.waitForDaemonPods(on: ["b"])
        let events = try await env.events(about: "DaemonSet", named: "fluentd")
        #expect(events.contains { $0.reason == "SuccessfulCreate" && $0.message?.hasPrefix("Created pod: fluentd-") == true })
        await env.stop()
    }

    @Test("DS-6: a Failed pod is deleted (FailedDaemonPod) and replaced, with a per-node backoff; a Succeeded one too")
    func failedPodBackoff() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in try await env.createNode("a") }
        _ = try await env.api.create(DaemonSetFixtures.fluentd())
        try await env.waitForDaemonPods(on: ["a"])
        let first = try #require(try await env.daemonPods()["a"]?.first)
        try await env.setPodStatus(first.name, phase: "Failed")
        try await env.waitUntil("a replacement exists") { try await env.daemonPods()["a"]?.first.map { $0.name != first.name } ?? false }
        let failed = try #require(try await env.events(about: "DaemonSet", named: "fluentd").first { $0.reason == "FailedDaemonPod" })
        #expect(failed.type == "Warning")
        #expect(failed.message == "Found failed daemon pod default/\(first.name) on node a, will try to kill it")

        // Failing again at once: held back until the 1 s backoff has passed.
        let second = try #require(try await env.daemonPods()["a"]?.first)
        try await env.setPodStatus(second.name, phase: "Failed")
        try await env.waitForDaemonSet("the failed pod was seen") { $0.currentNumberScheduled == 1 && $0.numberReady == 0 }
        #expect(try await env.pod(second.name) != nil, "within the backoff the failed pod stays")
        env.clock.advance(by: .seconds(1))
        try await env.waitUntil("the second failed pod is replaced") {
            try await env.daemonPods()["a"]?.first.map { $0.name != second.name } ?? false
        }

        let third = try #require(try await env.daemonPods()["a"]?.first)
        try await env.setPodStatus(third.name, phase: "Succeeded")
        try await env.waitUntil("the succeeded pod is replaced") { try await env.pod(third.name) == nil }
        #expect(try await env.events(about: "DaemonSet", named: "fluentd").contains { $0.reason == "SucceededDaemonPod" && $0.type == "Normal" })
        await env.stop()
    }

    @Test("DS-7: without surge a node keeps only its oldest pod, scheduled pods first")
    func extraPodsDeleted() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in
            try await env.createNode("a")
            // An orphan the set adopts, already on node a and older than any pod the set makes.
            _ = try await env.api.create(Pod(
                metadata: ObjectMeta(labels: ["name": "fluentd-elasticsearch"], name: "old-orphan", namespace: "default"),
                spec: PodSpec(containers: [Container(name: "c", image: "fluentd")], nodeName: "a")))
            env.clock.advance(by: .seconds(10))
            _ = try await env.api.create(Pod(
                metadata: ObjectMeta(labels: ["name": "fluentd-elasticsearch"], name: "new-orphan", namespace: "default"),
                spec: PodSpec(containers: [Container(name: "c", image: "fluentd")], nodeName: "a")))
        }
        _ = try await env.api.create(DaemonSetFixtures.fluentd())
        try await env.waitUntil("only the oldest is left") {
            try await env.daemonPods()["a"]?.map(\.name) == ["old-orphan"]
        }
        await env.stop()
    }

    @Test("DS-9: an unscheduled pod pinned to a node that no longer exists is deleted")
    func podsOfVanishedNodes() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in
            try await env.createNode("a")
            try await env.createNode("b")
        }
        _ = try await env.api.create(DaemonSetFixtures.fluentd())
        try await env.waitForDaemonPods(on: ["a", "b"])
        try await env.api.delete(Node.self, namespace: nil, name: "b")
        try await env.waitForDaemonPods(on: ["a"])
        await env.stop()
    }

    @Test("DS-10: a DaemonSet being deleted is left alone, status included")
    func deletingSetIsLeftAlone() async throws {
        let env = try await TestEnvironment.withDaemonSetController { env in try await env.createNode("a") }
        var ds = DaemonSetFixtures.fluentd()
        ds.metadata.finalizers = ["example.com/hold"]
        _ = try await env.api.create(ds)
        try await env.waitForDaemonSet("one pod") { $0.currentNumberScheduled == 1 }
        try await env.api.delete(DaemonSet.self, namespace: "default", name: "fluentd")
        let sets = env.manager.informer(for: DaemonSet.self)
        defer { sets.release() }
        try await env.waitUntil("the controller's cache shows the deletion") {
            sets.informer.get(namespace: "default", name: "fluentd")?.metadata.deletionTimestamp != nil
        }
        try await env.createNode("b")
        let pod = try #require(try await env.daemonPods()["a"]?.first)
        try await env.api.delete(Pod.self, namespace: "default", name: pod.name)
        // Another set, created after, proves the controller has processed what came before.
        _ = try await env.api.create(DaemonSetFixtures.fluentd("witness").withSelector(["name": "witness"]))
        try await env.waitForDaemonPods(on: ["a", "b"], "witness")
        #expect(try await env.daemonPods().isEmpty, "nothing is recreated")
        #expect(try await env.daemonSet().status.currentNumberScheduled == 1, "nor is the status written")
        await env.stop()
    }
}

extension DaemonSet {
    /// The set with another selector and matching template labels, so several sets can share a
    /// namespace.
    func withSelector(_ labels: [String: String]) -> DaemonSet {
        var copy = self
        copy.spec.selector = LabelSelector(matchLabels: labels)
        copy.spec.template.metadata?.labels = labels
        return copy
    }
}
