import BosunRuntime
import BosunScheduler
import Synchronization

/// How many calls a slow start made.
private final class AttemptCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// A DaemonSet's pod on a node, as a sync sees it.
struct DaemonPod: Sendable {
    let facts: PodFacts
    /// The node it runs on, or is pinned to while unscheduled.
    let node: String
    var name: String { facts.name.name }
    var hash: String { facts.labels[ControllerHistory.podRevisionLabel] ?? "" }

    /// Scheduled pods first, then older first, then by name (upstream
    /// `podByCreationTimestampAndPhase`).
    static func precedes(_ a: DaemonPod, _ b: DaemonPod) -> Bool {
        if a.facts.nodeName.isEmpty != b.facts.nodeName.isEmpty { return !a.facts.nodeName.isEmpty }
        let createdA = a.facts.creationTimestamp ?? .zero, createdB = b.facts.creationTimestamp ?? .zero
        if createdA != createdB { return createdA < createdB }
        return a.name < b.name
    }

    /// Made from the revision with `hash` or, by the older label, from the set's template
    /// generation (upstream `IsPodUpdated`).
    func isUpdated(hash: String, generation: Int64?) -> Bool {
        if !hash.isEmpty && self.hash == hash { return true }
        guard let generation else { return false }
        return facts.labels[DaemonSetController.templateGenerationLabel] == String(generation)
    }
}

/// One sync of a DaemonSet, as upstream's `syncDaemonSet`:
///
/// 1. nothing for an empty selector (Warning `SelectingAll`) or a set being deleted;
/// 2. claim its pods; find or create the ControllerRevision of its template;
/// 3. unless it waits for its informer to show its last creates and deletes (expectations):
///    create and delete pods so that each eligible node runs one (``manage``), then roll the
///    update one step (``rollingUpdate``), then trim the history;
/// 4. write the status.
struct DaemonSetSync: Reconciler {
    let pods: ControlledPodIndex
    let podCache: Informer<Pod>
    let nodes: Informer<Node>
    let revisions: Informer<ControllerRevision>
    let expectations: TrackedExpectations
    let backoff: FailedPodBackoff
    /// Creates or deletes per sync (upstream `BurstReplicas`).
    let burstReplicas: Int

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let ds = try await context.client.getIfPresent(DaemonSet.self, namespace: request.namespace, name: request.name) else {
            expectations.forget(request)
            return .done
        }
        if ds.spec.selector == LabelSelector() {
            context.events.event(for: ds, type: .warning, reason: "SelectingAll",
                                 message: "This daemon set is selecting all pods. A non-empty selector is required.")
            return .done
        }
        if ds.metadata.deletionTimestamp != nil { return .done }
        let selector: Selector
        do {
            selector = try ds.spec.selector.compiled()
        } catch {
            context.logger.error("invalid selector; not syncing", metadata: ["error": "\(error)"])
            return .done
        }
        let nodeInfos = nodes.list().map { NodeInfo(node: $0) }
        let state = SyncState(ds: ds, placement: DaemonSetPlacement(ds), nodes: nodeInfos, now: context.clock.now())

        let claimed = try await claimPods(of: ds, selector: selector, context)
        let history = RevisionHistoryClient(revisions: revisions, client: context.client)
        let owned = try await claimRevisions(of: ds, selector: selector, history: history, context)
        var podsByHash: [String: [PodFacts]] = [:]
        for pod in claimed { podsByHash[pod.labels[ControllerHistory.podRevisionLabel] ?? "", default: []].append(pod) }
        let store = DaemonSetHistory(history: history, pods: PodControl(context))
        let (current, old) = try await store.construct(ds, selector: selector, owned: owned, podsByHash: podsByHash)
        let hash = current.metadata.labels?[ControllerHistory.podRevisionLabel] ?? ""

