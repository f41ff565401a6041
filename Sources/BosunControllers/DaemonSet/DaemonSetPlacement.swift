import BosunRuntime
import BosunScheduler

/// Where a DaemonSet's pods belong (upstream `NodeShouldRunDaemonPod` and `daemon/util`).
struct DaemonSetPlacement: Sendable {
    /// The pod a node would get, as the predicates see it: the template with the tolerations
    /// every daemon pod gets.
    let tolerations: [Toleration]
    let templateNodeName: String
    let affinity: RequiredNodeAffinity

    init(_ ds: DaemonSet) {
        let spec = ds.spec.template.spec ?? PodSpec()
        tolerations = Self.withDaemonTolerations(spec).tolerations ?? []
        templateNodeName = spec.nodeName ?? ""
        affinity = RequiredNodeAffinity(nodeSelector: spec.nodeSelector, required: spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
    }

    /// Whether a pod should be created on the node (`shouldRun`) and whether one there may stay
    /// (`shouldContinue`): the template's `nodeName` is empty or the node's, the node matches
    /// `nodeSelector` and required affinity, and every NoSchedule and NoExecute taint is
    /// tolerated — an untolerated NoSchedule taint alone lets a running pod stay.
    func evaluate(_ node: NodeInfo) -> (shouldRun: Bool, shouldContinue: Bool) {
        if !templateNodeName.isEmpty && templateNodeName != node.name { return (false, false) }
        if !affinity.isEmpty && !affinity.matches(node) { return (false, false) }
        var untoleratedNoExecute = false, untoleratedNoSchedule = false
        for taint in node.taints where taint.effect == "NoExecute" || taint.effect == "NoSchedule" {
            guard !tolerations.tolerate(taint) else { continue }
            if taint.effect == "NoExecute" { untoleratedNoExecute = true } else { untoleratedNoSchedule = true }
        }
        if untoleratedNoExecute { return (false, false) }
        if untoleratedNoSchedule { return (false, true) }
        return (true, true)
    }

    /// The spec with the tolerations upstream adds to every daemon pod
    /// (`AddOrUpdateDaemonPodTolerations`): `not-ready` and `unreachable` NoExecute with no time
    /// limit, so node problems never evict them; `disk-pressure`, `memory-pressure`,
    /// `pid-pressure` and `unschedulable` NoSchedule, so cordoned and pressured nodes still get
    /// them; `network-unavailable` NoSchedule for host-network pods.
    static func withDaemonTolerations(_ spec: PodSpec) -> PodSpec {
        var spec = spec
        var tolerations = spec.tolerations ?? []
        func addOrUpdate(_ key: String, _ effect: String) {
            let toleration = Toleration(effect: effect, key: key, operator: "Exists")
            // Upstream replaces a toleration with the same key, operator, value and effect.
            if let index = tolerations.firstIndex(where: {
                $0.key == key && ($0.operator ?? "Equal") == "Exists" && ($0.value ?? "") == "" && $0.effect == effect
            }) {
                tolerations[index] = toleration
            } else {
                tolerations.append(toleration)
            }
        }
        addOrUpdate("node.kubernetes.io/not-ready", "NoExecute")
        addOrUpdate("node.kubernetes.io/unreachable", "NoExecute")
        addOrUpdate("node.kubernetes.io/disk-pressure", "NoSchedule")
        addOrUpdate("node.kubernetes.io/memory-pressure", "NoSchedule")
        addOrUpdate("node.kubernetes.io/pid-pressure", "NoSchedule")
        addOrUpdate("node.kubernetes.io/unschedulable", "NoSchedule")
        if spec.hostNetwork == true { addOrUpdate("node.kubernetes.io/network-unavailable", "NoSchedule") }
        spec.tolerations = tolerations
        return spec
    }

    /// The template a DaemonSet's pods are made from (upstream `CreatePodTemplate`): the daemon
    /// tolerations, and the labels `controller-revision-hash` and, when the set has a template
    /// generation, `pod-template-generation`.
    static func podTemplate(of ds: DaemonSet, hash: String) -> PodTemplateSpec {
        var template = ds.spec.template
        template.spec = withDaemonTolerations(template.spec ?? PodSpec())
        var meta = template.metadata ?? ObjectMeta()
        var labels = meta.labels ?? [:]
        if let generation = templateGeneration(of: ds) { labels[DaemonSetController.templateGenerationLabel] = String(generation) }
        labels[ControllerHistory.podRevisionLabel] = hash
        meta.labels = labels
        template.metadata = meta
        return template
    }

    /// The set's `deprecated.daemonset.template.generation` annotation, when it has a valid one.
    static func templateGeneration(of ds: DaemonSet) -> Int64? {
        ds.metadata.annotations?[DaemonSetController.templateGenerationAnnotation].flatMap { Int64($0) }
    }

    /// The affinity pinning a pod to `node` (upstream `ReplaceDaemonSetPodNodeNameNodeAffinity`):
    /// the required terms become one term, `matchFields metadata.name In [node]`; preferences
    /// and pod (anti-)affinity stay.
    static func pinnedAffinity(_ affinity: Affinity?, to node: String) -> Affinity {
        let term = NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: [node])])
        var affinity = affinity ?? Affinity()
        var nodeAffinity = affinity.nodeAffinity ?? NodeAffinity()
        nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector(nodeSelectorTerms: [term])
        affinity.nodeAffinity = nodeAffinity
        return affinity
    }

    /// The node a pod runs on or is pinned to (upstream `GetTargetNodeName`): `spec.nodeName`,
    /// else the `metadata.name` of its required node affinity's single `matchFields` term.
    static func targetNode(of pod: Pod) -> String? {
        if let name = pod.spec.nodeName, !name.isEmpty { return name }
        let terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
        for term in terms {
            for field in term.matchFields ?? [] where field.key == "metadata.name" && field.operator == "In" {
                if let values = field.values, values.count == 1 { return values[0] }
            }
        }
        return nil
    }
}
