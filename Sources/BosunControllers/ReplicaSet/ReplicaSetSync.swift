import BosunRuntime

/// One sync of a ReplicaSet (or a ReplicationController through its adapter), as upstream's
/// `syncReplicaSet`:
///
/// 1. claim the active pods — its own and the orphans of its namespace — adopting and
///    releasing as the selector says;
/// 2. unless it waits for the cache to show its last creates and deletes (expectations), or it
///    is being deleted: create or delete the difference to `spec.replicas`, at most
///    ``burstReplicas`` per sync, creates in slow-start batches;
/// 3. write the status when it changed;
/// 4. requeue for the moment a ready pod becomes available, which no event announces.
///
/// A sync that took 20 ms or more (a set of tens of thousands of pods) is followed by a rest as
/// long as it took (``SyncPacing``).
struct ReplicaSetSync<Owner: ReplicatedPodOwner>: Reconciler {
    let owners: Informer<Owner>
    let pods: ControlledPodIndex
    let expectations: TrackedExpectations
    /// Creates or deletes per sync (upstream `BurstReplicas`).
    let burstReplicas: Int
    /// Rests after expensive syncs (Bosun's, not upstream's: see ``SyncPacing``).
    let pacing: SyncPacing

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        let started = context.clock.now()
        if let rest = pacing.rest(for: request, now: started) { return .requeue(after: rest) }
        defer { pacing.record(request, started: started, ended: context.clock.now()) }
        guard let owner = try await context.client.getIfPresent(Owner.self, namespace: request.namespace, name: request.name) else {
            expectations.forget(request)
            return .done
        }
        let needsSync = expectations.isSatisfied(request)
        let selector: Selector
        do {
            selector = try owner.podSelector()
        } catch {
            // Admission refuses such selectors; retrying cannot fix one that got through.
            context.logger.error("invalid selector; not syncing", metadata: ["error": "\(error)"])
            return .done
        }
        let candidates = (pods.pods(controlledBy: owner.metadata.uid ?? "") + pods.orphans(in: request.namespace)).filter(\.isActive)
        let claimed = try await ControllerRefManager<Owner, Pod>(owner: owner, selector: selector, client: context.client).claim(candidates)

