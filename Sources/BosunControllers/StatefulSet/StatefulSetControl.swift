import BosunRuntime
import Logging

/// One pass of upstream's `defaultStatefulSetControl.UpdateStatefulSet` over a set and the pods
/// it claimed: resolve revisions, bring pods to the set's spec one step further, write the
/// status, trim the history.
struct StatefulSetControl: Sendable {
    /// Pods created or deleted at once in Parallel mode (upstream `MaxBatchSize`).
    static let maxBatchSize = 500

    let set: StatefulSet
    let selector: Selector
    let control: StatefulPodControl
    let history: RevisionHistoryClient
    let events: EventRecorder
    let logger: Logger
    let now: Time

    /// Returns the status written (or that would have been, when the write failed first).
    func run(pods: [Pod]) async throws -> StatefulSetStatus? {
        let revisions = ControllerHistory.sorted(history.list(of: set, selector: selector))
        let store = StatefulSetRevisions(history: history)
        var current: ControllerRevision?, update: ControllerRevision?
        var status: StatefulSetStatus?
        var errors: [any Error] = []
        do {
            let resolved = try await store.resolve(set, sorted: revisions)
            current = resolved.current
            update = resolved.update
            let outcome = try await updatePods(pods, current: resolved.current, update: resolved.update,
                                               collisionCount: resolved.collisionCount)
            status = outcome.status
            if let error = outcome.error { errors.append(error) }
            do {
                try await writeStatus(outcome.status)
            } catch {
                if outcome.error == nil { errors.append(error) }
            }
        } catch {
            errors.append(error)
        }
        do {
            try await store.truncate(set, pods: pods, sorted: revisions, current: current, update: update)
        } catch {
            errors.append(error)
        }
        if !errors.isEmpty { throw StatefulSetError.aggregate(errors) }
        return status
    }

    // MARK: Pods

    private struct Outcome {
        var status: StatefulSetStatus
        var error: (any Error)?
    }

