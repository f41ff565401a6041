import BosunRuntime

/// One sync of one Deployment: upstream `syncDeployment` and everything it calls, in the same
/// order and with the same decisions. The strategies, progress and rollback live in extensions.
///
/// `d` is the Deployment as this sync sees it. As upstream, steps change it in place (the
/// revision annotation, conditions) and later steps see those changes; a status write replaces
/// it with what the API returned, so a second write in the same sync is not a conflict.
struct DeploymentSync {
    var d: Deployment
    /// The ReplicaSets this Deployment owns, after adoption and release.
    var sets: [ReplicaSet] = []
    let context: ReconcileContext
    let events: EventRecorder
    let pods: Informer<Pod>
    /// When the rollout status found nothing new to write but a progress deadline is pending:
    /// look again then (upstream `requeueStuckDeployment`).
    var requeueAfter: Duration?

    var client: CachedClient { context.client }
    var now: Time { context.clock.now() }
    var quotedName: String { "\"\(d.name)\"" }

    init(_ d: Deployment, context: ReconcileContext, events: EventRecorder, pods: Informer<Pod>) {
        self.d = d
        self.context = context
        self.events = events
        self.pods = pods
    }

    /// The order of upstream `syncDeployment`: an empty selector stops everything; then a
    /// deleted Deployment only gets its status; a paused one is scaled and cleaned up but not
    /// rolled out; then the legacy rollback annotation; then a scaling event; then the strategy.
    mutating func run() async throws -> ReconcileResult {
        let selector = d.spec.selector
        if (selector.matchLabels ?? [:]).isEmpty && (selector.matchExpressions ?? []).isEmpty {
            events.event(for: d, type: .warning, reason: "SelectingAll",
                         message: "This deployment is selecting all pods. A non-empty selector is required.")
            if (d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0) {
                d.status.observedGeneration = d.metadata.generation
                // As upstream, a failure here is not retried: the next change syncs again.
                _ = try? await client.updateStatus(d)
            }
            return .done
        }
        sets = try await claimReplicaSets()
        if d.metadata.deletionTimestamp != nil {
            try await syncStatusOnly()
            return .done
        }
        // Paused and resumed are recorded before anything else, so a Deployment resumed after
        // longer than its deadline is not judged stuck at once.
        try await checkPausedConditions()
        if d.spec.paused == true {
            try await sync()
            return .done
        }
        if let revision = rollbackRevision {
            try await rollback(to: revision)
            return .done
        }
        if try await isScalingEvent() {
            try await sync()
            return .done
        }
        switch d.spec.strategy?.type {
        case Deployment.recreate?: try await rolloutRecreate()
        case Deployment.rollingUpdate?: try await rolloutRolling()
        case let type: throw DeploymentSyncError("unexpected deployment strategy type: \(type ?? "")")
        }
        return requeueAfter.map { .requeue(after: $0) } ?? .done
    }

    /// Every ReplicaSet in the namespace, claimed: the matching orphans adopted, the owned ones
    /// that stopped matching released.
    private func claimReplicaSets() async throws -> [ReplicaSet] {
        let selector: Selector
        do {
            selector = try d.spec.selector.compiled()
        } catch {
            throw DeploymentSyncError("deployment \(d.key) has invalid label selector: \(error)")
        }
        let candidates = try await client.listAll(ReplicaSet.self, namespace: d.metadata.namespace)
        return try await ControllerRefManager<Deployment, ReplicaSet>(owner: d, selector: selector, client: client).claim(candidates)
    }

    // MARK: Paused, scaling, status only

