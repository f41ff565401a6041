import BosunKit
import BosunRuntime
import NIOHTTP1
import Testing

@Suite("API server: verbs")
struct ResourceVerbTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    @Test("create, get, list with selectors and pages, update with optimistic concurrency")
    func createGetListUpdate() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let created = try await client.request(.POST, Self.configMaps + "?fieldManager=kubectl-create&fieldValidation=Strict",
                                               json: Fixtures.configMap("a", labels: ["tier": "web"]))
        #expect(created.status == 201 && created.contentType == "application/json")
        #expect(created.json[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)
        let again = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("a"))
        #expect(again.status == 409 && again.json["reason"]?.stringValue == "AlreadyExists")
        #expect(again.json["message"]?.stringValue == "configmaps \"a\" already exists")
        for name in ["b", "c"] {
            _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap(name, labels: ["tier": "db"]))
        }

        let got = try await client.request(.GET, Self.configMaps + "/a")
        #expect(got.json["data"] == ["k": "v"])

        let selected = try await client.request(.GET, Self.configMaps + "?labelSelector=tier%3Ddb")
        #expect(selected.json["kind"]?.stringValue == "ConfigMapList" && selected.json["apiVersion"]?.stringValue == "v1")
        #expect(names(selected) == ["b", "c"])
        #expect(selected.json[path: ["metadata", "resourceVersion"]]?.stringValue == String(server.store.resourceVersion))
        #expect(names(try await client.request(.GET, Self.configMaps + "?fieldSelector=metadata.name%3Db")) == ["b"])
        let badSelector = try await client.request(.GET, Self.configMaps + "?fieldSelector=spec.nodeName%3Dx")
        #expect(badSelector.status == 400 && badSelector.json["message"]?.stringValue == "field label not supported: spec.nodeName")

        let first = try await client.request(.GET, Self.configMaps + "?limit=2")
        #expect(names(first) == ["a", "b"])
        let token = first.json[path: ["metadata", "continue"]]?.stringValue ?? ""
        #expect(!token.isEmpty)
        let second = try await client.request(.GET, Self.configMaps + "?limit=2&continue=" + token)
        #expect(names(second) == ["c"] && second.json[path: ["metadata", "continue"]] == nil)

        // Everywhere: the all-namespaces path of a namespaced resource.
        #expect(names(try await client.request(.GET, "/api/v1/configmaps")).count == 3)
        #expect(try await client.request(.POST, "/api/v1/configmaps", json: Fixtures.configMap("z")).status == 405)

        // Update (PUT): the stored resourceVersion passes, a stale one is a conflict.
        var object = got.json.objectValue ?? JSONObject()
        object["data"] = ["k": "changed"]
        let updated = try await client.request(.PUT, Self.configMaps + "/a", json: .object(object))
        #expect(updated.status == 200 && updated.json["data"] == ["k": "changed"])
        let stale = try await client.request(.PUT, Self.configMaps + "/a", json: .object(object))
        #expect(stale.status == 409 && stale.json["reason"]?.stringValue == "Conflict")
        let renamed = try await client.request(.PUT, Self.configMaps + "/b", json: Fixtures.configMap("a"))
        #expect(renamed.status == 400)

        let missing = try await client.request(.GET, Self.configMaps + "/nope")
        #expect(missing.status == 404)
        #expect(missing.json["message"]?.stringValue == "configmaps \"nope\" not found")
        #expect(missing.json[path: ["details", "name"]]?.stringValue == "nope")
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/nothings").status == 404)
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/nodes").status == 404, "nodes are cluster-scoped")
        await client.close()
        await server.stop()
    }

    @Test("bodies: YAML accepted, no Content-Type means JSON, malformed is 400, unknown type 415, over 3 MiB 413")
    func bodies() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  answer: \"42\"\n"
        let fromYAML = try await client.request(.POST, Self.configMaps, body: Array(yaml.utf8), contentType: "application/yaml")
        #expect(fromYAML.status == 201 && fromYAML.json[path: ["data", "answer"]]?.stringValue == "42")
        let bare = try await client.request(.POST, Self.configMaps, body: JSONWriter.encode(Fixtures.configMap("bare")), contentType: nil)
        #expect(bare.status == 201)
        let malformed = try await client.request(.POST, Self.configMaps, body: Array("{\"kind\":".utf8))
        #expect(malformed.status == 400 && malformed.json["reason"]?.stringValue == "BadRequest")
        let cbor = try await client.request(.POST, Self.configMaps, body: [0xA0], contentType: "application/cbor")
        #expect(cbor.status == 415 && cbor.json["reason"]?.stringValue == "UnsupportedMediaType")
        // Protobuf is read (ProtobufBodyTests); an envelope with no object in it is a bad request.
        let protobuf = try await client.request(.POST, Self.configMaps, body: [0x6b, 0x38, 0x73, 0x00],
                                                contentType: "application/vnd.kubernetes.protobuf")
        #expect(protobuf.status == 400)
        let big = Fixtures.configMap("big", data: ["blob": .string(String(repeating: "x", count: 3 * 1024 * 1024))])
        let tooLarge = try await client.request(.POST, Self.configMaps, json: big)
        #expect(tooLarge.status == 413 && tooLarge.json["reason"]?.stringValue == "RequestEntityTooLarge")
        #expect(try await client.request(.GET, Self.configMaps + "/big").status == 404)
        await client.close()
        await server.stop()
    }

    @Test("the four patch types, apply creating with 201, a failed JSON-patch test is 422")
    func patches() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let deployments = "/apis/apps/v1/namespaces/default/deployments"
        #expect(try await client.request(.POST, deployments, json: Fixtures.deployment("web")).status == 201)

        let merge = try await client.request(.PATCH, deployments + "/web", json: ["spec": ["replicas": 3]],
                                             contentType: "application/merge-patch+json")
        #expect(merge.status == 200 && merge.json[path: ["spec", "replicas"]] == 3)
        #expect(merge.json[path: ["metadata", "generation"]] == 2)

        let strategic: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "web", "image": "nginx:1.26"]]]]]]
        let smp = try await client.request(.PATCH, deployments + "/web?fieldManager=kubectl-patch", json: strategic,
                                           contentType: "application/strategic-merge-patch+json")
        #expect(smp.json[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue == "nginx:1.26")

        let json: JSONValue = [["op": "replace", "path": "/spec/replicas", "value": 5]]
        let jsonPatch = try await client.request(.PATCH, deployments + "/web", json: json, contentType: "application/json-patch+json")
        #expect(jsonPatch.json[path: ["spec", "replicas"]] == 5)
        let failing: JSONValue = [["op": "test", "path": "/spec/replicas", "value": 1], ["op": "replace", "path": "/spec/replicas", "value": 9]]
        let failed = try await client.request(.PATCH, deployments + "/web", json: failing, contentType: "application/json-patch+json")
        #expect(failed.status == 422 && failed.json["reason"]?.stringValue == "Invalid")

        let unknown = try await client.request(.PATCH, deployments + "/web", json: [:], contentType: "application/json")
        #expect(unknown.status == 415)

        // Server-side apply: creates when absent (201), needs a field manager, merges when present.
        let applied = try await client.request(.PATCH, deployments + "/api?fieldManager=kubectl&force=false",
                                               json: Fixtures.deployment("api", replicas: 2), contentType: "application/apply-patch+yaml")
        #expect(applied.status == 201, "\(applied.text)")
        let noManager = try await client.request(.PATCH, deployments + "/api", json: Fixtures.deployment("api"),
                                                 contentType: "application/apply-patch+yaml")
        #expect(noManager.status == 422)
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 4\n"
        let reapplied = try await client.request(.PATCH, deployments + "/api?fieldManager=kubectl&force=true", body: Array(yaml.utf8),
                                                 contentType: "application/apply-patch+yaml")
        #expect(reapplied.status == 200 && reapplied.json[path: ["spec", "replicas"]] == 4)
        let forced = try await client.request(.PATCH, deployments + "/api?force=true", json: ["spec": ["replicas": 1]],
                                              contentType: "application/merge-patch+json")
        #expect(forced.status == 422, "force is for apply patches only")
        await client.close()
        await server.stop()
    }

    @Test("dryRun=All stores nothing; an unsupported dryRun value is refused")
    func dryRun() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let dry = try await client.request(.POST, Self.configMaps + "?dryRun=All", json: Fixtures.configMap("dry"))
        #expect(dry.status == 201 && dry.json[path: ["metadata", "name"]]?.stringValue == "dry")
        #expect(try await client.request(.GET, Self.configMaps + "/dry").status == 404)
        let bad = try await client.request(.POST, Self.configMaps + "?dryRun=Some", json: Fixtures.configMap("dry"))
        #expect(bad.status == 422 && bad.json["message"]?.stringValue?.contains("dryRun") == true)
        let badValidation = try await client.request(.POST, Self.configMaps + "?fieldValidation=Loose", json: Fixtures.configMap("dry"))
        #expect(badValidation.status == 422)

        _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("kept"))
        let dryDelete = try await client.request(.DELETE, Self.configMaps + "/kept?dryRun=All")
        #expect(dryDelete.status == 200)
        #expect(try await client.request(.GET, Self.configMaps + "/kept").status == 200)
        await client.close()
        await server.stop()
    }

    @Test("delete: options in the body or the query, preconditions, finalizers, deletecollection, cluster-scoped")
    func deletes() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("gone"))
        let deleted = try await client.request(.DELETE, Self.configMaps + "/gone")
        #expect(deleted.status == 200 && deleted.json["kind"]?.stringValue == "Status")
        #expect(deleted.json["status"]?.stringValue == "Success" && deleted.json[path: ["details", "name"]]?.stringValue == "gone")
        #expect(try await client.request(.DELETE, Self.configMaps + "/gone").status == 404)

        // Foreground in the body (kubectl's way): the object stays with a finalizer until the
        // garbage collector is done.
        _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("fg"))
        let foreground = try await client.request(.DELETE, Self.configMaps + "/fg", json: [
            "kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground",
        ])
        #expect(foreground.status == 200 && foreground.json["kind"]?.stringValue == "ConfigMap")
        #expect(foreground.json[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
        #expect(foreground.json[path: ["metadata", "deletionTimestamp"]] != nil)

        // Orphan in the query (the Python client's way).
        _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("orphan"))
        let orphan = try await client.request(.DELETE, Self.configMaps + "/orphan?propagationPolicy=Orphan")
        #expect(orphan.json[path: ["metadata", "finalizers"]] == ["orphan"])
        let badPolicy = try await client.request(.DELETE, Self.configMaps + "/orphan?propagationPolicy=Sideways")
        #expect(badPolicy.status == 422)

        _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("pre"))
        let precondition = try await client.request(.DELETE, Self.configMaps + "/pre", json: [
            "preconditions": ["uid": "not-the-uid"],
        ])
        #expect(precondition.status == 409)

        for name in ["x1", "x2", "y1"] {
            _ = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap(name, labels: ["set": .string(String(name.prefix(1)))]))
        }
        let collection = try await client.request(.DELETE, Self.configMaps + "?labelSelector=set%3Dx")
        #expect(collection.status == 200 && names(collection) == ["x1", "x2"])
        #expect(try await client.request(.GET, Self.configMaps + "/y1").status == 200)

        // Cluster-scoped: a node.
        let node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]]
        #expect(try await client.request(.POST, "/api/v1/nodes", json: node).status == 201)
        #expect(try await client.request(.GET, "/api/v1/nodes/n1").json["kind"]?.stringValue == "Node")
        #expect(try await client.request(.DELETE, "/api/v1/nodes/n1").status == 200)
        await client.close()
        await server.stop()
    }
}

/// The names of a list response's items.
func names(_ response: TestResponse) -> [String] {
    response.json["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } ?? []
}