    /// Upstream `updateStatefulSet`: create missing pods, replace failed ones, fix drifted
    /// identities and claims, delete condemned pods, then update one step.
    private func updatePods(
        _ pods: [Pod], current: ControllerRevision, update: ControllerRevision, collisionCount: Int32
    ) async throws -> Outcome {
        let currentSet = try StatefulSetRevisions.apply(current, to: set)
        let updateSet = try StatefulSetRevisions.apply(update, to: set)
        let minReady = set.minReadySeconds

        var status = StatefulSetStatus()
        status.observedGeneration = set.metadata.generation
        status.currentRevision = current.name
        status.updateRevision = update.name
        status.collisionCount = collisionCount
        fillCounts(&status, [pods], current: current, update: update)

        // Split the pods into the ordinal range and the condemned; names that do not parse are ignored.
        let start = set.startOrdinal
        var slots = [Pod?](repeating: nil, count: max(0, set.replicaCount))
        var condemned: [Pod] = []
        for pod in pods {
            let ordinal = StatefulPodName.ordinal(pod.name)
            if set.containsOrdinal(ordinal) {
                slots[ordinal - start] = pod
            } else if ordinal >= 0 {
                condemned.append(pod)
            }
        }
        let replicas = slots.indices.map { index in
            slots[index] ?? StatefulPods.newVersionedPod(
                current: currentSet, update: updateSet, currentRevision: current.name, updateRevision: update.name,
                ordinal: start + index)
        }
        condemned.sort { StatefulPodName.ordinal($0.name) > StatefulPodName.ordinal($1.name) }
        let condemnedPods = condemned

        var unavailable = 0
        var firstUnhealthy: String?
        for pod in replicas + condemnedPods.reversed() where StatefulPodState.isUnavailable(pod, minReadySeconds: minReady, now: now) {
            unavailable += 1
            if firstUnhealthy == nil { firstUnhealthy = pod.name }
        }
        if unavailable > 0 {
            logger.debug("StatefulSet has unavailable pods", metadata: ["unavailable": "\(unavailable)", "pod": "\(firstUnhealthy ?? "")"])
        }

        if set.metadata.deletionTimestamp != nil { return Outcome(status: status) }
        let firstUnhealthyName = firstUnhealthy

        let monotonic = !set.allowsBurst
        func finish(_ error: (any Error)?) -> Outcome {
            fillCounts(&status, [replicas, condemnedPods], current: current, update: update)
            return Outcome(status: status, error: error)
        }

        let processReplica: @Sendable (Int) async throws -> Bool = { [self] index in
            try await self.processReplica(replicas[index], currentSet: currentSet, updateSet: updateSet, monotonic: monotonic)
        }
        let (processReplicaExit, processReplicaError) = await runForAll(count: replicas.count, monotonic: monotonic, processReplica)
        if processReplicaExit || processReplicaError != nil { return finish(processReplicaError) }

        let fixClaims: @Sendable (Int) async throws -> Bool = { [self] index in
            if !self.control.claimsMatchRetentionPolicy(of: condemnedPods[index], set: updateSet) {
                try await self.control.updateClaimsForRetentionPolicy(of: condemnedPods[index], set: updateSet)
            }
            return false
        }
        let (fixClaimsExit, fixClaimsError) = await runForAll(count: condemnedPods.count, monotonic: monotonic, fixClaims)
        if fixClaimsExit || fixClaimsError != nil { return finish(fixClaimsError) }

        let processCondemned: @Sendable (Int) async throws -> Bool = { [self] index in
            try await self.processCondemned(condemnedPods[index], firstUnhealthy: firstUnhealthyName, monotonic: monotonic)
        }
        let (processCondemnedExit, processCondemnedError) = await runForAll(count: condemnedPods.count, monotonic: monotonic, processCondemned)
        if processCondemnedExit || processCondemnedError != nil { return finish(processCondemnedError) }

        var outcome = finish(nil)
        if set.updateStrategyType == StatefulSet.onDelete { return outcome }
        if set.spec.updateStrategy?.rollingUpdate?.maxUnavailable != nil {
            outcome.error = await rollWithMaxUnavailable(replicas, update: update, status: &outcome.status)
        } else {
            outcome.error = await rollOneAtATime(replicas, update: update, status: &outcome.status)
        }
        return outcome
    }

    /// Upstream `processReplica`: whether the pass must stop here.
    private func processReplica(_ pod: Pod, currentSet: StatefulSet, updateSet: StatefulSet, monotonic: Bool) async throws -> Bool {
        let minReady = set.minReadySeconds
        // A finished pod is deleted; its successor of the same name is created once it is gone.
        if StatefulPodState.isFailed(pod) || StatefulPodState.isSucceeded(pod) {
            if !StatefulPodState.isTerminating(pod) {
                if StatefulPodState.isFailed(pod) {
                    events.event(for: set, type: .warning, reason: "RecreatingFailedPod",
                                 message: "StatefulSet \(set.metadata.namespace ?? "")/\(set.name) is recreating failed Pod \(pod.name)")
                } else {
                    events.event(for: set, type: .normal, reason: "RecreatingTerminatedPod",
                                 message: "StatefulSet \(set.metadata.namespace ?? "")/\(set.name) is recreating terminated Pod \(pod.name)")
                }
                try await control.deletePod(pod, of: set)
            }
            return true
        }
        if !StatefulPodState.isCreated(pod) {
            // A claim still owned by a deleted predecessor is about to be collected: wait for it.
            if try await control.podClaimIsStale(pod, set: set) { return true }
            try await control.createPod(pod, of: set)
            // Nothing more to do for a pod just made from the spec.
            return monotonic
        }
        if StatefulPodState.isPending(pod) {
            try await control.createMissingClaims(for: pod, of: set)
        }
        if monotonic {
            if StatefulPodState.isTerminating(pod) { return true }
            if !StatefulPodState.isRunningAndReady(pod) { return true }
            if !StatefulPodState.isRunningAndAvailable(pod, minReadySeconds: minReady, now: now) { return true }
        }
        if StatefulPods.identityMatches(pod, set: set) && StatefulPods.storageMatches(pod, set: set)
            && control.claimsMatchRetentionPolicy(of: pod, set: updateSet) {
            return false
        }
        try await control.updatePod(pod, of: updateSet)
        return false
    }

