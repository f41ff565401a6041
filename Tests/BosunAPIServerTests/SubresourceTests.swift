import BosunKit
import BosunStore
import NIOHTTP1
import Synchronization
import Testing

@Suite("API server: subresources")
struct SubresourceTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    @Test("/status writes only status; the main resource ignores status")
    func status() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.deployments, json: Fixtures.deployment("web"))
        let patched = try await client.request(.PATCH, Self.deployments + "/web/status",
                                               json: ["status": ["replicas": 1, "observedGeneration": 1], "spec": ["replicas": 7]],
                                               contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        #expect(patched.json[path: ["status", "replicas"]] == 1 && patched.json[path: ["spec", "replicas"]] == 1)
        let main = try await client.request(.PATCH, Self.deployments + "/web", json: ["status": ["replicas": 9]],
                                            contentType: "application/merge-patch+json")
        #expect(main.json[path: ["status", "replicas"]] == 1)
        let read = try await client.request(.GET, Self.deployments + "/web/status")
        #expect(read.json["kind"]?.stringValue == "Deployment")
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/configmaps/x/status").status == 404)
        await client.close()
        await server.stop()
    }

    @Test("/scale: autoscaling/v1 Scale, merge patch as kubectl scale sends it, PUT, conflicts")
    func scale() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.deployments, json: Fixtures.deployment("web", replicas: 2))
        let scale = try await client.request(.GET, Self.deployments + "/web/scale")
        #expect(scale.json["kind"]?.stringValue == "Scale" && scale.json["apiVersion"]?.stringValue == "autoscaling/v1")
        #expect(scale.json[path: ["spec", "replicas"]] == 2)

        let patched = try await client.request(.PATCH, Self.deployments + "/web/scale", json: ["spec": ["replicas": 5]],
                                               contentType: "application/merge-patch+json")
        #expect(patched.status == 200 && patched.json[path: ["spec", "replicas"]] == 5)
        #expect(try await client.request(.GET, Self.deployments + "/web").json[path: ["spec", "replicas"]] == 5)

        var put = patched.json.objectValue ?? JSONObject()
        put["spec"] = ["replicas": 1]
        #expect(try await client.request(.PUT, Self.deployments + "/web/scale", json: .object(put)).json[path: ["spec", "replicas"]] == 1)
        let stale = try await client.request(.PUT, Self.deployments + "/web/scale", json: .object(put))
        #expect(stale.status == 409)
        let negative = try await client.request(.PATCH, Self.deployments + "/web/scale", json: ["spec": ["replicas": -1]],
                                                contentType: "application/merge-patch+json")
        #expect(negative.status == 422)
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/configmaps/x/scale").status == 404)
        await client.close()
        await server.stop()
    }

    @Test("/scale without a resourceVersion is unconditional: a write in between is retried, not a 409")
    func scaleRetriesAnInterleavedWrite() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.deployments, json: Fixtures.deployment("web", replicas: 2))
        // Writes the status while the scale update is in admission, as a controller would.
        try server.store.register(mutating: StatusWriterOnce(store: server.store))

        let patched = try await client.request(.PATCH, Self.deployments + "/web/scale", json: ["spec": ["replicas": 6]],
                                               contentType: "application/merge-patch+json")
        #expect(patched.status == 200 && patched.json[path: ["spec", "replicas"]] == 6)
        let stored = try await client.request(.GET, Self.deployments + "/web")
        #expect(stored.json[path: ["spec", "replicas"]] == 6 && stored.json[path: ["status", "observedGeneration"]] == 9)
        await client.close()
        await server.stop()
    }

    @Test("A foreground delete without preconditions retries a write in between, not a 409")
    func foregroundDeleteRetriesAnInterleavedWrite() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.deployments, json: Fixtures.deployment("web", replicas: 2))
        // Writes the status while the delete is in admission, after the store read the object.
        try server.store.register(validating: StatusWriterOnce(store: server.store))

        let deleted = try await client.request(.DELETE, Self.deployments + "/web?propagationPolicy=Foreground")
        #expect(deleted.status == 200)
        #expect(deleted.json[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
        #expect(deleted.json[path: ["metadata", "deletionTimestamp"]] != nil)
        #expect(deleted.json[path: ["status", "observedGeneration"]] == 9)
        await client.close()
        await server.stop()
    }

    @Test("pods/binding assigns the pod and answers Status Success 201")
    func binding() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
            "spec": ["containers": [["name": "c", "image": "busybox"]]],
        ]
        #expect(try await client.request(.POST, "/api/v1/namespaces/default/pods", json: pod).status == 201)
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"], "target": ["kind": "Node", "name": "n1"],
        ]
        let bound = try await client.request(.POST, "/api/v1/namespaces/default/pods/p/binding", json: binding)
        #expect(bound.status == 201 && bound.json["status"]?.stringValue == "Success")
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/pods/p").json[path: ["spec", "nodeName"]]?.stringValue == "n1")
        let twice = try await client.request(.POST, "/api/v1/namespaces/default/pods/p/binding", json: binding)
        #expect(twice.status == 409)
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/pods/p/binding").status == 405)
        await client.close()
        await server.stop()
    }
}

/// On the first update of a Deployment's main resource (as a mutating hook) or its first delete
/// (as a validating hook), patches its status through the store, so the write's compare-and-swap
/// finds a newer object.
private final class StatusWriterOnce: MutatingAdmissionHook, ValidatingAdmissionHook {
    let name = "status-writer-once"
    let store: ObjectStore
    private let fired = Mutex(false)

    init(store: ObjectStore) { self.store = store }

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.operation != .create && request.subresource == nil && request.resource.resource == "deployments"
    }

    func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
        try await writeStatusOnce(request)
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        try await writeStatusOnce(request)
    }

    private func writeStatusOnce(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        guard fired.withLock({ (f: inout Bool) -> Bool in defer { f = true }; return !f }) else { return }
        do {
            try await store.patch(request.resource, namespace: request.namespace, name: request.name, type: .merge,
                                  patch: ["status": ["observedGeneration": 9]], subresource: "status")
        } catch {
            throw AdmissionDenied("the interleaved status write failed: \(error.message)")
        }
    }
}
