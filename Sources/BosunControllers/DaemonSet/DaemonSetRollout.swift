import BosunRuntime
import BosunScheduler

/// One step of a DaemonSet's rolling update (upstream `rollingUpdate`): which old pods to
/// delete and which nodes get a new pod now.
///
/// - Without surge: nodes missing a pod, with both an old and a new pod, or with an
///   unavailable new pod count as unavailable; an unavailable old pod is always deleted;
///   available old pods are deleted up to `maxUnavailable` minus the unavailable. The manage
///   pass then creates their replacements.
/// - With surge: an unavailable old pod gets a new sibling at once; otherwise up to `maxSurge`
///   minus the surging nodes get one; an old pod is deleted once its new sibling is available.
///   An old pod on a node that no longer wants one goes only once enough pods are available
///   elsewhere.
struct DaemonSetRollout {
    let state: DaemonSetSync.SyncState
    let hash: String

    /// Surge and unavailability for `desired` pods: percentages of it, **both rounded up**; both
    /// 0 (or not rolling) leaves 1 unavailable (upstream `SurgeCount`, `UnavailableCount`,
    /// `updatedDesiredNodeCounts`).
    static func fenceposts(_ ds: DaemonSet, desired: Int) throws -> (surge: Int, unavailable: Int) {
        guard ds.spec.updateStrategy?.type == DaemonSetController.rollingUpdate, let rolling = ds.spec.updateStrategy?.rollingUpdate else {
            return (0, desired > 0 ? 1 : 0)
        }
        let surge = try rolling.maxSurge.map { try $0.scaledValue(total: desired, roundUp: true) } ?? 0
        var unavailable = try rolling.maxUnavailable.map { try $0.scaledValue(total: desired, roundUp: true) } ?? 0
        if desired > 0 && surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    /// Whether the set surges (upstream `AllowsSurge`: its surge of one pod is not 0).
    static func allowsSurge(_ ds: DaemonSet) -> Bool {
        guard ds.spec.updateStrategy?.type == DaemonSetController.rollingUpdate,
              let surge = ds.spec.updateStrategy?.rollingUpdate?.maxSurge,
              let value = try? surge.scaledValue(total: 1, roundUp: true)
        else { return false }
        return value != 0
    }

    func step(byNode: [String: [DaemonPod]]) -> (delete: [String], create: [String]) {
        var byNode = byNode
        var desired = 0
        var shouldRunOn = Set<String>()
        for node in state.nodes where state.placement.evaluate(node).shouldRun {
            desired += 1
            shouldRunOn.insert(node.name)
            if byNode[node.name] == nil { byNode[node.name] = [] }
        }
        guard let (maxSurge, maxUnavailable) = try? Self.fenceposts(state.ds, desired: desired) else { return ([], []) }
        // Nodes in a fixed order, so a step is deterministic.
        let entries = byNode.sorted { $0.key < $1.key }
        return maxSurge == 0
            ? withoutSurge(entries, maxUnavailable: maxUnavailable)
            : withSurge(entries, maxSurge: maxSurge, desired: desired, shouldRunOn: shouldRunOn)
    }

    private func available(_ pod: DaemonPod) -> Bool {
        pod.facts.isAvailable(minReadySeconds: state.minReadySeconds, now: state.now)
    }

    /// The node's new and old pod, ignoring pods being deleted; `nil` when it has two of either
    /// (the manage pass cleans that up) — upstream `findUpdatedPodsOnNode`.
    private func updatedPods(_ pods: [DaemonPod]) -> (new: DaemonPod?, old: DaemonPod?)? {
        let generation = DaemonSetPlacement.templateGeneration(of: state.ds)
        var new: DaemonPod?, old: DaemonPod?
        for pod in pods where !pod.facts.isDeleting {
            if pod.isUpdated(hash: hash, generation: generation) {
                if new != nil { return nil }
                new = pod
            } else {
                if old != nil { return nil }
                old = pod
            }
        }
        return (new, old)
    }

    private func withoutSurge(_ entries: [(key: String, value: [DaemonPod])], maxUnavailable: Int) -> (delete: [String], create: [String]) {
        var unavailable = 0
        var replacements: [String] = [], candidates: [String] = []
        for (_, pods) in entries {
            guard let (new, old) = updatedPods(pods) else {
                unavailable += 1
                continue
            }
            switch (new, old) {
            case (nil, nil), (.some, .some):
                unavailable += 1
            case (let new?, nil):
                if !available(new) { unavailable += 1 }
            case (nil, let old?):
                if !available(old) {
                    replacements.append(old.name)
                    unavailable += 1
                } else if unavailable < maxUnavailable {
                    candidates.append(old.name)
                }
            }
        }
        let room = min(max(0, maxUnavailable - unavailable), candidates.count)
        return (replacements + candidates.prefix(room), [])
    }

    private func withSurge(
        _ entries: [(key: String, value: [DaemonPod])], maxSurge: Int, desired: Int, shouldRunOn: Set<String>
    ) -> (delete: [String], create: [String]) {
        var delete: [String] = [], shouldNotRun: [String] = []
        var candidates: [String] = [], allowed: [String] = []
        var surging = 0, availableCount = 0
        for (node, pods) in entries {
            guard let (new, old) = updatedPods(pods) else {
                surging += 1
                continue
            }
            if let old {
                if available(old) { availableCount += 1 }
            } else if let new, available(new) {
                availableCount += 1
            }
            switch (new, old) {
            case (_, nil):
                break
            case (nil, let old?):
                let wanted = shouldRunOn.contains(node)
                if !available(old) {
                    if wanted { allowed.append(node) } else { delete.append(old.name) }
                } else if !wanted {
                    shouldNotRun.append(old.name)
                } else if surging < maxSurge {
                    candidates.append(node)
                }
            case (let new?, let old?):
                if !available(new) {
                    surging += 1
                } else {
                    delete.append(old.name)
                }
            }
        }
        // Pods on nodes that no longer want one go only while enough are available elsewhere.
        let deletable = min(max(0, availableCount - desired), shouldNotRun.count)
        delete += shouldNotRun.prefix(deletable)
        let room = min(max(0, maxSurge - surging), candidates.count)
        return (delete, allowed + candidates.prefix(room))
    }
}
