import BosunControllers
import BosunRuntime
import Testing

@Suite("Deployment: Recreate, pause and resume")
struct DeploymentRecreateAndPauseTests {
    /// A pod of `rs` as the ReplicaSet controller makes it.
    private func pod(_ name: String, of rs: ReplicaSet, _ h: DeploymentHarness) async throws {
        // Bound to a node, so that deleting it is graceful.
        var bound = rs.spec.template?.spec ?? PodSpec()
        bound.nodeName = "node-1"
        _ = try await h.env.api.create(Pod(
            metadata: ObjectMeta(labels: rs.spec.template?.metadata?.labels, name: name, namespace: "default",
                                 ownerReferences: [rs.controllerReference]),
            spec: bound))
    }

    private func setPhase(_ phase: String, of name: String, _ h: DeploymentHarness) async throws {
        var pod = try await h.env.api.get(Pod.self, namespace: "default", name: name)
        pod.status.phase = phase
        _ = try await h.env.api.updateStatus(pod)
    }

    private func forceDelete(_ name: String, _ h: DeploymentHarness) async throws {
        try await h.env.api.delete(Pod.self, namespace: "default", name: name, options: DeleteOptions(gracePeriodSeconds: 0))
    }

    @Test("D-14, D-15: Recreate scales the old ReplicaSet to 0 and creates the new one only when no old pod may still run")
    func recreate() async throws {
        let h = try await DeploymentHarness.start()
        let old = try await h.createAvailable(nginxDeployment(strategy: DeploymentStrategy(type: "Recreate")))
        for name in ["old-a", "old-b", "old-c"] {
            try await pod(name, of: old, h)
            try await setPhase("Running", of: name, h)
        }
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.waitForSpec(old.name, 0)
        let messages = try await h.eventMessages("ScalingReplicaSet")
        #expect(messages.last == "Scaled down replica set \(old.name) from 3 to 0", "\(messages)")

        /// Makes the controller sync (an annotation change bumps the generation it must observe)
        /// and checks that the sync created nothing.
        @Sendable func noNewReplicaSetYet(_ why: Comment) async throws {
            let poked = try await h.edit {
                $0.metadata.annotations = ($0.metadata.annotations ?? [:]).merging(["test/poke": UID.random()]) { $1 }
            }
            try await h.waitUntil("the change is observed") {
                (try await h.deployment().status.observedGeneration ?? 0) >= (poked.metadata.generation ?? 0)
            }
            #expect(try await h.replicaSets().count == 1, why)
        }
        // The ReplicaSet controller reports no replicas; its pods have not all ended.
        try await h.report(old.name)
        try await setPhase("Unknown", of: "old-a", h)
        try await setPhase("Succeeded", of: "old-b", h)
        try await setPhase("Failed", of: "old-c", h)
        try await noNewReplicaSetYet("a pod in phase Unknown may still run")
        // (A late pod, made before the Unknown one goes so that some old pod is always there.)
        try await pod("old-d", of: old, h)
        try await setPhase("Running", of: "old-d", h)
        try await h.env.api.delete(Pod.self, namespace: "default", name: "old-d")
        try await forceDelete("old-a", h)
        try await noNewReplicaSetYet("a terminating pod may still run")
        // The last one that might run goes; the ended ones may stay.
        try await forceDelete("old-d", h)

        // Only now: the new ReplicaSet, at full size.
        try await h.waitUntil("the new ReplicaSet exists") { try await h.replicaSet(running: "nginx:1.16.1") != nil }
        let new = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        #expect(new.spec.replicas == 3)
        try await h.report(new.name, ready: 2)
        try await h.waitUntil("two available") { try await h.deployment().status.availableReplicas == 2 }
        #expect(try await h.condition("Available")?.status == "False", "Recreate allows no unavailable replica")
        try await h.report(new.name)
        try await h.waitForComplete()
        #expect(try await h.condition("Available")?.reason == "MinimumReplicasAvailable")
        await h.stop()
    }