    /// Upstream `processCondemned`: in OrderedReady mode, one at a time from the highest ordinal,
    /// each fully gone before the next, and not while another pod is unhealthy.
    private func processCondemned(_ pod: Pod, firstUnhealthy: String?, monotonic: Bool) async throws -> Bool {
        if StatefulPodState.isTerminating(pod) { return monotonic }
        if monotonic && pod.name != firstUnhealthy {
            if !StatefulPodState.isRunningAndReady(pod) { return true }
            if !StatefulPodState.isRunningAndAvailable(pod, minReadySeconds: set.minReadySeconds, now: now) { return true }
        }
        logger.debug("pod of StatefulSet is terminating for scale down", metadata: ["pod": "\(pod.name)"])
        try await control.deletePod(pod, of: set)
        return true
    }

    /// Runs `body` over `0..<count`: in order, stopping at the first that asks to (monotonic), or
    /// all in slow-start batches (burst). Returns whether to stop, and the first error.
    private func runForAll(count: Int, monotonic: Bool, _ body: @escaping @Sendable (Int) async throws -> Bool) async
        -> (Bool, (any Error)?)
    {
        if monotonic {
            for index in 0..<count {
                do {
                    if try await body(index) { return (true, nil) }
                } catch {
                    return (true, error)
                }
            }
            return (false, nil)
        }
        let outcome = await SlowStart.run(count: count, maxBatchSize: Self.maxBatchSize) { index in _ = try await body(index) }
        return (outcome.error != nil, outcome.error)
    }

    // MARK: Rolling update

    /// The default rolling update: from the highest ordinal down to the partition, delete the
    /// first pod not at the update revision; an updated pod that is unavailable holds the rollout.
    private func rollOneAtATime(_ replicas: [Pod], update: ControllerRevision, status: inout StatefulSetStatus) async -> (any Error)? {
        let partition = Int(set.spec.updateStrategy?.rollingUpdate?.partition ?? 0)
        var target = replicas.count - 1
        while target >= partition {
            let pod = replicas[target]
            if StatefulPodState.revision(pod) != update.name && !StatefulPodState.isTerminating(pod) {
                logger.debug("pod of StatefulSet is terminating for update", metadata: ["pod": "\(pod.name)"])
                do {
                    try await control.deletePod(pod, of: set)
                } catch let error as APIError where error.reason == .notFound {
                } catch {
                    return error
                }
                status.currentReplicas = (status.currentReplicas ?? 0) - 1
                return nil
            }
            if StatefulPodState.isUnavailable(pod, minReadySeconds: set.minReadySeconds, now: now) { return nil }
            target -= 1
        }
        return nil
    }

    /// The rolling update with `maxUnavailable` (upstream's MaxUnavailableStatefulSet path):
    /// unavailable pods are counted over the whole range, and up to `maxUnavailable` minus them
    /// stale pods at or above the partition are deleted, highest ordinal first.
    private func rollWithMaxUnavailable(_ replicas: [Pod], update: ControllerRevision, status: inout StatefulSetStatus) async
        -> (any Error)?
    {
        let rolling = set.spec.updateStrategy?.rollingUpdate
        let partition = Int(rolling?.partition ?? 0)
        let maxUnavailable: Int
        do {
            maxUnavailable = try Self.maxUnavailable(rolling?.maxUnavailable, replicas: replicas.count)
        } catch {
            return error
        }
        let unavailable = replicas.count { StatefulPodState.isUnavailable($0, minReadySeconds: set.minReadySeconds, now: now) }
        guard unavailable <= maxUnavailable else { return nil }
        var budget = maxUnavailable - unavailable
        var target = replicas.count - 1
        while target >= partition && budget > 0 {
            let pod = replicas[target]
            if StatefulPodState.revision(pod) != update.name && !StatefulPodState.isTerminating(pod) {
                do {
                    try await control.deletePod(pod, of: set)
                } catch let error as APIError where error.reason == .notFound {
                } catch {
                    return error
                }
                budget -= 1
                status.currentReplicas = (status.currentReplicas ?? 0) - 1
            }
            target -= 1
        }
        return nil
    }

