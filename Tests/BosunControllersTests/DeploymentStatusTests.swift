import BosunControllers
import BosunRuntime
import BosunStore
import Testing

@Suite("Deployment: status and conditions")
struct DeploymentStatusTests {
    @Test("D-19, D-23: Available follows available ≥ replicas − maxUnavailable on every sync; complete is NewReplicaSetAvailable")
    func availability() async throws {
        let h = try await DeploymentHarness.start()
        let rs = try await h.createAvailable(nginxDeployment(replicas: 4))
        let progressing = try #require(try await h.condition("Progressing"))
        #expect(progressing.status == "True" && progressing.message == "ReplicaSet \"\(rs.name)\" has successfully progressed.")
        let available = try #require(try await h.condition("Available"))
        #expect(available.status == "True" && available.message == "Deployment has minimum availability.")
        #expect(try await h.deployment().status.conditions?.map(\.type) == ["Available", "Progressing"])

        // 25% of 4: one may be unavailable.
        h.env.clock.advance(by: .seconds(5))
        try await h.report(rs.name, ready: 3)
        try await h.waitUntil("three available") { try await h.deployment().status.availableReplicas == 3 }
        #expect(try await h.condition("Available")?.status == "True")
        #expect(try await h.deployment().status.unavailableReplicas == 1)
        h.env.clock.advance(by: .seconds(5))
        try await h.report(rs.name, ready: 2)
        try await h.waitUntil("Available is False") { try await h.condition("Available")?.status == "False" }
        let unavailable = try #require(try await h.condition("Available"))
        #expect(unavailable.reason == "MinimumReplicasUnavailable" && unavailable.message == "Deployment does not have minimum availability.")
        #expect(unavailable.lastTransitionTime == available.lastTransitionTime?.advanced(by: .seconds(10)))
        try await h.report(rs.name)
        try await h.waitUntil("Available again") { try await h.condition("Available")?.status == "True" }
        await h.stop()
    }

    @Test("status is written only when it changed")
    func statusWrittenOnChange() async throws {
        let h = try await DeploymentHarness.start()
        let rs = try await h.createAvailable(nginxDeployment())
        let before = try await h.deployment().metadata.resourceVersion
        let watch = try await h.env.api.watch(Deployment.self, namespace: "default", options: ListOptions(resourceVersion: before))
        // Syncs that find nothing new...
        for _ in 0..<3 {
            try await h.touch(rs.name)
            h.env.clock.advance(by: .seconds(30))
        }
        // ...then one that does.
        try await h.report(rs.name, ready: 2)
        try await h.waitUntil("the change is written") { try await h.deployment().status.readyReplicas == 2 }
        var writes: [Deployment] = []
        for try await event in watch {
            guard let d = event.object, event.type == .modified else { continue }
            writes.append(d)
            if d.status.readyReplicas == 2 { break }
        }
        #expect(writes.count == 1, "only the change is written")
        #expect(writes.first?.status.conditions?.first { $0.type == "Available" }?.status == "False")
        await h.stop()
    }

    @Test("D-22: a progressDeadlineSeconds of MaxInt32 means no Progressing condition")
    func noDeadline() async throws {
        let h = try await DeploymentHarness.start()
        try await h.create(nginxDeployment(progressDeadlineSeconds: Int32.max))
        try await h.waitUntil("the ReplicaSet exists") { try await !h.replicaSets().isEmpty }
        try await h.report(try await h.replicaSets()[0].name)
        try await h.waitUntil("available") { try await h.deployment().status.availableReplicas == 3 }
        #expect(try await h.deployment().status.conditions?.map(\.type) == ["Available"])
        await h.stop()
    }

