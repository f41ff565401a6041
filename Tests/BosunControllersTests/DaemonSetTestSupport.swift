import BosunControllers
import BosunRuntime
import Testing

/// Objects and steps the DaemonSet tests share. Nodes have no kubelet: the tests bind pods and
/// write their status, as the scheduler and a kubelet would.
enum DaemonSetFixtures {
    /// The docs' fluentd-elasticsearch DaemonSet (in `default`), with its control-plane
    /// tolerations.
    static func fluentd(
        _ name: String = "fluentd", strategy: DaemonSetUpdateStrategy? = nil, nodeSelector: [String: String]? = nil,
        hostNetwork: Bool? = nil, minReadySeconds: Int32? = nil, historyLimit: Int32? = nil, image: String = "quay.io/fluentd_elasticsearch/fluentd:v5.0.1"
    ) -> DaemonSet {
        DaemonSet(
            metadata: ObjectMeta(labels: ["k8s-app": "fluentd-logging"], name: name, namespace: "default"),
            spec: DaemonSetSpec(
                selector: LabelSelector(matchLabels: ["name": "fluentd-elasticsearch"]),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["name": "fluentd-elasticsearch"]),
                    spec: PodSpec(
                        containers: [Container(name: "fluentd-elasticsearch", image: image)], hostNetwork: hostNetwork,
                        nodeSelector: nodeSelector, terminationGracePeriodSeconds: 30,
                        tolerations: [
                            Toleration(effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane", operator: "Exists"),
                            Toleration(effect: "NoSchedule", key: "node-role.kubernetes.io/master", operator: "Exists"),
                        ])),
                minReadySeconds: minReadySeconds, revisionHistoryLimit: historyLimit, updateStrategy: strategy))
    }

    static func rolling(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) -> DaemonSetUpdateStrategy {
        DaemonSetUpdateStrategy(rollingUpdate: RollingUpdateDaemonSet(maxSurge: maxSurge, maxUnavailable: maxUnavailable), type: "RollingUpdate")
    }
}

extension TestEnvironment {
    /// A running environment with the DaemonSet controller; what `seed` creates exists before
    /// it starts.
    static func withDaemonSetController(seed: (TestEnvironment) async throws -> Void = { _ in }) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try await seed(env)
        try DaemonSetController.register(with: env.manager)
        env.startManager()
        return env
    }

    func daemonSet(_ name: String = "fluentd") async throws -> DaemonSet {
        try await api.get(DaemonSet.self, namespace: "default", name: name)
    }

    @discardableResult
    func createNode(_ name: String, labels: [String: String]? = nil, taints: [Taint]? = nil, unschedulable: Bool? = nil) async throws -> Node {
        try await api.create(Node(metadata: ObjectMeta(labels: labels, name: name), spec: NodeSpec(taints: taints, unschedulable: unschedulable)))
    }

    func updateNode(_ name: String, _ change: (inout Node) -> Void) async throws {
        while true {
            var node = try await api.get(Node.self, namespace: nil, name: name)
            change(&node)
            do {
                _ = try await api.update(node)
                return
            } catch let error as APIError where error.reason == .conflict {
                continue
            }
        }
    }

    func updateDaemonSet(_ name: String = "fluentd", _ change: (inout DaemonSet) -> Void) async throws {
        while true {
            var ds = try await daemonSet(name)
            change(&ds)
            do {
                _ = try await api.update(ds)
                return
            } catch let error as APIError where error.reason == .conflict {
                continue
            }
        }
    }

    /// The node a daemon pod runs on or is pinned to.
    static func targetNode(of pod: Pod) -> String? {
        if let node = pod.spec.nodeName { return node }
        return pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.first?
            .matchFields?.first?.values?.first
    }

    /// The set's pods that are not being deleted, by target node.
    func daemonPods(_ name: String = "fluentd") async throws -> [String: [Pod]] {
        let ds = try await daemonSet(name)
        var byNode: [String: [Pod]] = [:]
        for pod in try await api.listAll(Pod.self, namespace: "default") where pod.isControlled(by: ds) && pod.metadata.deletionTimestamp == nil {
            byNode[Self.targetNode(of: pod) ?? "", default: []].append(pod)
        }
        return byNode
    }

    /// Waits until the set's live pods sit on exactly `nodes`, one each.
    func waitForDaemonPods(on nodes: Set<String>, _ name: String = "fluentd") async throws {
        try await waitUntil("one pod on each of \(nodes.sorted())") {
            let byNode = try await self.daemonPods(name)
            return Set(byNode.keys) == nodes && byNode.values.allSatisfy { $0.count == 1 }
        }
    }

    /// Binds every unscheduled pod of the set to its node and reports it Running and Ready.
    func runDaemonPods(_ name: String = "fluentd") async throws {
        for (node, pods) in try await daemonPods(name) {
            for pod in pods where pod.status.phase != "Running" {
                if pod.spec.nodeName == nil { try await bindPod(pod.name, to: node) }
                try await setPodStatus(pod.name, phase: "Running", readySince: clock.now().truncatedToSeconds)
            }
        }
    }

    /// Waits until the set's status satisfies `condition` for its current generation.
    func waitForDaemonSet(_ what: String, _ name: String = "fluentd", _ condition: @escaping @Sendable (DaemonSetStatus) -> Bool) async throws {
        try await waitUntil(what) {
            let ds = try await self.daemonSet(name)
            return ds.status.observedGeneration == ds.metadata.generation && condition(ds.status)
        }
    }
}

extension TestEnvironment {
    /// Finishes the graceful deletions of the set's pods, as their kubelets would.
    func finishDaemonDeletions() async throws {
        for pod in try await api.listAll(Pod.self, namespace: "default") where pod.metadata.deletionTimestamp != nil {
            try await finishDeletion(of: pod.name)
        }
    }

    /// The revision hash of each node's live pods, by node.
    func daemonHashes(_ name: String = "fluentd") async throws -> [String: [String]] {
        try await daemonPods(name).mapValues { $0.map { $0.metadata.labels?["controller-revision-hash"] ?? "" }.sorted() }
    }

    /// The hash of the set's newest revision.
    func newestDaemonHash() async throws -> String {
        let revisions = try await api.listAll(ControllerRevision.self, namespace: "default").sorted { $0.revision < $1.revision }
        return revisions.last?.metadata.labels?["controller-revision-hash"] ?? ""
    }

    /// Three (or `count`) nodes, a set on them with `strategy`, every pod running and ready; then
    /// a new image. Returns the old revision hash.
    func rollingDaemonSet(nodes count: Int = 3, strategy: DaemonSetUpdateStrategy?, minReadySeconds: Int32? = nil) async throws -> String {
        let names = (0..<count).map { "n\($0)" }
        for name in names { try await createNode(name) }
        _ = try await api.create(DaemonSetFixtures.fluentd(strategy: strategy, minReadySeconds: minReadySeconds))
        try await waitForDaemonPods(on: Set(names))
        try await runDaemonPods()
        try await waitForDaemonSet("all ready") { $0.numberReady == Int32(count) && $0.updatedNumberScheduled == Int32(count) }
        let old = try await newestDaemonHash()
        try await updateDaemonSet { $0.spec.template.spec?.containers[0].image = "quay.io/fluentd_elasticsearch/fluentd:v5.0.2" }
        try await waitUntil("a new revision") { try await self.newestDaemonHash() != old }
        return old
    }
}