        var manageError: (any Error)?
        if needsSync && owner.metadata.deletionTimestamp == nil {
            manageError = await manageReplicas(claimed, of: owner, key: request, context)
        }
        let now = context.clock.now()
        try await writeStatus(Self.status(of: owner, pods: claimed, manageError: manageError, now: now), of: owner, context)
        if let manageError { throw manageError }
        return nextAvailability(of: claimed, minReadySeconds: owner.minReadySeconds, now: now).map { .requeue(after: $0) } ?? .done
    }

    // MARK: Replicas

    /// Creates or deletes pods toward `spec.replicas`; returns the first failure.
    private func manageReplicas(_ pods: [PodFacts], of owner: Owner, key: ObjectName, _ context: ReconcileContext) async -> (any Error)? {
        let diff = pods.count - Int(owner.desiredReplicas)
        let control = PodControl(context)
        if diff < 0 {
            let count = min(-diff, burstReplicas)
            // Expected before the first create: the handler may see a pod before its create returns.
            expectations.expectCreations(key, count)
            let template = owner.podTemplate ?? PodTemplateSpec()
            let controllerRef = owner.controllerReference
            context.logger.debug("too few replicas", metadata: ["need": "\(owner.desiredReplicas)", "creating": "\(count)"])
            let outcome = await SlowStart.run(count: count) { _ in
                do {
                    try await control.createPod(from: template, owner: owner, controllerRef: controllerRef)
                } catch let error as APIError where error.hasCause(APIError.namespaceTerminatingCause) {
                    // Every create will fail the same way, and nobody needs the pods any more.
                }
            }
            // Creates that failed or never started will not show up in the cache.
            for _ in 0..<(count - outcome.successes) { expectations.creationObserved(key) }
            return outcome.error
        }
        if diff > 0 {
            let count = min(diff, burstReplicas)
            let victims = PodDeletionOrder.podsToDelete(pods, count: count, related: relatedPods(of: owner), now: context.clock.now())
            context.logger.debug("too many replicas", metadata: ["need": "\(owner.desiredReplicas)", "deleting": "\(count)"])
            expectations.expectDeletions(key, victims.map(\.name))
            let expectations = self.expectations
            return await withTaskGroup(of: (any Error)?.self) { group -> (any Error)? in
                for victim in victims {
                    group.addTask {
                        do {
                            try await control.deletePod(named: victim.name.name, owner: owner)
                            return nil
                        } catch {
                            // The cache will not show this deletion.
                            expectations.deletionObserved(key, child: victim.name)
                            return (error as? APIError)?.code == 404 ? nil : error
                        }
                    }
                }
                var first: (any Error)?
                for await error in group where first == nil { first = error }
                return first
            }
        }
        return nil
    }

    /// The pods of every owner with the same controller (a Deployment's ReplicaSets), whose
    /// placement ranks the pods to delete: upstream `getIndirectlyRelatedPods`. An owner without
    /// a controller has none, so its pods are not ranked by placement — as upstream.
    ///
    /// Upstream lists every pod each related owner's selector matches; here the related owners'
    /// own pods and the namespace's orphans are matched, which differs only for pods controlled
    /// by an unrelated object that still match.
    private func relatedPods(of owner: Owner) -> [PodFacts] {
        guard let controller = owner.controllerOwner else { return [] }
        let namespace = owner.metadata.namespace ?? ""
        let orphans = pods.orphans(in: namespace)
        var seen = Set<String>()
        var related: [PodFacts] = []
        for sibling in owners.byIndex(Indexers.ownerUID, controller.uid)
        where sibling.controllerOwner?.uid == controller.uid && sibling.metadata.namespace == owner.metadata.namespace {
            guard let selector = try? sibling.podSelector() else { continue }
            for pod in pods.pods(controlledBy: sibling.metadata.uid ?? "") + orphans
            where selector.matches(pod.labels) && seen.insert(pod.uid).inserted {
                related.append(pod)
            }
        }
        return related
    }

    // MARK: Status

    /// The status `pods` call for (upstream `calculateStatus`). A failed create or delete adds
    /// `ReplicaFailure=True` (reason `FailedCreate` or `FailedDelete`) unless it is there
    /// already; a clean sync removes it.
    static func status(of owner: Owner, pods: [PodFacts], manageError: (any Error)?, now: Time) -> ReplicaSetStatus {
        var status = owner.replicaSetStatus
        let templateLabels = owner.podTemplate?.metadata?.labels ?? [:]
        var fullyLabeled: Int32 = 0, ready: Int32 = 0, available: Int32 = 0
        for pod in pods {
            let labels = pod.labels
            if templateLabels.allSatisfy({ labels[$0.key] == $0.value }) { fullyLabeled += 1 }
            if pod.isReady {
                ready += 1
                if pod.isAvailable(minReadySeconds: owner.minReadySeconds, now: now) { available += 1 }
            }
        }
        let replicaFailure = ReplicaSetController.replicaFailureCondition
        let failure = status.conditions?.first { $0.type == replicaFailure }
        if let manageError, failure == nil {
            let diff = pods.count - Int(owner.desiredReplicas)
            let reason = diff < 0 ? PodControl.failedCreateReason : diff > 0 ? PodControl.failedDeleteReason : ""
            status.conditions = (status.conditions ?? []) + [ReplicaSetCondition(
                status: "True", type: replicaFailure, lastTransitionTime: now.truncatedToSeconds, message: "\(manageError)", reason: reason)]
        } else if manageError == nil, failure != nil {
            let rest = (status.conditions ?? []).filter { $0.type != replicaFailure }
            status.conditions = rest.isEmpty ? nil : rest
        }
        // The optional counts are omitted when zero, as Kubernetes writes them.
        status.replicas = Int32(pods.count)
        status.fullyLabeledReplicas = fullyLabeled == 0 ? nil : fullyLabeled
        status.readyReplicas = ready == 0 ? nil : ready
        status.availableReplicas = available == 0 ? nil : available
        return status
    }

    /// Writes `status` unless the owner already shows it for its current generation (upstream
    /// `updateReplicaSetStatus`, with its one retry from a fresh read).
    private func writeStatus(_ status: ReplicaSetStatus, of owner: Owner, _ context: ReconcileContext) async throws {
        let current = owner.replicaSetStatus
        if current.replicas == status.replicas && current.fullyLabeledReplicas == status.fullyLabeledReplicas
            && current.readyReplicas == status.readyReplicas && current.availableReplicas == status.availableReplicas
            && current.observedGeneration == owner.metadata.generation && current.conditions == status.conditions {
            return
        }
        var status = status
        status.observedGeneration = owner.metadata.generation
        var updated = owner
        updated.replicaSetStatus = status
        do {
            _ = try await context.client.updateStatus(updated)
        } catch {
            var fresh = try await context.client.api.get(Owner.self, namespace: owner.metadata.namespace, name: owner.name)
            fresh.replicaSetStatus = status
            _ = try await context.client.updateStatus(fresh)
        }
    }

    /// How long until the first ready pod that is not yet available becomes available, plus a
    /// second (availability needs the time strictly past): nothing else would wake the owner
    /// then. `nil` when no pod is waiting.
    private func nextAvailability(of pods: [PodFacts], minReadySeconds: Int32, now: Time) -> Duration? {
        guard minReadySeconds > 0 else { return nil }
        let next = pods.lazy
            .filter { $0.isReady && !$0.isAvailable(minReadySeconds: minReadySeconds, now: now) }
            .compactMap { PodState.availableAt(readySince: $0.readySince, minReadySeconds: minReadySeconds) }
            .min()
        return next.map { max(.zero, now.duration(to: $0)) + .seconds(1) }
    }
}
