import BosunRuntime

extension DeploymentSync {
    /// The new ReplicaSet (created when `create` and none exists) and all the old ones, with the
    /// new one's revision raised above every old one and the Deployment's revision following it.
    mutating func getAllReplicaSetsAndSyncRevision(create: Bool) async throws -> (new: ReplicaSet?, old: [ReplicaSet]) {
        let oldRSs = findOldReplicaSets(d, sets)
        let newRS = try await getNewReplicaSet(oldRSs: oldRSs, create: create)
        return (newRS, oldRSs)
    }

    /// Upstream `getNewReplicaSet`. An existing new RS gets the Deployment's annotations, the
    /// next revision if its own is lower (a rollback by template reuses the RS this way) and
    /// `minReadySeconds`. Otherwise a RS named `<deployment>-<pod-template-hash>` is created
    /// with as many replicas as the strategy allows now.
    private mutating func getNewReplicaSet(oldRSs: [ReplicaSet], create: Bool) async throws -> ReplicaSet? {
        let newRevision = maxRevision(oldRSs) &+ 1
        if var rs = findNewReplicaSet(d, sets) {
            let annotationsChanged = rs.setNewReplicaSetAnnotations(from: d, newRevision: newRevision, exists: true)
            if annotationsChanged || (rs.spec.minReadySeconds ?? 0) != (d.spec.minReadySeconds ?? 0) {
                rs.spec.minReadySeconds = d.spec.minReadySeconds
                // As upstream, the Deployment's own revision follows on the next sync, which
                // this write triggers.
                let updated = try await client.update(rs)
                if let index = sets.firstIndex(where: { $0.metadata.uid == updated.metadata.uid }) { sets[index] = updated }
                return updated
            }
            var needsUpdate = d.setRevision(rs.metadata.annotations?[DeploymentAnnotation.revision] ?? "")
            if d.hasProgressDeadline && d.status.condition(DeploymentConditionType.progressing) == nil {
                // Progress starts to be tracked for a Deployment that had none: count from now.
                d.status.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "True",
                    reason: DeploymentReason.foundNewReplicaSet, message: "Found new replica set \"\(rs.name)\"", now: now))
                needsUpdate = true
            }
            if needsUpdate { d = try await client.updateStatus(d) }
            return rs
        }
        guard create else { return nil }
        return try await createNewReplicaSet(oldRSs: oldRSs, revision: newRevision)
    }

    private mutating func createNewReplicaSet(oldRSs: [ReplicaSet], revision: Int64) async throws -> ReplicaSet {
        let hash = PodTemplateHash.compute(d.spec.template, collisionCount: d.status.collisionCount)
        var template = d.spec.template
        var templateMeta = template.metadata ?? ObjectMeta()
        templateMeta.labels = (templateMeta.labels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        template.metadata = templateMeta
        var selector = d.spec.selector
        selector.matchLabels = (selector.matchLabels ?? [:]).merging([PodTemplateHash.label: hash]) { $1 }
        var newRS = ReplicaSet(
            metadata: ObjectMeta(labels: templateMeta.labels, name: d.name + "-" + hash, namespace: d.metadata.namespace,
                                 ownerReferences: [d.controllerReference]),
            spec: ReplicaSetSpec(selector: selector, minReadySeconds: d.spec.minReadySeconds, replicas: 0, template: template))
        let replicas = try newReplicaSetReplicas(d, allSets: oldRSs + [newRS], newSet: newRS)
        newRS.spec.replicas = replicas
        _ = newRS.setNewReplicaSetAnnotations(from: d, newRevision: revision, exists: false)

        var alreadyExists = false
        let created: ReplicaSet
        do {
            created = try await client.create(newRS)
        } catch let error as APIError where error.reason == .alreadyExists {
            // A slow cache or a fast resync: it may be ours already. Anything else under this
            // name is a hash collision, resolved by hashing again with a higher collisionCount.
            alreadyExists = true
            let existing = try await client.get(ReplicaSet.self, namespace: newRS.metadata.namespace, name: newRS.name)
            guard existing.controllerOwner?.uid == d.metadata.uid,
                  PodTemplateHash.equalIgnoringHash(d.spec.template, existing.spec.template ?? PodTemplateSpec())
            else {
                let before = d.status.collisionCount ?? 0
                d.status.collisionCount = before &+ 1
                if let updated = try? await client.updateStatus(d) {
                    d = updated
                    context.logger.info("found a hash collision for deployment; bumping collisionCount to resolve it",
                                        metadata: ["oldCollisionCount": "\(before)", "newCollisionCount": "\(before &+ 1)"])
                }
                throw error
            }
            created = existing
        } catch let error as APIError where error.code == 403 && error.message.contains("because it is being terminated") {
            // Every create in a terminating namespace fails; nothing to report.
            throw error
        } catch {
            let message = "Failed to create new replica set \"\(newRS.name)\": \(error)"
            if d.hasProgressDeadline {
                d.status.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "False",
                    reason: DeploymentReason.replicaSetCreateError, message: message, now: now))
                // The failure to report matters more than a failure to report it.
                if let updated = try? await client.updateStatus(d) { d = updated }
            }
            events.event(for: d, type: .warning, reason: DeploymentReason.replicaSetCreateError, message: message)
            throw error
        }
        if !alreadyExists && replicas > 0 {
            events.event(for: d, type: .normal, reason: "ScalingReplicaSet",
                         message: "Scaled up replica set \(created.name) from 0 to \(replicas)")
        }
        var needsUpdate = d.setRevision(String(revision))
        if !alreadyExists && d.hasProgressDeadline {
            d.status.setCondition(DeploymentCondition(DeploymentConditionType.progressing, "True",
                reason: DeploymentReason.newReplicaSetCreated, message: "Created new replica set \"\(created.name)\"", now: now))
            needsUpdate = true
        }
        if needsUpdate { d = try await client.updateStatus(d) }
        return created
    }
}