    /// `maxUnavailable` of `replicas`: a percentage rounds down, and the result is at least 1.
    static func maxUnavailable(_ value: IntOrString?, replicas: Int) throws -> Int {
        let scaled = try (value ?? .int(1)).scaledValue(total: replicas, roundUp: false)
        return max(1, scaled)
    }

    // MARK: Status

    /// Counts the created pods of `lists` into `status` (upstream `updateStatus`).
    private func fillCounts(_ status: inout StatefulSetStatus, _ lists: [[Pod]], current: ControllerRevision, update: ControllerRevision) {
        var replicas: Int32 = 0, ready: Int32 = 0, available: Int32 = 0, currentCount: Int32 = 0, updated: Int32 = 0
        for pod in lists.joined() {
            let created = StatefulPodState.isCreated(pod)
            if created { replicas += 1 }
            if StatefulPodState.isRunningAndReady(pod) {
                ready += 1
                if StatefulPodState.isRunningAndAvailable(pod, minReadySeconds: set.minReadySeconds, now: now) { available += 1 }
            }
            if created && !StatefulPodState.isTerminating(pod) {
                let revision = StatefulPodState.revision(pod)
                if revision == current.name { currentCount += 1 }
                if revision == update.name { updated += 1 }
            }
        }
        status.replicas = replicas
        status.readyReplicas = ready
        status.availableReplicas = available
        status.currentReplicas = currentCount
        status.updatedReplicas = updated
    }

    /// Completes a finished rolling update — every one of `spec.replicas` pods exists, is updated
    /// and ready — then writes the status unless the set shows it already (upstream
    /// `updateStatefulSetStatus`). Zero counts are omitted, as Kubernetes writes them;
    /// `availableReplicas` and `collisionCount` are always written.
    private func writeStatus(_ computed: StatefulSetStatus) async throws {
        var status = computed
        let desired = Int32(set.replicaCount)
        if set.updateStrategyType == StatefulSet.rollingUpdate && status.updatedReplicas == desired
            && status.readyReplicas == desired && status.replicas == desired {
            status.currentReplicas = status.updatedReplicas
            status.currentRevision = status.updateRevision
        }
        for keyPath in [\StatefulSetStatus.readyReplicas, \.currentReplicas, \.updatedReplicas] where status[keyPath: keyPath] == 0 {
            status[keyPath: keyPath] = nil
        }
        let old = set.status
        let inconsistent = old.observedGeneration == nil || (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0)
            || status.replicas != old.replicas || status.currentReplicas != old.currentReplicas
            || status.readyReplicas != old.readyReplicas || status.updatedReplicas != old.updatedReplicas
            || status.currentRevision != old.currentRevision || (status.availableReplicas ?? 0) != (old.availableReplicas ?? 0)
            || status.updateRevision != old.updateRevision
        guard inconsistent else { return }
        var updated = set
        updated.status = status
        do {
            _ = try await control.client.updateStatus(updated)
        } catch let error as APIError where error.reason == .conflict {
            var fresh = try await control.client.api.get(StatefulSet.self, namespace: set.metadata.namespace, name: set.name)
            fresh.status = status
            _ = try await control.client.updateStatus(fresh)
        }
    }
}