    @Test("D-17, D-18: paused, template edits make no ReplicaSet but scaling works; resumed, the edits roll out as one revision")
    func pauseAndResume() async throws {
        let h = try await DeploymentHarness.start()
        let log = try await ProgressingLog.watching(h.env.api)
        let first = try await h.createAvailable(nginxDeployment(progressDeadlineSeconds: 600))
        try await h.edit { $0.spec.paused = true }
        try await h.waitUntil("the pause is recorded") { try await h.condition("Progressing")?.reason == "DeploymentPaused" }
        let paused = try #require(try await h.condition("Progressing"))
        #expect(paused.status == "Unknown" && paused.message == "Deployment is paused")

        try await h.setImage("nginx:1.16.1")
        try await h.scale(to: 5)
        try await h.waitForSpec(first.name, 5)
        try await h.setImage("nginx:1.17.0")
        try await h.waitUntil("the edits are observed") {
            let d = try await h.deployment()
            return d.status.observedGeneration == d.metadata.generation
        }
        #expect(try await h.replicaSets().count == 1, "no new ReplicaSet while paused")
        #expect(try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] == "1")

        // Paused longer than the deadline: resuming starts the deadline afresh.
        h.env.clock.advance(by: .seconds(1000))
        let resumedAt = h.env.clock.now().truncatedToSeconds
        try await h.edit { $0.spec.paused = false }
        try await h.waitUntil("the new ReplicaSet exists") { try await h.replicaSets().count == 2 }
        let sets = try await h.replicaSets()
        #expect(sets[1].spec.template?.spec?.containers[0].image == "nginx:1.17.0", "the edits make one revision")
        #expect(sets[1].metadata.annotations?["deployment.kubernetes.io/revision"] == "2")
        try await h.playUntilComplete()
        let resumed = log.conditions.first { $0.reason == "DeploymentResumed" }
        #expect(resumed?.status == "Unknown" && resumed?.message == "Deployment is resumed")
        #expect(resumed?.lastUpdateTime == resumedAt)
        #expect(!log.reasons.contains("ProgressDeadlineExceeded"))
        #expect(Array(log.reasons.drop { $0 != "DeploymentPaused" }.prefix(3)) == ["DeploymentPaused", "DeploymentResumed", "NewReplicaSetCreated"])
        log.stop()
        await h.stop()
    }

    @Test("D-11, D-17: paused with no active ReplicaSet, scaling grows the newest")
    func pausedScalingFromZero() async throws {
        let h = try await DeploymentHarness.start()
        let first = try await h.createAvailable(nginxDeployment())
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.playUntilComplete()
        let second = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        try await h.edit {
            $0.spec.paused = true
            $0.spec.replicas = 0
        }
        try await h.waitForSpec(second.name, 0)
        try await h.scale(to: 2)
        try await h.waitForSpec(second.name, 2)
        #expect(try await h.replicaSet(first.name).spec.replicas == 0)
        await h.stop()
    }

    @Test("D-12: paused with a saturated new ReplicaSet, adopted old ReplicaSets go to 0")
    func saturatedNewReplicaSet() async throws {
        let h = try await DeploymentHarness.start()
        let current = try await h.createAvailable(nginxDeployment())
        try await h.edit { $0.spec.paused = true }
        try await h.waitUntil("the pause is recorded") { try await h.condition("Progressing")?.reason == "DeploymentPaused" }
        var template = nginxDeployment(image: "nginx:1.0").spec.template
        template.metadata?.labels?["pod-template-hash"] = "legacy"
        let labels = ["app": "nginx", "pod-template-hash": "legacy"]
        _ = try await h.env.api.create(ReplicaSet(
            metadata: ObjectMeta(labels: labels, name: "legacy", namespace: "default"),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: labels), replicas: 2, template: template)))
        try await h.waitForSpec("legacy", 0)
        #expect(try await h.replicaSet("legacy").metadata.ownerReferences?.first?.name == "nginx-deployment")
        #expect(try await h.replicaSet(current.name).spec.replicas == 3)
        await h.stop()
    }
}
