import BosunControllers
import BosunRuntime
import Testing

@Suite("Deployment: revisions, history and rollback")
struct DeploymentHistoryTests {
    @Test("D-9: the new ReplicaSet follows the Deployment's annotations and minReadySeconds without a new revision")
    func newReplicaSetResynced() async throws {
        let h = try await DeploymentHarness.start()
        let rs = try await h.createAvailable(nginxDeployment(annotations: ["kubernetes.io/change-cause": "first"]))
        try await h.edit {
            $0.metadata.annotations?["kubernetes.io/change-cause"] = "second"
            $0.metadata.annotations?["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
            $0.spec.minReadySeconds = 10
        }
        try await h.waitUntil("the ReplicaSet follows") {
            let now = try await h.replicaSet(rs.name)
            return now.metadata.annotations?["kubernetes.io/change-cause"] == "second" && now.spec.minReadySeconds == 10
        }
        let now = try await h.replicaSet(rs.name)
        #expect(now.metadata.annotations?["kubectl.kubernetes.io/last-applied-configuration"] == nil)
        #expect(now.metadata.annotations?["deployment.kubernetes.io/revision"] == "1")
        #expect(try await h.replicaSets().count == 1)
        await h.stop()
    }

    @Test("D-24: after a complete rollout, old ReplicaSets beyond revisionHistoryLimit go, lowest revision first")
    func historyCleanup() async throws {
        let h = try await DeploymentHarness.start()
        let first = try await h.createAvailable(nginxDeployment(revisionHistoryLimit: 1))
        for image in ["nginx:1.16.1", "nginx:1.17.0"] {
            h.env.clock.advance(by: .seconds(1))
            try await h.setImage(image)
            try await h.playUntilComplete()
        }
        try await h.waitUntil("revision 1 is deleted") { try await h.replicaSets().count == 2 }
        let kept = try await h.replicaSets()
        #expect(!kept.map(\.name).contains(first.name))
        #expect(kept.map { $0.metadata.annotations?["deployment.kubernetes.io/revision"] } == ["2", "3"])
        await h.stop()
    }

    @Test("D-24: a revisionHistoryLimit of 0 keeps no old ReplicaSet, so there is nothing to roll back to")
    func noHistory() async throws {
        let h = try await DeploymentHarness.start()
        try await h.createAvailable(nginxDeployment(revisionHistoryLimit: 0))
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.playUntilComplete()
        try await h.waitUntil("the old ReplicaSet is deleted") { try await h.replicaSets().count == 1 }
        #expect(try await h.replicaSets()[0].spec.template?.spec?.containers[0].image == "nginx:1.16.1")
        await h.stop()
    }

    @Test("D-25, D-26: rollout undo by template reuses the old ReplicaSet as the new one, with the next revision and its history")
    func rollbackByTemplate() async throws {
        let h = try await DeploymentHarness.start()
        let first = try await h.createAvailable(nginxDeployment(annotations: ["kubernetes.io/change-cause": "create"]))
        h.env.clock.advance(by: .seconds(1))
        try await h.edit {
            $0.spec.template.spec?.containers[0].image = "nginx:1.16.1"
            $0.metadata.annotations?["kubernetes.io/change-cause"] = "edit"
        }
        try await h.playUntilComplete()
        let second = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        #expect(try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] == "2")

        // What `kubectl rollout undo` does: the template of revision 1 without its hash label,
        // and that ReplicaSet's annotations but the Deployment's own.
        let target = try await h.replicaSet(first.name)
        try await h.edit { d in
            var template = target.spec.template ?? PodTemplateSpec()
            template.metadata?.labels?["pod-template-hash"] = nil
            d.spec.template = template
            var annotations = (d.metadata.annotations ?? [:]).filter { $0.key.hasPrefix("deployment.kubernetes.io/") }
            for (key, value) in target.metadata.annotations ?? [:] where !key.hasPrefix("deployment.kubernetes.io/") {
                annotations[key] = value
            }
            d.metadata.annotations = annotations
        }
        try await h.waitUntil("the old ReplicaSet is new again") {
            try await h.replicaSet(first.name).metadata.annotations?["deployment.kubernetes.io/revision"] == "3"
        }
        let reused = try await h.replicaSet(first.name)
        #expect(reused.metadata.annotations?["deployment.kubernetes.io/revision-history"] == "1")
        #expect(reused.metadata.annotations?["kubernetes.io/change-cause"] == "create")
        try await h.playUntilComplete()
        #expect(try await h.replicaSets().map(\.name) == [first.name, second.name], "no ReplicaSet was created")
        #expect(try await h.replicaSet(first.name).spec.replicas == 3)
        #expect(try await h.replicaSet(second.name).spec.replicas == 0)
        #expect(try await h.replicaSet(second.name).metadata.annotations?["deployment.kubernetes.io/revision"] == "2")
        #expect(try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] == "3")

        // Back to revision 2 the same way: its history records 2, and revision 1's reuse left "1,3".
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.waitUntil("revision 2 is new again") {
            try await h.replicaSet(second.name).metadata.annotations?["deployment.kubernetes.io/revision"] == "4"
        }
        #expect(try await h.replicaSet(second.name).metadata.annotations?["deployment.kubernetes.io/revision-history"] == "2")
        try await h.playUntilComplete()
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.14.2")
        try await h.waitUntil("revision 3 is new again") {
            try await h.replicaSet(first.name).metadata.annotations?["deployment.kubernetes.io/revision"] == "5"
        }
        #expect(try await h.replicaSet(first.name).metadata.annotations?["deployment.kubernetes.io/revision-history"] == "1,3")
        await h.stop()
    }

    @Test("D-16, D-25: the legacy rollback annotation restores a revision's template, records DeploymentRollback, and waits while paused")
    func legacyRollbackAnnotation() async throws {
        let h = try await DeploymentHarness.start()
        try await h.createAvailable(nginxDeployment())
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.playUntilComplete()

        try await h.edit { $0.metadata.annotations?["deprecated.deployment.rollback.to"] = "9" }
        try await h.waitUntil("the unknown revision is given up") {
            try await h.deployment().metadata.annotations?["deprecated.deployment.rollback.to"] == nil
        }
        #expect(try await h.eventMessages("DeploymentRollbackRevisionNotFound") == ["Unable to find the revision to rollback to."])
        #expect(try await h.deployment().spec.template.spec?.containers[0].image == "nginx:1.16.1")

        // Paused: the annotation waits.
        try await h.edit {
            $0.spec.paused = true
            $0.metadata.annotations?["deprecated.deployment.rollback.to"] = "0"
        }
        try await h.waitUntil("the pause is recorded") { try await h.condition("Progressing")?.reason == "DeploymentPaused" }
        try await h.waitUntil("the paused Deployment is observed") {
            let d = try await h.deployment()
            return d.status.observedGeneration == d.metadata.generation
        }
        #expect(try await h.deployment().metadata.annotations?["deprecated.deployment.rollback.to"] == "0")

        // Resumed: revision 0 means the previous one.
        try await h.edit { $0.spec.paused = false }
        try await h.waitUntil("the rollback happened") {
            try await h.deployment().spec.template.spec?.containers[0].image == "nginx:1.14.2"
        }
        #expect(try await h.deployment().metadata.annotations?["deprecated.deployment.rollback.to"] == nil)
        #expect(try await h.eventMessages("DeploymentRollback") == ["Rolled back deployment \"nginx-deployment\" to revision 1"])
        try await h.playUntilComplete()
        #expect(try await h.replicaSets().count == 2)
        #expect(try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] == "3")

        try await h.edit { $0.metadata.annotations?["deprecated.deployment.rollback.to"] = "3" }
        try await h.waitUntil("the no-op rollback is cleared") {
            try await h.deployment().metadata.annotations?["deprecated.deployment.rollback.to"] == nil
        }
        #expect(try await h.eventMessages("DeploymentRollbackTemplateUnchanged")
            == ["The rollback revision contains the same template as current deployment \"nginx-deployment\""])
        await h.stop()
    }
}
