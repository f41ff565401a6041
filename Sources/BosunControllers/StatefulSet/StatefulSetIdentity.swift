import BosunRuntime

// Who a StatefulSet's pods are — names, ordinals, identity labels, claims — as upstream's
// `stateful_set_utils.go` defines it.

extension StatefulSet {
    /// The label carrying a pod's own name, so a Service can select one pod.
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    /// The label carrying a pod's ordinal.
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let parallel = "Parallel"
    static let rollingUpdate = "RollingUpdate"
    static let onDelete = "OnDelete"
    static let retain = "Retain"
    static let delete = "Delete"

    /// `spec.replicas` (admission defaults it to 1).
    var replicaCount: Int { Int(spec.replicas ?? 1) }
    /// The first ordinal, `spec.ordinals.start`.
    var startOrdinal: Int { Int(spec.ordinals?.start ?? 0) }
    /// The last ordinal of the range; below the start when the set has no replicas.
    var endOrdinal: Int { startOrdinal + replicaCount - 1 }
    var minReadySeconds: Int32 { spec.minReadySeconds ?? 0 }
    /// Parallel pod management: scaling neither waits for nor orders pods.
    var allowsBurst: Bool { spec.podManagementPolicy == Self.parallel }
    var updateStrategyType: String { spec.updateStrategy?.type ?? Self.rollingUpdate }
    /// `whenDeleted` and `whenScaled`, each `Retain` unless set.
    var claimRetention: (whenDeleted: String, whenScaled: String) {
        let policy = spec.persistentVolumeClaimRetentionPolicy
        return (nonEmpty(policy?.whenDeleted) ?? Self.retain, nonEmpty(policy?.whenScaled) ?? Self.retain)
    }

    /// `<set>-<ordinal>`.
    func podName(ordinal: Int) -> String { "\(name)-\(ordinal)" }

    /// `<template>-<set>-<ordinal>`: the claim the pod of `ordinal` mounts for `template`.
    func claimName(_ template: PersistentVolumeClaim, ordinal: Int) -> String {
        "\(template.name)-\(name)-\(ordinal)"
    }

    /// Whether `ordinal` lies in `start … start+replicas-1`.
    func containsOrdinal(_ ordinal: Int) -> Bool {
        ordinal >= startOrdinal && ordinal <= endOrdinal
    }

    /// Whether the pod named `podName` is named as this set's pods are (upstream `isMemberOf`).
    func isMember(podNamed podName: String) -> Bool {
        StatefulPodName.parse(podName)?.parent == name
    }

