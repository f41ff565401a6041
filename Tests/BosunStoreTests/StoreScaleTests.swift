import BosunKit
import BosunStore
import Testing

@Suite("Store: scale subresource")
struct StoreScaleTests {
    @Test func deploymentScaleReadsAndWritesReplicas() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web", replicas: 2))
        let scale = try store.scale(deployments, namespace: "default", name: "web")
        #expect(scale.spec.replicas == 2)
        #expect(scale.status.selector == "app=web")
        #expect(scale.metadata.resourceVersion == String(created.resourceVersion))

        var wanted = scale
        wanted.spec.replicas = 5
        let updated = try await store.updateScale(deployments, namespace: "default", scale: wanted)
        #expect(updated.spec.replicas == 5)
        let stored = try store.get(deployments, namespace: "default", name: "web")
        #expect(stored.unstructured()[path: "spec", "replicas"] == 5)
        #expect(stored.meta["generation"] == 2)

        // The old Scale's version is stale now.
        await #expect(throws: APIError.conflict(deployments, "web")) {
            try await store.updateScale(deployments, namespace: "default", scale: wanted)
        }
        var negative = updated
        negative.spec.replicas = -1
        do {
            try await store.updateScale(deployments, namespace: "default", scale: negative)
            Issue.record("expected Invalid")
        } catch {
            #expect(error.message == #"Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
        }
    }

    @Test func kindsWithoutScaleHaveNone() async throws {
        let store = try await makeStore()
        try await store.create(configMaps, object: configMap("c"))
        #expect(throws: APIError.self) { try store.scale(configMaps, namespace: "default", name: "c") }
    }

    @Test func customResourcesScaleThroughTheirDeclaredPaths() async throws {
        let store = try await makeStore()
        let crd = try object(#"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"workers.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"workers","kind":"Worker"},
              "versions":[{"name":"v1","served":true,"storage":true,
                "subresources":{"status":{},"scale":{"specReplicasPath":".spec.count","statusReplicasPath":".status.count","labelSelectorPath":".status.selector"}},
                "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """#)
        try await store.create(GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), object: crd)
        let workers = GroupResource(group: "example.com", resource: "workers")
        try await store.create(workers, object: try object(#"{"apiVersion":"example.com/v1","kind":"Worker","metadata":{"name":"w","namespace":"default"},"spec":{"count":1}}"#))
        var scale = try store.scale(workers, namespace: "default", name: "w")
        #expect(scale.spec.replicas == 1)
        scale.spec.replicas = 3
        try await store.updateScale(workers, namespace: "default", scale: scale)
        #expect(try store.get(workers, namespace: "default", name: "w").unstructured()[path: "spec", "count"] == 3)
    }
}
