import BosunScheduler
import Testing

@Suite("Default plugins")
struct DefaultPluginTests {
    let state = CycleState()

    func info(_ node: Node, pods: [Pod] = []) -> NodeInfo { NodeInfo(node: node, pods: pods.map(PodInfo.init)) }

    @Test("PrioritySort orders by priority, then by queue timestamp")
    func prioritySort() {
        let sort = PrioritySort()
        let t0 = Time(secondsSinceEpoch: 100), t1 = Time(secondsSinceEpoch: 200)
        let high = QueuedPodInfo(PodInfo(makePod("high", priority: 10)), timestamp: t1)
        let low = QueuedPodInfo(PodInfo(makePod("low", priority: 1)), timestamp: t0)
        let lowLater = QueuedPodInfo(PodInfo(makePod("low2", priority: 1)), timestamp: t1)
        #expect(sort.less(high, low))
        #expect(!sort.less(low, high))
        #expect(sort.less(low, lowLater))
        #expect(!sort.less(lowLater, low))
    }

    @Test("NodeName rejects every node but the named one")
    func nodeName() {
        let plugin = NodeName()
        let pod = PodInfo(makePod("p", nodeName: "a"))
        #expect(plugin.filter(state, pod, info(makeNode("a"))).isSuccess)
        let status = plugin.filter(state, pod, info(makeNode("b")))
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) didn't match the requested node name"])
        #expect(plugin.filter(state, PodInfo(makePod("q")), info(makeNode("b"))).isSuccess)
    }

    @Test("NodeUnschedulable rejects cordoned nodes unless the pod tolerates the unschedulable taint")
    func nodeUnschedulable() {
        let plugin = NodeUnschedulable()
        let cordoned = info(makeNode("a", unschedulable: true))
        let status = plugin.filter(state, PodInfo(makePod("p")), cordoned)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) were unschedulable"])
        var tolerant = makePod("t")
        tolerant.spec.tolerations = [Toleration(effect: "NoSchedule", key: "node.kubernetes.io/unschedulable", operator: "Exists")]
        #expect(plugin.filter(state, PodInfo(tolerant), cordoned).isSuccess)
        #expect(plugin.filter(state, PodInfo(makePod("p")), info(makeNode("b"))).isSuccess)
    }

    @Test("NodeResourcesFit reports every insufficient resource and too many pods")
    func resourcesFilter() {
        let plugin = NodeResourcesFit()
        let node = info(makeNode("a", cpu: "2", memory: "1Gi", pods: 2, extended: ["example.com/gpu": Quantity(1)]),
                        pods: [makePod("x", cpu: "1500m", memory: "512Mi"), makePod("y")])
        let fits = PodInfo(makePod("fits", cpu: "500m", memory: "512Mi"))
        let status = plugin.filter(state, fits, node)
        #expect(status.code == .unschedulable)
        #expect(status.reasons == ["Too many pods"])

        let roomy = info(makeNode("b", cpu: "2", memory: "1Gi", extended: ["example.com/gpu": Quantity(1)]),
                         pods: [makePod("x", cpu: "1500m", memory: "512Mi")])
        #expect(plugin.filter(state, fits, roomy).isSuccess)
        let big = PodInfo(makePod("big", cpu: "501m", memory: "513Mi", extended: ["example.com/gpu": Quantity(2)]))
        #expect(plugin.filter(state, big, roomy).reasons == ["Insufficient cpu", "Insufficient memory", "Insufficient example.com/gpu"])
        // A pod that requests nothing fits wherever there is a pod slot.
        #expect(plugin.filter(state, PodInfo(makePod("empty")), roomy).isSuccess)
    }

    @Test("pod requests: containers summed, the largest init container, sidecars, overhead")
    func podRequests() {
        var pod = makePod("p", cpu: "100m", memory: "100Mi")
        pod.spec.containers.append(Container(name: "d", resources: ResourceRequirements(requests: ["cpu": "200m"])))
        pod.spec.initContainers = [
            Container(name: "i1", resources: ResourceRequirements(requests: ["cpu": "1", "memory": "50Mi"])),
            Container(name: "i2", resources: ResourceRequirements(requests: ["memory": "300Mi"])),
        ]
        pod.spec.overhead = ["cpu": "10m"]
        let info = PodInfo(pod)
        #expect(info.requests.milliCPU == 1010)
        #expect(info.requests.memory == 300 * 1024 * 1024)
        // Scoring defaults: the second container requests no memory, so it counts 200Mi.
        #expect(info.nonZeroRequests.memory == 300 * 1024 * 1024)

        var sidecar = makePod("s", cpu: "100m")
        var side = Container(name: "side", resources: ResourceRequirements(requests: ["cpu": "300m"]))
        side.restartPolicy = "Always"
        sidecar.spec.initContainers = [side,
                                       Container(name: "init", resources: ResourceRequirements(requests: ["cpu": "500m"]))]
        // Sidecars run beside the app (100m + 300m) and beside later init containers (300m + 500m).
        #expect(PodInfo(sidecar).requests.milliCPU == 800)
    }

    @Test("NodeResourcesFit scores LeastAllocated over cpu and memory")
    func resourcesScore() throws {
        let plugin = NodeResourcesFit()
        let pod = PodInfo(makePod("p", cpu: "1", memory: "1Gi"))
        let empty = info(makeNode("a", cpu: "4", memory: "4Gi"))
        let busy = info(makeNode("b", cpu: "4", memory: "4Gi"), pods: [makePod("x", cpu: "2", memory: "2Gi")])
        // cpu (4-1)/4 = 75, memory 75 → 75; busy: (4-3)/4 = 25 each → 25.
        #expect(try plugin.score(state, pod, empty) == 75)
        #expect(try plugin.score(state, pod, busy) == 25)
        // A pod without requests counts as 100m and 200Mi.
        let bare = PodInfo(makePod("bare"))
        let small = info(makeNode("c", cpu: "1", memory: "1000Mi"))
        #expect(try plugin.score(state, bare, small) == (90 + 80) / 2)
    }

    @Test("TaintToleration filters untolerated NoSchedule and NoExecute taints")
    func taintFilter() {
        let plugin = TaintToleration()
        let node = info(makeNode("a", taints: [
            Taint(effect: "PreferNoSchedule", key: "soft"),
            Taint(effect: "NoSchedule", key: "dedicated", value: "gpu"),
        ]))
        let status = plugin.filter(state, PodInfo(makePod("p")), node)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) had untolerated taint {dedicated: gpu}"])
        var tolerant = makePod("t")
        tolerant.spec.tolerations = [Toleration(effect: "NoSchedule", key: "dedicated", operator: "Equal", value: "gpu")]
        #expect(plugin.filter(state, PodInfo(tolerant), node).isSuccess)
        var wrongValue = makePod("w")
        wrongValue.spec.tolerations = [Toleration(key: "dedicated", value: "cpu")]
        #expect(!plugin.filter(state, PodInfo(wrongValue), node).isSuccess)
        var everything = makePod("e")
        everything.spec.tolerations = [Toleration(operator: "Exists")]
        #expect(plugin.filter(state, PodInfo(everything), info(makeNode("b", taints: [Taint(effect: "NoExecute", key: "x")]))).isSuccess)
    }

    @Test("TaintToleration prefers fewer untolerated PreferNoSchedule taints")
    func taintScore() throws {
        let plugin = TaintToleration()
        let pod = PodInfo(makePod("p"))
        let nodes = [
            info(makeNode("clean")),
            info(makeNode("one", taints: [Taint(effect: "PreferNoSchedule", key: "a")])),
            info(makeNode("two", taints: [Taint(effect: "PreferNoSchedule", key: "a"), Taint(effect: "PreferNoSchedule", key: "b")])),
        ]
        var scores = try nodes.map { node throws(PluginError) in try plugin.score(state, pod, node) }
        #expect(scores == [0, 1, 2])
        _ = plugin.normalizeScores(state, pod, nodes, &scores)
        #expect(scores == [100, 50, 0])
        var zero: [Int64] = [0, 0]
        defaultNormalizeScore(&zero, reverse: true)
        #expect(zero == [100, 100])
    }

    @Test("NodeAffinity filters by nodeSelector and required terms, and scores preferred terms")
    func nodeAffinity() throws {
        let plugin = NodeAffinityPlugin()
        let ssd = info(makeNode("a", labels: ["disk": "ssd", "zone": "z1"]))
        let hdd = info(makeNode("b", labels: ["disk": "hdd", "zone": "z2"]))
        var selected = makePod("s")
        selected.spec.nodeSelector = ["disk": "ssd"]
        #expect(plugin.filter(state, PodInfo(selected), ssd).isSuccess)
        let status = plugin.filter(state, PodInfo(selected), hdd)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) didn't match Pod's node affinity/selector"])

        var required = makePod("r")
        required.spec.affinity = Affinity(nodeAffinity: NodeAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
                NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "In", values: ["z9"])]),
                NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["b"])]),
            ])))
        #expect(!plugin.filter(state, PodInfo(required), ssd).isSuccess)
        #expect(plugin.filter(state, PodInfo(required), hdd).isSuccess)

        var preferring = makePod("p")
        preferring.spec.affinity = Affinity(nodeAffinity: NodeAffinity(
            preferredDuringSchedulingIgnoredDuringExecution: [
                PreferredSchedulingTerm(preference: NodeSelectorTerm(matchExpressions: [
                    NodeSelectorRequirement(key: "disk", operator: "In", values: ["ssd"])]), weight: 30),
                PreferredSchedulingTerm(preference: NodeSelectorTerm(matchExpressions: [
                    NodeSelectorRequirement(key: "zone", operator: "Exists")]), weight: 10),
            ]))
        let pod = PodInfo(preferring)
        var scores = [try plugin.score(state, pod, ssd), try plugin.score(state, pod, hdd)]
        #expect(scores == [40, 10])
        _ = plugin.normalizeScores(state, pod, [ssd, hdd], &scores)
        #expect(scores == [100, 25])
    }

    @Test("PodTopologySpread DoNotSchedule filters nodes whose domain would exceed maxSkew")
    func topologyFilter() throws {
        let nodes = [
            makeNode("a", labels: [zoneLabel: "z1"]), makeNode("b", labels: [zoneLabel: "z1"]),
            makeNode("c", labels: [zoneLabel: "z2"]), makeNode("nolabel"),
        ]
        let existing = [makePod("x1", labels: ["app": "web"]), makePod("x2", labels: ["app": "web"])]
        let infos = [info(nodes[0], pods: existing), info(nodes[1]), info(nodes[2]), info(nodes[3])]
        var pod = makePod("p", labels: ["app": "web"])
        pod.spec.topologySpreadConstraints = [TopologySpreadConstraint(
            maxSkew: 1, topologyKey: zoneLabel, whenUnsatisfiable: "DoNotSchedule",
            labelSelector: LabelSelector(matchLabels: ["app": "web"]))]
        let podInfo = PodInfo(pod)
        let plugin = PodTopologySpread()
        _ = plugin.preFilter(state, podInfo, NodeSnapshot(nodes: infos))
        // z1 has 2, z2 has 0: z1 would reach skew 3.
        #expect(plugin.filter(state, podInfo, infos[0]).reasons == ["node(s) didn't match pod topology spread constraints"])
        #expect(plugin.filter(state, podInfo, infos[1]).code == .unschedulable)
        #expect(plugin.filter(state, podInfo, infos[2]).isSuccess)
        let missing = plugin.filter(state, podInfo, infos[3])
        #expect(missing.code == .unschedulableAndUnresolvable)
        #expect(missing.reasons == ["node(s) didn't match pod topology spread constraints (missing required label)"])
        #expect(plugin.preFilter(CycleState(), PodInfo(makePod("free")), NodeSnapshot(nodes: infos)).status.isSkip)
    }

    @Test("PodTopologySpread ScheduleAnyway scores emptier hosts higher")
    func topologyScore() async throws {
        let harness = try Harness(nodes: [makeNode("a"), makeNode("b")], plugins: [PodTopologySpread()])
        harness.handle.cache.addPod(makePod("x1", labels: ["app": "web"], nodeName: "a"))
        harness.handle.cache.addPod(makePod("x2", labels: ["app": "web"], nodeName: "a"))
        var pod = makePod("p", labels: ["app": "web"])
        pod.spec.topologySpreadConstraints = [TopologySpreadConstraint(
            maxSkew: 1, topologyKey: hostnameLabel, whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: LabelSelector(matchLabels: ["app": "web"]))]
        #expect(harness.schedule(pod).nodeName == "b")
    }

    @Test("DefaultBinder binds through the injected closure and reports its errors")
    func binder() async {
        struct Refused: Error {}
        let log = BindLog()
        let ok = DefaultBinder { pod, node in log.record(pod, node) }
        #expect(await ok.bind(state, PodInfo(makePod("p")), nodeName: "a").isSuccess)
        #expect(log.all == ["p": "a"])
        let failing = DefaultBinder { _, _ in throw Refused() }
        #expect(await failing.bind(state, PodInfo(makePod("p")), nodeName: "a").code == .error)
    }

    @Test("the default profile spreads, honours taints and fills by LeastAllocated")
    func defaultProfile() async throws {
        let harness = try Harness(nodes: [
            makeNode("small", cpu: "2"), makeNode("big", cpu: "8"),
            makeNode("tainted", cpu: "16", taints: [Taint(effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane")]),
        ])
        #expect(try await harness.scheduleAndBind(makePod("p1", cpu: "1")).get() == "big")
        #expect(harness.binds.all == ["p1": "big"])
        #expect(harness.handle.cache.nodeInfo(named: "big")?.requested.milliCPU == 1000)
    }
}