    @Test("ReplicaFailure is copied from the ReplicaSets, the new one's first, and removed when they clear")
    func replicaFailure() async throws {
        let h = try await DeploymentHarness.start()
        let old = try await h.createAvailable(nginxDeployment())
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.waitUntil("the new ReplicaSet exists") { try await h.replicaSet(running: "nginx:1.16.1") != nil }
        let new = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        let failedAt = h.env.clock.now().truncatedToSeconds
        @Sendable func fail(_ name: String, _ message: String?, reason: String = "FailedCreate") async throws {
            var rs = try await h.replicaSet(name)
            rs.status.conditions = message.map {
                [ReplicaSetCondition(status: "True", type: "ReplicaFailure", lastTransitionTime: failedAt, message: $0, reason: reason)]
            }
            _ = try await h.env.api.updateStatus(rs)
        }
        try await fail(old.name, "old quota")
        try await h.waitUntil("the old failure shows") { try await h.condition("ReplicaFailure")?.message == "old quota" }
        // A condition with the same status and reason is not rewritten (upstream
        // SetDeploymentCondition), so the new ReplicaSet's failure has another reason.
        try await fail(new.name, "new quota", reason: "FailedDelete")
        try await h.waitUntil("the new failure wins") { try await h.condition("ReplicaFailure")?.message == "new quota" }
        let failure = try #require(try await h.condition("ReplicaFailure"))
        #expect(failure.status == "True" && failure.reason == "FailedDelete")
        #expect(failure.lastUpdateTime == failedAt && failure.lastTransitionTime == failedAt)
        try await fail(new.name, nil)
        try await fail(old.name, nil)
        try await h.waitUntil("the failure clears") { try await h.condition("ReplicaFailure") == nil }
        await h.stop()
    }

    @Test("D-16: a Deployment being deleted only gets its status: no rollout")
    func deletedDeploymentStatusOnly() async throws {
        let h = try await DeploymentHarness.start()
        var d = nginxDeployment()
        d.metadata.finalizers = ["example.com/hold"]
        let rs = try await h.createAvailable(d)
        _ = try await h.env.api.delete(Deployment.self, namespace: "default", name: "nginx-deployment")
        let deleting = try await h.setImageReturning("nginx:1.16.1")
        #expect(deleting.metadata.deletionTimestamp != nil)
        try await h.report(rs.name, ready: 1)
        try await h.waitUntil("the status is kept up") {
            let now = try await h.deployment()
            return now.status.readyReplicas == 1 && now.status.observedGeneration == deleting.metadata.generation
        }
        #expect(try await h.replicaSets().count == 1, "no new ReplicaSet for a Deployment being deleted")
        try await h.edit { $0.metadata.finalizers = nil }
        await h.stop()
    }

    @Test("a Deployment of MaxInt32 replicas does not bring the controller down")
    func hugeReplicaCount() async throws {
        let h = try await DeploymentHarness.start()
        try await h.create(nginxDeployment(replicas: Int32.max))
        try await h.waitUntil("the ReplicaSet exists") { try await !h.replicaSets().isEmpty }
        // The controller still serves other Deployments.
        try await h.createAvailable(nginxDeployment(name: "small"))
        await h.stop()
    }

    @Test("an empty selector: Warning SelectingAll, and nothing but observedGeneration")
    func selectingAll() async throws {
        // Validation refuses such a Deployment now; one stored before it did is loaded as is.
        var legacy = nginxDeployment(name: "legacy")
        BuiltinAdmission.applyDefaults(&legacy)
        legacy.spec.selector = LabelSelector()
        legacy.metadata.uid = UID.random()
        legacy.metadata.generation = 2
        legacy.metadata.creationTimestamp = Time(secondsSinceEpoch: 1_767_225_000)
        let backend = MemoryBackend()
        _ = try backend.commitNow(.create("/registry/apps/deployments/default/legacy", legacy.jsonBytes()))
        let clock = ManualClock()
        let store = try await ObjectStore.open(backend: backend, clock: clock)
        let api = StoreClient(store: store)
        let manager = Manager(client: api, clock: clock, options: ManagerOptions(defaultConcurrency: 2))
        let events = EventRecorder(client: api, clock: clock, component: DeploymentController.eventSource)
        try DeploymentController.register(with: manager, events: events)
        let running = Task { try await manager.run() }

        try await waitUntil("the generation is observed") {
            try await api.get(Deployment.self, namespace: "default", name: "legacy").status.observedGeneration == 2
        }
        await events.flush()
        let warnings = try await api.listAll(Event.self, namespace: "default").filter { $0.reason == "SelectingAll" }
        #expect(warnings.first?.type == "Warning")
        #expect(warnings.first?.message == "This deployment is selecting all pods. A non-empty selector is required.")
        #expect(warnings.first?.source?.component == "deployment-controller")
        #expect(try await api.listAll(ReplicaSet.self).isEmpty)
        #expect(try await api.get(Deployment.self, namespace: "default", name: "legacy").status.conditions == nil)
        running.cancel()
        _ = try? await running.value
        await events.shutdown()
        await store.close()
    }
}

private func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while try await !condition() {
        if ContinuousClock.now > deadline { throw TestEnvironmentError.timedOut(what) }
        await Task.yield()
    }
}