        var result = ReconcileResult.done
        var syncError: (any Error)?
        let satisfied = expectations.isSatisfied(request)
        if satisfied {
            do {
                let byNode = nodeToDaemonPods(claimed, includeDeletedTerminal: false)
                let (create, delete, retry) = manage(state, byNode: byNode, hash: hash, context)
                if let retry { result = .requeue(after: retry) }
                try await syncNodes(ds, key: request, delete: delete, create: create, hash: hash, context)
                if expectations.isSatisfied(request) && ds.spec.updateStrategy?.type != DaemonSetController.onDelete {
                    // The index has seen what manage did (expectations): read the pods again.
                    let current = try await claimPods(of: ds, selector: selector, context)
                    let (deleteOld, createNew) = rollingUpdate(state, byNode: nodeToDaemonPods(current, includeDeletedTerminal: false), hash: hash)
                    try await syncNodes(ds, key: request, delete: deleteOld, create: createNew, hash: hash, context)
                }
                let live = Set(nodeToDaemonPods(claimed, includeDeletedTerminal: true).values.joined().map(\.hash).filter { !$0.isEmpty })
                try await store.cleanup(ds, old: old, liveHashes: live)
            } catch {
                syncError = error
            }
        }
        let statusRequeue = try await writeStatus(state, byNode: nodeToDaemonPods(claimed, includeDeletedTerminal: false), hash: hash,
                                                  updateObservedGeneration: satisfied, context)
        if let syncError { throw syncError }
        if let statusRequeue, result.requeueAfter.map({ statusRequeue < $0 }) ?? true { result = .requeue(after: statusRequeue) }
        return result
    }

    /// What one sync knows: the set, its placement rules, the nodes, the time.
    struct SyncState {
        let ds: DaemonSet
        let placement: DaemonSetPlacement
        let nodes: [NodeInfo]
        let now: Time
        var minReadySeconds: Int32 { ds.spec.minReadySeconds ?? 0 }
    }

    // MARK: Claims

    /// The pods the set controls after adoption and release (upstream `getDaemonPods`).
    private func claimPods(of ds: DaemonSet, selector: Selector, _ context: ReconcileContext) async throws -> [PodFacts] {
        let candidates = pods.pods(controlledBy: ds.metadata.uid ?? "") + pods.orphans(in: ds.metadata.namespace ?? "")
        return try await ControllerRefManager<DaemonSet, Pod>(owner: ds, selector: selector, client: context.client).claim(candidates)
    }

    /// The revisions the set controls after adoption and release (upstream `controlledHistories`).
    private func claimRevisions(of ds: DaemonSet, selector: Selector, history: RevisionHistoryClient, _ context: ReconcileContext)
        async throws -> [ControllerRevision]
    {
        let namespace = ds.metadata.namespace ?? ""
        let uid = ds.metadata.uid ?? ""
        let candidates = revisions.list(namespace: namespace).filter { $0.controllerOwner == nil || $0.controllerOwner?.uid == uid }
        return try await ControllerRefManager<DaemonSet, ControllerRevision>(owner: ds, selector: selector, client: context.client)
            .claim(candidates)
    }

    /// The claimed pods by the node they run on or are pinned to (upstream
    /// `getNodesToDaemonPods`); finished pods being deleted only when asked for.
    private func nodeToDaemonPods(_ claimed: [PodFacts], includeDeletedTerminal: Bool) -> [String: [DaemonPod]] {
        var byNode: [String: [DaemonPod]] = [:]
        for facts in claimed {
            let terminal = facts.phase == "Succeeded" || facts.phase == "Failed"
            if !includeDeletedTerminal && terminal && facts.isDeleting { continue }
            let node: String
            if !facts.nodeName.isEmpty {
                node = facts.nodeName
            } else if let pod = podCache.get(facts.name), let target = DaemonSetPlacement.targetNode(of: pod) {
                node = target
            } else {
                continue
            }
            byNode[node, default: []].append(DaemonPod(facts: facts, node: node))
        }
        return byNode
    }

    // MARK: Manage

    /// The nodes that need a pod and the pods to delete (upstream `manage` and
    /// `podsShouldBeOnNode`), and when to look again for a failed pod held back by its backoff.
    private func manage(_ state: SyncState, byNode: [String: [DaemonPod]], hash: String, _ context: ReconcileContext)
        -> (create: [String], delete: [String], retry: Duration?)
    {
        var create: [String] = [], delete: [String] = []
        var retry: Duration?
        let ds = state.ds
        let surge = DaemonSetRollout.allowsSurge(ds)
        for node in state.nodes {
            let (shouldRun, shouldContinue) = state.placement.evaluate(node)
            let daemonPods = byNode[node.name] ?? []
            if shouldRun && daemonPods.isEmpty {
                create.append(node.name)
            } else if shouldContinue {
                var running: [DaemonPod] = []
                for pod in daemonPods where !pod.facts.isDeleting {
                    switch pod.facts.phase {
                    case "Failed":
                        let key = "\(ds.metadata.namespace ?? "")/\(ds.name)/\(ds.metadata.uid ?? "")/\(node.name)"
                        if backoff.isInBackoff(key, now: state.now) {
                            let delay = backoff.delay(key)
                            retry = retry.map { min($0, delay) } ?? delay
                            continue
                        }
                        backoff.next(key, now: state.now)
                        context.events.event(for: ds, type: .warning, reason: "FailedDaemonPod",
                                             message: "Found failed daemon pod \(pod.facts.name) on node \(node.name), will try to kill it")
                        delete.append(pod.name)
                    case "Succeeded":
                        context.events.event(for: ds, type: .normal, reason: "SucceededDaemonPod",
                                             message: "Found succeeded daemon pod \(pod.facts.name) on node \(node.name), will try to delete it")
                        delete.append(pod.name)
                    default:
                        running.append(pod)
                    }
                }
                guard running.count > 1 else { continue }
                running.sort(by: DaemonPod.precedes)
                if !surge {
                    // One pod per node: the oldest stays.
                    delete += running.dropFirst().map(\.name)
                    continue
                }
                // With surge, the oldest new pod and the oldest old pod may stay together until
                // the old one is not ready or the new one is available.
                var oldestNew: DaemonPod?, oldestOld: DaemonPod?
                for pod in running {
                    if pod.hash == hash {
                        if oldestNew == nil { oldestNew = pod; continue }
                    } else if oldestOld == nil {
                        oldestOld = pod
                        continue
                    }
                    delete.append(pod.name)
                }
                if let oldestNew, let oldestOld,
                   !oldestOld.facts.isReady || oldestNew.facts.isAvailable(minReadySeconds: state.minReadySeconds, now: state.now) {
                    delete.append(oldestOld.name)
                }
            } else {
                delete += daemonPods.filter { !$0.facts.isDeleting }.map(\.name)
            }
        }
        // Pods pinned to nodes that no longer exist, never scheduled.
        let existing = Set(state.nodes.map(\.name))
        for (node, daemonPods) in byNode where !existing.contains(node) {
            delete += daemonPods.filter { $0.facts.nodeName.isEmpty }.map(\.name)
        }
        return (create, delete, retry)
    }

    /// Creates pods on `create` and deletes `delete`, at most ``burstReplicas`` of each, creates
    /// in slow-start batches (upstream `syncNodes`).
    private func syncNodes(_ ds: DaemonSet, key: ObjectName, delete: [String], create: [String], hash: String, _ context: ReconcileContext)
        async throws
    {
        let create = Array(create.prefix(burstReplicas))
        let delete = Array(delete.prefix(burstReplicas))
        guard !create.isEmpty || !delete.isEmpty else { return }
        let namespace = ds.metadata.namespace ?? ""
        expectations.expect(key, creations: create.count, deletions: delete.map { ObjectName(namespace: namespace, name: $0) })
        let control = PodControl(context)
        let template = DaemonSetPlacement.podTemplate(of: ds, hash: hash)
        let controllerRef = ds.controllerReference
        let expectations = self.expectations
        let attempts = AttemptCounter()
        let outcome = await SlowStart.run(count: create.count) { index in
            attempts.add()
            var pinned = template
            var spec = pinned.spec ?? PodSpec()
            spec.affinity = DaemonSetPlacement.pinnedAffinity(spec.affinity, to: create[index])
            pinned.spec = spec
            do {
                try await control.createPod(from: pinned, owner: ds, controllerRef: controllerRef)
            } catch let error as APIError where error.hasCause(APIError.namespaceTerminatingCause) {
            } catch {
                expectations.creationObserved(key)
                throw error
            }
        }
        // Creates never started will not show up.
        for _ in 0..<(create.count - attempts.count) { expectations.creationObserved(key) }

        let failures = await withTaskGroup(of: (any Error)?.self) { group -> [any Error] in
            for name in delete {
                group.addTask {
                    do {
                        try await control.deletePod(named: name, owner: ds)
                        return nil
                    } catch {
                        expectations.deletionObserved(key, child: ObjectName(namespace: namespace, name: name))
                        return (error as? APIError)?.code == 404 ? nil : error
                    }
                }
            }
            var failures: [any Error] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if let error = outcome.error ?? failures.first { throw error }
    }

    // MARK: Rolling update

    private func rollingUpdate(_ state: SyncState, byNode: [String: [DaemonPod]], hash: String) -> (delete: [String], create: [String]) {
        DaemonSetRollout(state: state, hash: hash).step(byNode: byNode)
    }

    // MARK: Status

    /// Writes the status when it changed (upstream `updateDaemonSetStatus`); returns when to look
    /// again for ready pods that become available.
    private func writeStatus(
        _ state: SyncState, byNode: [String: [DaemonPod]], hash: String, updateObservedGeneration: Bool, _ context: ReconcileContext
    ) async throws -> Duration? {
        let ds = state.ds
        let generation = DaemonSetPlacement.templateGeneration(of: ds)
        var desired: Int32 = 0, current: Int32 = 0, misscheduled: Int32 = 0, ready: Int32 = 0, updated: Int32 = 0, available: Int32 = 0
        for node in state.nodes {
            let shouldRun = state.placement.evaluate(node).shouldRun
            let daemonPods = byNode[node.name] ?? []
            if shouldRun {
                desired += 1
                guard let pod = daemonPods.min(by: DaemonPod.precedes) else { continue }
                current += 1
                if pod.facts.isReady {
                    ready += 1
                    if pod.facts.isAvailable(minReadySeconds: state.minReadySeconds, now: state.now) { available += 1 }
                }
                if pod.isUpdated(hash: hash, generation: generation) { updated += 1 }
            } else if !daemonPods.isEmpty {
                misscheduled += 1
            }
        }
        var status = ds.status
        status.desiredNumberScheduled = desired
        status.currentNumberScheduled = current
        status.numberMisscheduled = misscheduled
        status.numberReady = ready
        status.updatedNumberScheduled = updated == 0 ? nil : updated
        status.numberAvailable = available == 0 ? nil : available
        status.numberUnavailable = desired - available == 0 ? nil : desired - available
        if updateObservedGeneration { status.observedGeneration = ds.metadata.generation }
        let requeue: Duration? = state.minReadySeconds > 0 && ready != available ? .seconds(Int64(state.minReadySeconds)) : nil
        if status == ds.status && (ds.status.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) { return requeue }
        var updatedSet = ds
        updatedSet.status = status
        do {
            _ = try await context.client.updateStatus(updatedSet)
        } catch let error as APIError where error.reason == .conflict {
            var fresh = try await context.client.api.get(DaemonSet.self, namespace: ds.metadata.namespace, name: ds.name)
            let collisionCount = fresh.status.collisionCount
            fresh.status = status
            fresh.status.collisionCount = collisionCount
            _ = try await context.client.updateStatus(fresh)
        }
        return requeue
    }
}