    /// Records pausing and resuming in the Progressing condition (Unknown), unless the
    /// rollout already timed out.
    mutating func checkPausedConditions() async throws {
        guard d.hasProgressDeadline else { return }
        let current = d.status.condition(DeploymentConditionType.progressing)
        if current?.reason == DeploymentReason.progressDeadlineExceeded { return }
        let pausedRecorded = current?.reason == DeploymentReason.deploymentPaused
        let paused = d.spec.paused == true
        if paused && !pausedRecorded {
            d.status.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "Unknown",
                reason: DeploymentReason.deploymentPaused, message: "Deployment is paused", now: now))
        } else if !paused && pausedRecorded {
            d.status.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "Unknown",
                reason: DeploymentReason.deploymentResumed, message: "Deployment is resumed", now: now))
        } else {
            return
        }
        d = try await client.updateStatus(d)
    }

    /// A scaling event, or a paused Deployment: resize the ReplicaSets without rolling out, and
    /// (paused only) clean up old ones.
    mutating func sync() async throws {
        let (newRS, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: false)
        try await scale(newRS, oldRSs)
        if d.spec.paused == true && rollbackRevision == nil {
            try await cleanupDeployment(oldRSs)
        }
        try await syncDeploymentStatus(oldRSs + [newRS].compactMap { $0 }, newRS)
    }

    mutating func syncStatusOnly() async throws {
        let (newRS, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: false)
        try await syncDeploymentStatus(oldRSs + [newRS].compactMap { $0 }, newRS)
    }

    /// Whether `spec.replicas` changed since the active ReplicaSets were sized: one of them has a
    /// different `desired-replicas` annotation.
    mutating func isScalingEvent() async throws -> Bool {
        let (newRS, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: false)
        return activeSets(oldRSs + [newRS]).contains { rs in
            guard let desired = rs.intAnnotation(DeploymentAnnotation.desiredReplicas) else { return false }
            return desired != d.replicas
        }
    }

    /// Resizes the ReplicaSets to `spec.replicas` (upstream `scale`): one active (or none, then
    /// the newest) takes everything; a saturated new RS lets the old ones go to 0; otherwise a
    /// rolling Deployment spreads the change in proportion to each active RS's size.
    mutating func scale(_ newRS: ReplicaSet?, _ oldRSs: [ReplicaSet]) async throws {
        if let only = activeOrLatest(newRS, oldRSs) {
            if only.replicas == d.replicas { return }
            _ = try await scaleReplicaSetAndRecordEvent(only, to: d.replicas)
            return
        }
        if isSaturated(d, newRS) {
            for old in activeSets(oldRSs) {
                _ = try await scaleReplicaSetAndRecordEvent(old, to: 0)
            }
            return
        }
        guard d.isRollingUpdate else { return }
        var active = activeSets(oldRSs + [newRS])
        let allowed = d.replicas > 0 ? d.replicas &+ d.maxSurge : 0
        let toAdd = allowed &- specReplicaCount(active)
        // Larger ReplicaSets move first; among equals, newer ones grow first and older ones
        // shrink first.
        if toAdd > 0 { active.sort(by: ReplicaSet.largerThenNewer) }
        if toAdd < 0 { active.sort(by: ReplicaSet.largerThenOlder) }
        var added: Int32 = 0
        var sizes: [Int32] = []
        for rs in active {
            let share = toAdd != 0 ? proportion(of: rs, d, toAdd: toAdd, added: added) : 0
            sizes.append(rs.replicas &+ share)
            added &+= share
        }
        for (index, rs) in active.enumerated() {
            var size = sizes[index]
            // What rounding left over goes to the first (largest) ReplicaSet.
            if index == 0 && toAdd != 0 { size = max(0, size &+ toAdd &- added) }
            _ = try await scaleReplicaSet(rs, to: size)
        }
    }

    /// The only active ReplicaSet, or the newest when none is active; `nil` when several are.
    private func activeOrLatest(_ newRS: ReplicaSet?, _ oldRSs: [ReplicaSet]) -> ReplicaSet? {
        if newRS == nil && oldRSs.isEmpty { return nil }
        let newestFirst = oldRSs.sorted { ReplicaSet.olderFirst($1, $0) }
        let active = activeSets(newestFirst + [newRS])
        switch active.count {
        case 0: return newRS ?? newestFirst.first
        case 1: return active[0]
        default: return nil
        }
    }

    // MARK: Scaling one ReplicaSet

    mutating func scaleReplicaSetAndRecordEvent(_ rs: ReplicaSet, to size: Int32) async throws -> (scaled: Bool, rs: ReplicaSet) {
        if rs.replicas == size { return (false, rs) }
        return try await scaleReplicaSet(rs, to: size)
    }

    /// Sets a ReplicaSet's size and its `desired-replicas` / `max-replicas`, and records
    /// `ScalingReplicaSet` when the size changed.
    mutating func scaleReplicaSet(_ rs: ReplicaSet, to size: Int32) async throws -> (scaled: Bool, rs: ReplicaSet) {
        let maxReplicas = d.replicas &+ d.maxSurge
        let sizeChanges = rs.replicas != size
        guard sizeChanges || rs.replicasAnnotationsNeedUpdate(desired: d.replicas, max: maxReplicas) else { return (false, rs) }
        var copy = rs
        copy.spec.replicas = size
        copy.setReplicasAnnotations(desired: d.replicas, max: maxReplicas)
        let updated = try await client.update(copy)
        if sizeChanges {
            let direction = rs.replicas < size ? "up" : "down"
            events.event(for: d, type: .normal, reason: "ScalingReplicaSet",
                         message: "Scaled \(direction) replica set \(rs.name) from \(rs.replicas) to \(size)")
        }
        return (sizeChanges, updated)
    }

    // MARK: History and status

    /// Deletes the oldest ReplicaSets beyond `revisionHistoryLimit`: only those scaled to 0,
    /// running nothing and fully observed by the ReplicaSet controller.
    mutating func cleanupDeployment(_ oldRSs: [ReplicaSet]) async throws {
        guard d.hasRevisionHistoryLimit else { return }
        let cleanable = oldRSs.filter { $0.metadata.deletionTimestamp == nil }
        let excess = cleanable.count - Int(d.spec.revisionHistoryLimit ?? 0)
        guard excess > 0 else { return }
        for rs in cleanable.sorted(by: ReplicaSet.lowerRevisionFirst).prefix(excess) {
            if rs.status.replicas != 0 || rs.replicas != 0
                || (rs.metadata.generation ?? 0) > (rs.status.observedGeneration ?? 0) || rs.metadata.deletionTimestamp != nil {
                continue
            }
            context.logger.debug("cleaning up old replica set \(rs.name)")
            do {
                try await client.delete(ReplicaSet.self, namespace: rs.metadata.namespace, name: rs.name)
            } catch let error as APIError where error.code == 404 {
                // Already gone.
            }
        }
    }

    /// Writes the status the ReplicaSets add up to, if it changed.
    mutating func syncDeploymentStatus(_ allRSs: [ReplicaSet], _ newRS: ReplicaSet?) async throws {
        let status = calculateStatus(allRSs, newRS)
        if d.status == status { return }
        d.status = status
        d = try await client.updateStatus(d)
    }

    /// The status the ReplicaSets add up to, with the Available condition recomputed and the
    /// other conditions carried over. Zero counts are left out, as Kubernetes' JSON omits them.
    func calculateStatus(_ allRSs: [ReplicaSet], _ newRS: ReplicaSet?) -> DeploymentStatus {
        let available = availableReplicaCount(allRSs)
        let unavailable = max(0, specReplicaCount(allRSs) &- available)
        var status = DeploymentStatus(
            availableReplicas: nonZero(available), collisionCount: d.status.collisionCount, conditions: d.status.conditions,
            observedGeneration: d.metadata.generation.flatMap { $0 == 0 ? nil : $0 },
            readyReplicas: nonZero(readyReplicaCount(allRSs)), replicas: nonZero(actualReplicaCount(allRSs)),
            unavailableReplicas: nonZero(unavailable), updatedReplicas: nonZero(actualReplicaCount([newRS])))
        if available >= d.replicas &- d.maxUnavailable {
            status.setCondition(DeploymentCondition(DeploymentConditionType.available, "True",
                reason: DeploymentReason.minimumReplicasAvailable, message: "Deployment has minimum availability.", now: now))
        } else {
            status.setCondition(DeploymentCondition(DeploymentConditionType.available, "False",
                reason: DeploymentReason.minimumReplicasUnavailable, message: "Deployment does not have minimum availability.", now: now))
        }
        return status
    }
}

private func nonZero(_ value: Int32) -> Int32? { value == 0 ? nil : value }