    /// The claims the pod of `ordinal` mounts, by template name, in template order (upstream
    /// `getPersistentVolumeClaims`): each template renamed, in the set's namespace, with the
    /// selector's `matchLabels` added to its labels.
    func claims(forOrdinal ordinal: Int) -> [(template: String, claim: PersistentVolumeClaim)] {
        (spec.volumeClaimTemplates ?? []).map { template in
            var claim = template
            claim.metadata.name = claimName(template, ordinal: ordinal)
            claim.metadata.namespace = metadata.namespace
            var labels = claim.metadata.labels ?? [:]
            for (key, value) in spec.selector.matchLabels ?? [:] { labels[key] = value }
            claim.metadata.labels = labels.isEmpty ? nil : labels
            return (template.name, claim)
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// A StatefulSet pod's name read as `<parent>-<ordinal>` (upstream `getParentNameAndOrdinal`,
/// whose pattern is `(.*)-([0-9]+)$` with a 32-bit ordinal).
enum StatefulPodName {
    static func parse(_ name: String) -> (parent: String, ordinal: Int)? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let ordinal = Int32(digits) else { return nil }
        return (String(name[..<dash]), Int(ordinal))
    }

    /// The ordinal, or -1 for a name that does not parse.
    static func ordinal(_ name: String) -> Int { parse(name)?.ordinal ?? -1 }
}

/// The pod states a StatefulSet decides with (upstream `isCreated`, `isRunningAndReady`, …).
enum StatefulPodState {
    /// The API server has the pod: it has a phase. The pods a sync means to create have none.
    static func isCreated(_ pod: Pod) -> Bool { !(pod.status.phase ?? "").isEmpty }
    static func isTerminating(_ pod: Pod) -> Bool { pod.metadata.deletionTimestamp != nil }
    static func isFailed(_ pod: Pod) -> Bool { pod.status.phase == "Failed" }
    static func isSucceeded(_ pod: Pod) -> Bool { pod.status.phase == "Succeeded" }
    static func isPending(_ pod: Pod) -> Bool { pod.status.phase == "Pending" }
    static func isRunningAndReady(_ pod: Pod) -> Bool { pod.status.phase == "Running" && pod.isReady }
    static func isRunningAndAvailable(_ pod: Pod, minReadySeconds: Int32, now: Time) -> Bool {
        pod.isAvailable(minReadySeconds: minReadySeconds, now: now)
    }
    static func isHealthy(_ pod: Pod) -> Bool { isRunningAndReady(pod) && !isTerminating(pod) }
    static func isUnavailable(_ pod: Pod, minReadySeconds: Int32, now: Time) -> Bool {
        !isHealthy(pod) || !isRunningAndAvailable(pod, minReadySeconds: minReadySeconds, now: now)
    }
    /// The revision the pod was made from (its `controller-revision-hash` label).
    static func revision(_ pod: Pod) -> String { pod.metadata.labels?[ControllerHistory.podRevisionLabel] ?? "" }
}

/// Building and checking a StatefulSet's pods.
enum StatefulPods {
    /// The pod of `ordinal` as `set` describes it (upstream `newStatefulSetPod`): from the
    /// template, controlled by the set, named `<set>-<ordinal>`, with its identity labels,
    /// `hostname` = its name, `subdomain` = `serviceName`, and a volume per claim template.
    static func newPod(of set: StatefulSet, ordinal: Int) -> Pod {
        var pod = PodControl.pod(from: set.spec.template, namespace: set.metadata.namespace ?? "", ownerName: set.name,
                                 controllerRef: set.controllerReference)
        pod.metadata.name = set.podName(ordinal: ordinal)
        updateIdentity(of: &pod, for: set)
        pod.spec.hostname = pod.metadata.name
        pod.spec.subdomain = set.spec.serviceName.isEmpty ? nil : set.spec.serviceName
        updateStorage(of: &pod, for: set)
        return pod
    }

    /// The pod of `ordinal` at the right revision (upstream `newVersionedStatefulSetPod`): below
    /// the partition (or, for a rolling update without one, below the current replicas) it is
    /// made from the current revision, otherwise from the update revision.
    static func newVersionedPod(
        current currentSet: StatefulSet, update updateSet: StatefulSet, currentRevision: String, updateRevision: String, ordinal: Int
    ) -> Pod {
        let rolling = currentSet.spec.updateStrategy?.rollingUpdate
        let start = currentSet.startOrdinal
        let belowCurrent = currentSet.updateStrategyType == StatefulSet.rollingUpdate && rolling == nil
            && ordinal < start + Int(currentSet.status.currentReplicas ?? 0)
        let belowPartition = rolling != nil && ordinal < start + Int(rolling?.partition ?? 0)
        var pod: Pod
        if belowCurrent || belowPartition {
            pod = newPod(of: currentSet, ordinal: ordinal)
            setRevision(of: &pod, currentRevision)
        } else {
            pod = newPod(of: updateSet, ordinal: ordinal)
            setRevision(of: &pod, updateRevision)
        }
        return pod
    }

    static func setRevision(of pod: inout Pod, _ revision: String) {
        var labels = pod.metadata.labels ?? [:]
        labels[ControllerHistory.podRevisionLabel] = revision
        pod.metadata.labels = labels
    }

    /// Name, namespace and the identity labels (upstream `updateIdentity`). `hostname` and
    /// `subdomain` are set only at creation: they cannot change on a live pod.
    static func updateIdentity(of pod: inout Pod, for set: StatefulSet) {
        let ordinal = StatefulPodName.ordinal(pod.name)
        pod.metadata.name = set.podName(ordinal: ordinal)
        pod.metadata.namespace = set.metadata.namespace
        var labels = pod.metadata.labels ?? [:]
        labels[StatefulSet.podNameLabel] = pod.metadata.name
        labels[StatefulSet.podIndexLabel] = String(ordinal)
        pod.metadata.labels = labels
    }

    /// The pod's volumes: one per claim template, naming the pod's claim, then the pod's other
    /// volumes (upstream `updateStorage`; a template volume of the same name is replaced).
    static func updateStorage(of pod: inout Pod, for set: StatefulSet) {
        let claims = set.claims(forOrdinal: StatefulPodName.ordinal(pod.name))
        let templateNames = Set(claims.map(\.template))
        var volumes = claims.map { entry in
            Volume(name: entry.template, persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: entry.claim.name, readOnly: false))
        }
        volumes += (pod.spec.volumes ?? []).filter { !templateNames.contains($0.name) }
        pod.spec.volumes = volumes.isEmpty ? nil : volumes
    }

    /// Whether the pod has the name, namespace and pod-name label of the member of its ordinal
    /// (upstream `identityMatches`).
    static func identityMatches(_ pod: Pod, set: StatefulSet) -> Bool {
        guard let (parent, ordinal) = StatefulPodName.parse(pod.name) else { return false }
        return parent == set.name && pod.name == set.podName(ordinal: ordinal)
            && pod.metadata.namespace == set.metadata.namespace
            && pod.metadata.labels?[StatefulSet.podNameLabel] == pod.name
    }

    /// Whether the pod mounts its claim for every claim template (upstream `storageMatches`).
    static func storageMatches(_ pod: Pod, set: StatefulSet) -> Bool {
        let ordinal = StatefulPodName.ordinal(pod.name)
        guard ordinal >= 0 else { return false }
        var volumes: [String: Volume] = [:]
        for volume in pod.spec.volumes ?? [] { volumes[volume.name] = volume }
        for template in set.spec.volumeClaimTemplates ?? [] {
            guard let claim = volumes[template.name]?.persistentVolumeClaim,
                  claim.claimName == set.claimName(template, ordinal: ordinal)
            else { return false }
        }
        return true
    }
}
