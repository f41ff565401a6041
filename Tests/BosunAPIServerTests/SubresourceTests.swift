import BosunKit
import NIOHTTP1
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
