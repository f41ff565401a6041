import BosunRuntime

/// The legacy rollback: extensions/v1beta1's `spec.rollbackTo`, which survives in apps/v1 as the
/// `deprecated.deployment.rollback.to` annotation (upstream `rollback.go`). `kubectl rollout
/// undo` does not use it: it copies the old template into the Deployment itself, and the new
/// ReplicaSet lookup then finds the old ReplicaSet and gives it the next revision.
extension DeploymentSync {
    /// The revision the annotation asks for (0: the previous one); `nil` without a valid one.
    var rollbackRevision: Int64? {
        d.metadata.annotations?[DeploymentAnnotation.rollbackTo].flatMap { Int64($0) }
    }

    /// Copies the template of the ReplicaSet with `revision` into the Deployment, and removes
    /// the annotation in any case.
    mutating func rollback(to revision: Int64) async throws {
        let (newRS, oldRSs) = try await getAllReplicaSetsAndSyncRevision(create: true)
        let allRSs = oldRSs + [newRS].compactMap { $0 }
        var target = revision
        if target == 0 {
            target = lastRevision(allRSs)
            if target == 0 {
                events.event(for: d, type: .warning, reason: "DeploymentRollbackRevisionNotFound", message: "Unable to find last revision.")
                return try await updateDeploymentAndClearRollbackTo()
            }
        }
        if let rs = allRSs.first(where: { $0.revision == target }) {
            if try await rollbackToTemplate(of: rs) {
                events.event(for: d, type: .normal, reason: "DeploymentRollback",
                             message: "Rolled back deployment \(quotedName) to revision \(target)")
            }
            return
        }
        events.event(for: d, type: .warning, reason: "DeploymentRollbackRevisionNotFound",
                     message: "Unable to find the revision to rollback to.")
        try await updateDeploymentAndClearRollbackTo()
    }

    /// Takes the ReplicaSet's template (without its hash label) and annotations, unless the
    /// template is the current one; returns whether it did.
    private mutating func rollbackToTemplate(of rs: ReplicaSet) async throws -> Bool {
        let template = rs.spec.template ?? PodTemplateSpec()
        var performed = false
        if !PodTemplateHash.equalIgnoringHash(d.spec.template, template) {
            var restored = template
            restored.metadata?.labels?[PodTemplateHash.label] = nil
            d.spec.template = restored
            // The Deployment's annotations follow the template back, or the current ones would
            // be copied onto the old ReplicaSet and history would show the wrong change-cause.
            d.setAnnotations(rollingBackTo: rs)
            performed = true
        } else {
            events.event(for: d, type: .warning, reason: "DeploymentRollbackTemplateUnchanged",
                         message: "The rollback revision contains the same template as current deployment \(quotedName)")
        }
        try await updateDeploymentAndClearRollbackTo()
        return performed
    }

    private mutating func updateDeploymentAndClearRollbackTo() async throws {
        d.metadata.annotations?[DeploymentAnnotation.rollbackTo] = nil
        d = try await client.update(d)
    }
}
