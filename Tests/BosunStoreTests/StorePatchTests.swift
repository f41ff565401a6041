import BosunKit
import BosunStore
import Testing

@Suite("Store: patch")
struct StorePatchTests {
    @Test func strategicMergePatchMergesContainersByName() async throws {
        let store = try await makeStore()
        try await store.create(deployments, object: deployment("web"))
        let patch = try JSONParser.parse(#"{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.16.1"},{"name":"sidecar","image":"envoy"}]}}}}"#)
        let patched = try await store.patch(deployments, namespace: "default", name: "web", type: .strategic, patch: patch)
        let containers = patched.unstructured()[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
        #expect(containers.compactMap { $0["name"]?.stringValue } == ["main", "sidecar"])
        #expect(containers.first?["image"] == "nginx:1.16.1")
        #expect(patched.meta["generation"] == 2)
    }

    @Test func mergePatchNullDeletes() async throws {
        let store = try await makeStore()
        try await store.create(configMaps, object: configMap("c", data: ["a": "1", "b": "2"]))
        let patched = try await store.patch(configMaps, namespace: "default", name: "c", type: .merge,
                                            patch: ["data": ["a": nil, "c": "3"]])
        #expect(patched.unstructured().object["data"] == ["b": "2", "c": "3"])
    }

    @Test func failedJSONPatchTestIs422AndStoresNothing() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web", replicas: 1))
        let patch = try JSONParser.parse(#"[{"op":"test","path":"/spec/replicas","value":5},{"op":"replace","path":"/spec/replicas","value":9}]"#)
        do {
            try await store.patch(deployments, namespace: "default", name: "web", type: .json, patch: patch)
            Issue.record("expected 422")
        } catch {
            #expect(error.code == 422)
        }
        #expect(try store.get(deployments, namespace: "default", name: "web").resourceVersion == created.resourceVersion)
        let ok = try JSONParser.parse(#"[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":4}]"#)
        let patched = try await store.patch(deployments, namespace: "default", name: "web", type: .json, patch: ok)
        #expect(patched.unstructured()[path: "spec", "replicas"] == 4)
    }

    @Test func strategicPatchOnACustomResourceIs415() async throws {
        let store = try await makeStore()
        let crd = try object(#"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
              "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """#)
        try await store.create(GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), object: crd)
        let widgets = GroupResource(group: "example.com", resource: "widgets")
        try await store.create(widgets, object: try object(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"default"},"spec":{"size":1}}"#))
        do {
            try await store.patch(widgets, namespace: "default", name: "w", type: .strategic, patch: ["spec": ["size": 2]])
            Issue.record("expected 415")
        } catch {
            #expect(error.code == 415)
        }
        let merged = try await store.patch(widgets, namespace: "default", name: "w", type: .merge, patch: ["spec": ["size": 2]])
        #expect(merged.unstructured()[path: "spec", "size"] == 2)
    }

    @Test func applyCreatesThenMerges() async throws {
        let store = try await makeStore()
        let applied = configMap("applied", data: ["a": "1"])
        await #expect(throws: APIError.self) {
            try await store.patch(configMaps, namespace: "default", name: "applied", type: .apply, patch: .object(applied.object))
        }
        let created = try await store.patch(configMaps, namespace: "default", name: "applied", type: .apply,
                                            patch: .object(applied.object), options: WriteOptions(fieldManager: "me"))
        #expect(created.unstructured()[path: "data", "a"] == "1")
        let again = try await store.patch(configMaps, namespace: "default", name: "applied", type: .apply,
                                          patch: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["b": "2"]],
                                          options: WriteOptions(fieldManager: "me"))
        #expect(again.unstructured().object["data"] == ["a": "1", "b": "2"])
    }

    @Test func statusPatchChangesOnlyStatus() async throws {
        let store = try await makeStore()
        try await store.create(deployments, object: deployment("web"))
        let patched = try await store.patch(deployments, namespace: "default", name: "web", type: .merge,
                                            patch: ["spec": ["replicas": 7], "status": ["replicas": 3]], subresource: "status")
        #expect(patched.unstructured()[path: "status", "replicas"] == 3)
        #expect(patched.unstructured()[path: "spec", "replicas"] == 1)
    }

    @Test func pinnedResourceVersionMustBeCurrent() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("c"))
        try await store.patch(configMaps, namespace: "default", name: "c", type: .merge, patch: ["data": ["x": "1"]])
        do {
            try await store.patch(configMaps, namespace: "default", name: "c", type: .merge,
                                  patch: ["metadata": ["resourceVersion": .string(String(created.resourceVersion))], "data": ["x": "2"]])
            Issue.record("expected Conflict")
        } catch {
            #expect(error.code == 409)
        }
    }
}
