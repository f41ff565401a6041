import BosunControllers
import BosunRuntime
import Testing

/// The ReplicationController, run by the ReplicaSet controller's sync through its adapter.
@Suite("ReplicaSet: ReplicationController")
struct ReplicaSetReplicationControllerTests {
    func replicationController(_ name: String = "web", replicas: Int32, selector: [String: String]? = nil) -> ReplicationController {
        ReplicationController(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: ReplicationControllerSpec(replicas: replicas, selector: selector, template: ReplicaSetFixtures.template()))
    }

    func controller(_ env: TestEnvironment, _ name: String = "web") async throws -> ReplicationController {
        try await env.api.get(ReplicationController.self, namespace: "default", name: name)
    }

    @Test("an RC without a selector selects its template's labels and keeps its replicas, controlling them as v1 ReplicationController")
    func createsPods() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rc = try await env.api.create(replicationController(replicas: 3))
        #expect(rc.spec.selector == ["app": "web"] && rc.metadata.labels == ["app": "web"], "defaulted from the template")
        try await env.waitUntil("three pods are reported") {
            let rc = try await controller(env)
            return rc.status.replicas == 3 && rc.status.observedGeneration == 1 && rc.status.fullyLabeledReplicas == 3
        }
        let pods = try await env.pods(controlledBy: rc)
        #expect(pods.count == 3)
        for pod in pods {
            let ref = try #require(pod.controllerOwner)
            #expect(ref.apiVersion == "v1" && ref.kind == "ReplicationController" && ref.name == "web" && ref.blockOwnerDeletion == true)
            #expect(pod.metadata.generateName == "web-")
        }
        let reasons = try await env.events(about: "ReplicationController", named: "web").compactMap(\.reason)
        #expect(reasons == ["SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate"])

        for pod in pods { try await env.setPodStatus(pod.name, phase: "Running", readySince: env.clock.now().truncatedToSeconds) }
        try await env.waitUntil("all are ready and available") {
            let status = try await controller(env).status
            return status.readyReplicas == 3 && status.availableReplicas == 3
        }
        await env.stop()
    }

    @Test("an RC adopts orphans its equality selector matches, releases pods that stop matching, and leaves ReplicaSet pods alone")
    func adoptsAndReleases() async throws {
        // The RC's selector (app=web) also matches the ReplicaSet's pod, which it must leave alone.
        let env = try await TestEnvironment.withReplicaSetControllers { env in
            let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(
                "web-rs", replicas: 1, selector: ["app": "web", "tier": "rs"], templateLabels: ["app": "web", "tier": "rs"]))
            _ = try await env.api.create(ReplicaSetFixtures.pod("rs-pod", labels: ["app": "web", "tier": "rs"], owner: rs.controllerReference))
            _ = try await env.api.create(ReplicaSetFixtures.pod("orphan", labels: ["app": "web", "extra": "yes"]))
            _ = try await env.api.create(replicationController(replicas: 2, selector: ["app": "web"]))
        }
        let rs = try await env.replicaSet("web-rs")
        let rc = try await controller(env)
        try await env.waitForReplicas(1, of: "web-rs")
        try await env.waitUntil("the RC has two pods") {
            let rc = try await controller(env)
            guard rc.status.replicas == 2 else { return false }
            return try await env.activePods(controlledBy: rc).count == 2
        }
        #expect(try await env.pods(controlledBy: rc).contains { $0.name == "orphan" }, "the orphan was adopted")
        #expect(try await env.pods(controlledBy: rs).map(\.name) == ["rs-pod"], "the ReplicaSet's pod stays the ReplicaSet's")

        var pod = try await env.pods(controlledBy: rc)[0]
        let released = pod.name
        pod.metadata.labels = ["app": "other"]
        _ = try await env.api.update(pod)
        try await env.waitUntil("the pod is released and replaced") {
            let freed = try await env.api.get(Pod.self, namespace: "default", name: released)
            let owned = try await env.activePods(controlledBy: rc)
            return (freed.metadata.ownerReferences?.isEmpty ?? true) && owned.count == 2 && !owned.contains { $0.name == released }
        }
        await env.stop()
    }

    @Test("RS-11: an RC deleted with no options is orphaned: it stays with the orphan finalizer and only its status changes")
    func defaultDeletionOrphans() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rc = try await env.api.create(replicationController(replicas: 2))
        try await env.waitUntil("two pods are reported") { try await controller(env).status.replicas == 2 }

        let result = try await env.api.delete(ReplicationController.self, namespace: "default", name: "web")
        guard case .pending(let deleting) = result else {
            Issue.record("a core/v1 ReplicationController deleted without options waits for the garbage collector to orphan its pods")
            return
        }
        #expect(deleting.metadata.finalizers == ["orphan"])
        try await env.waitUntil("the controllers' cache shows the deletion") {
            try await env.client.get(ReplicationController.self, namespace: "default", name: "web").metadata.deletionTimestamp != nil
        }
        let pods = try await env.pods(controlledBy: rc)
        try await env.api.delete(Pod.self, namespace: "default", name: pods[0].name)
        try await env.waitUntil("the status shows one pod") { try await controller(env).status.replicas == 1 }
        #expect(try await env.pods(controlledBy: rc).map(\.name) == [pods[1].name], "no replacement while it is being deleted")
        await env.stop()
    }

    @Test("a failed create sets ReplicaFailure on the RC too")
    func failureCondition() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        try env.store.register(validating: PodRefusal(.create))
        _ = try await env.api.create(replicationController(replicas: 1))
        try await env.waitUntil("ReplicaFailure is set") {
            try await controller(env).status.conditions?.first { $0.type == "ReplicaFailure" }?.reason == "FailedCreate"
        }
        await env.stop()
    }
}
