import BosunRuntime

/// One sync of a StatefulSet, as upstream's `sync`:
///
/// 1. adopt the orphan ControllerRevisions its selector matches;
/// 2. claim its pods — its own and the orphans of its namespace whose name is `<set>-<n>` —
///    adopting and releasing as the selector says;
/// 3. run the StatefulSet control over them (``StatefulSetControl``);
/// 4. with `minReadySeconds`, look again once it has passed while not every pod is available.
struct StatefulSetSync: Reconciler {
    let pods: ControlledPodIndex
    /// The full pods, for what the index does not keep (volumes, identity) and for the writes
    /// of this controller the index has not seen yet.
    let podCache: Informer<Pod>
    let revisions: Informer<ControllerRevision>
    let claims: Informer<PersistentVolumeClaim>

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let set = try await context.client.getIfPresent(StatefulSet.self, namespace: request.namespace, name: request.name) else {
            return .done
        }
        let selector: Selector
        do {
            selector = try set.spec.selector.compiled()
        } catch {
            // Admission refuses such selectors; retrying cannot fix one that got through.
            context.logger.error("invalid selector; not syncing", metadata: ["error": "\(error)"])
            return .done
        }
        let history = RevisionHistoryClient(revisions: revisions, client: context.client)
        try await adoptOrphanRevisions(of: set, selector: selector, history: history, context)
        let claimed = try await claimPods(of: set, selector: selector, context)

        let control = StatefulSetControl(
            set: set, selector: selector,
            control: StatefulPodControl(client: context.client, events: context.events, claims: claims),
            history: history, events: context.events, logger: context.logger, now: context.clock.now())
        let status = try await control.run(pods: claimed)
        let minReady = set.minReadySeconds
        if minReady > 0, let status, (status.availableReplicas ?? 0) != Int32(set.replicaCount) {
            return .requeue(after: .seconds(Int64(minReady)))
        }
        return .done
    }

    /// Upstream `adoptOrphanRevisions`: the set controls the revisions nobody controls that its
    /// selector matches (the set re-read first, as any adoption).
    private func adoptOrphanRevisions(
        of set: StatefulSet, selector: Selector, history: RevisionHistoryClient, _ context: ReconcileContext
    ) async throws {
        let orphans = history.list(of: set, selector: selector).filter { $0.controllerOwner == nil }
        guard !orphans.isEmpty else { return }
        _ = try await ControllerRefManager<StatefulSet, ControllerRevision>(owner: set, selector: selector, client: context.client)
            .claim(orphans)
    }

    /// The pods the set controls after adoption and release, as the cache has them now. A pod
    /// this controller created whose event the index has not seen yet is found by name.
    private func claimPods(of set: StatefulSet, selector: Selector, _ context: ReconcileContext) async throws -> [Pod] {
        let uid = set.metadata.uid ?? ""
        let namespace = set.metadata.namespace ?? ""
        let setName = set.name
        let candidates = pods.pods(controlledBy: uid) + pods.orphans(in: namespace)
        let manager = ControllerRefManager<StatefulSet, Pod>(
            owner: set, selector: selector, client: context.client, nameFilter: { StatefulPodName.parse($0)?.parent == setName })
        let claimed = try await manager.claim(candidates)
        var seen = Set<String>()
        var result: [Pod] = []
        for facts in claimed {
            guard let pod = podCache.get(facts.name), pod.metadata.uid == facts.uid || pod.isControlled(by: set) else { continue }
            if seen.insert(pod.name).inserted { result.append(pod) }
        }
        for ordinal in set.startOrdinal..<(set.startOrdinal + set.replicaCount) {
            let name = set.podName(ordinal: ordinal)
            guard !seen.contains(name), let pod = podCache.get(ObjectName(namespace: namespace, name: name)),
                  pod.isControlled(by: set), manager.matches(pod.metadata.labels ?? [:])
            else { continue }
            seen.insert(name)
            result.append(pod)
        }
        return result
    }
}
