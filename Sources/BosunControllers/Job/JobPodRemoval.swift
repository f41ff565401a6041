import BosunRuntime

/// Which active pods a Job deletes first (upstream `activePodsForRemoval`).
enum JobPodRemoval {
    /// At least `count` of `pods` (the active ones) to delete. An Indexed Job first gives up
    /// pods without a valid index, pods whose index is not below `completions`, and all but one
    /// pod of a repeated index; the rest come in kube-controller-manager's `ActivePods` order.
    static func podsToDelete(_ pods: [JobPodFacts], count: Int, indexedCompletions: Int?) -> [JobPodFacts] {
        var remove: [JobPodFacts] = []
        var left: [JobPodFacts] = []
        if let completions = indexedCompletions {
            (remove, left) = duplicatesAndInvalid(pods, completions: completions)
        } else {
            left = pods
        }
        if remove.count < count {
            remove += left.sorted(by: precedes).prefix(count - remove.count)
        }
        return remove
    }

    /// Pods to remove for their index, and the one pod kept per valid index.
    private static func duplicatesAndInvalid(_ pods: [JobPodFacts], completions: Int) -> ([JobPodFacts], [JobPodFacts]) {
        var remove: [JobPodFacts] = []
        var left: [JobPodFacts] = []
        var byIndex: [Int: [JobPodFacts]] = [:]
        for pod in pods {
            guard let index = pod.completionIndex, index < completions else {
                remove.append(pod)
                continue
            }
            byIndex[index, default: []].append(pod)
        }
        for index in byIndex.keys.sorted() {
            let same = byIndex[index]!.sorted(by: precedes)
            remove += same.dropLast()
            left.append(same[same.count - 1])
        }
        return (remove, left)
    }

    /// Upstream `controller.ActivePods`: unscheduled before scheduled; Pending, Unknown, Running;
    /// not ready before ready; ready for less time first; more restarts first; newer first (an
    /// unset time counts as the newest). Ties go to the lower uid, so the order is stable.
    static func precedes(_ a: JobPodFacts, _ b: JobPodFacts) -> Bool {
        let a = a.pod, b = b.pod
        if a.nodeName != b.nodeName && (a.nodeName.isEmpty || b.nodeName.isEmpty) { return a.nodeName.isEmpty }
        if phaseOrdinal(a.phase) != phaseOrdinal(b.phase) { return phaseOrdinal(a.phase) < phaseOrdinal(b.phase) }
        if a.isReady != b.isReady { return !a.isReady }
        if a.isReady && b.isReady, a.readySince != b.readySince {
            return afterOrZero(a.readySince, b.readySince)
        }
        if a.restarts != b.restarts { return a.restarts > b.restarts }
        if a.sidecarRestarts != b.sidecarRestarts { return a.sidecarRestarts > b.sidecarRestarts }
        if a.creationTimestamp != b.creationTimestamp { return afterOrZero(a.creationTimestamp, b.creationTimestamp) }
        return a.uid < b.uid
    }

    private static func phaseOrdinal(_ phase: String?) -> Int {
        switch phase {
        case "Unknown": 1
        case "Running": 2
        default: 0
        }
    }

    private static func afterOrZero(_ a: Time?, _ b: Time?) -> Bool {
        let a = a ?? .zero, b = b ?? .zero
        if a.isZero || b.isZero { return a.isZero }
        return a > b
    }
}
