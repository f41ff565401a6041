@testable import BosunAPIServer
import BosunKit
import NIOHTTP1
import Testing

@Suite("OpenAPI v3")
struct OpenAPITests {
    /// A schema's property, through the `allOf` kube-openapi wraps described references in.
    private func property(_ schema: JSONValue?, _ name: String) -> JSONValue? {
        schema?[path: ["properties", name]]
    }

    private func reference(_ schema: JSONValue?) -> String? {
        (schema?["$ref"] ?? schema?["allOf"]?.arrayValue?.first?["$ref"])?.stringValue
    }

    @Test("group-version documents carry upstream's schemas with their extensions, reachable from each kind")
    func builtinSchemas() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let index = try await client.request(.GET, "/openapi/v3")
        let url = try #require(index.json[path: ["paths", "apis/apps/v1", "serverRelativeURL"]]?.stringValue)
        let hash = try #require(url.split(separator: "=").last)
        #expect(hash.count == 128 && hash.allSatisfy { $0.isHexDigit && !$0.isLowercase }, "kube-openapi's upper-case SHA-512")
        let apps = try await client.request(.GET, url)
        #expect(apps.status == 200)
        let schemas = try #require(apps.json[path: ["components", "schemas"]])

        let deployment = schemas["io.k8s.api.apps.v1.Deployment"]
        #expect(deployment?["x-kubernetes-group-version-kind"] == [["group": "apps", "kind": "Deployment", "version": "v1"]])
        #expect(reference(property(deployment, "spec")) == "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec")
        let strategy = property(schemas["io.k8s.api.apps.v1.DeploymentSpec"], "strategy")
        #expect(strategy?["x-kubernetes-patch-strategy"] == "retainKeys")
        #expect(strategy?["description"]?.stringValue?.isEmpty == false)
        #expect(property(schemas["io.k8s.api.apps.v1.DeploymentStrategy"], "type")?["type"] == "string",
                "JSON Schema's [\"string\", \"null\"] is OpenAPI's string")
        let containers = property(schemas["io.k8s.api.core.v1.PodSpec"], "containers")
        #expect(containers?["x-kubernetes-patch-merge-key"] == "name" && containers?["x-kubernetes-patch-strategy"] == "merge")
        #expect(containers?["x-kubernetes-list-type"] == "map" && containers?["x-kubernetes-list-map-keys"] == ["name"])
        #expect(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]?["format"] == "int-or-string")
        // Everything referenced is in the document; other groups' kinds are not.
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        #expect(schemas["io.k8s.api.autoscaling.v1.Scale"] != nil, "the scale subresource's kind")
        #expect(schemas["io.k8s.api.batch.v1.Job"] == nil)
        var references: [String] = []
        collect(schemas, into: &references)
        #expect(!references.isEmpty && references.allSatisfy { schemas[String($0.dropFirst("#/components/schemas/".count))] != nil })

        // So in every group version's document.
        for member in index.json["paths"]?.objectValue?.members ?? [] {
            let document = try await client.request(.GET, member.value["serverRelativeURL"]?.stringValue ?? "/")
            let all = try #require(document.json[path: ["components", "schemas"]], "\(member.key)")
            var refs: [String] = []
            collect(all, into: &refs)
            let missing = refs.filter { all[String($0.dropFirst("#/components/schemas/".count))] == nil }
            #expect(missing.isEmpty, "\(member.key): \(Set(missing))")
        }

        // Built-in kinds take strategic merge patches, which kubectl apply builds from these schemas.
        let patch = apps.json[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch", "requestBody", "content"]]
        #expect(patch?["application/strategic-merge-patch+json"] != nil)
        await client.close()
        await server.stop()
    }

    private func collect(_ value: JSONValue, into references: inout [String]) {
        switch value {
        case .object(let object):
            for member in object.members {
                if member.key == "$ref", let ref = member.value.stringValue { references.append(ref) } else { collect(member.value, into: &references) }
            }
        case .array(let items):
            for item in items { collect(item, into: &references) }
        default: break
        }
    }

    @Test("a CRD version's schema is in its group version's document, whose hash changes with the CRD")
    func customResourceSchemas() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let created = try await client.request(.POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json: Fixtures.widgetCRD)
        #expect(created.status == 201)
        let before = try await client.request(.GET, "/openapi/v3")
        let url = try #require(before.json[path: ["paths", "apis/example.com/v1", "serverRelativeURL"]]?.stringValue)
        let document = try await client.request(.GET, url)
        let schemas = document.json[path: ["components", "schemas"]]
        let widget = schemas?["com.example.v1.Widget"]
        #expect(widget?["x-kubernetes-group-version-kind"] == [["group": "example.com", "kind": "Widget", "version": "v1"]])
        #expect(property(property(widget, "spec"), "size")?["type"] == "integer")
        #expect(reference(property(widget, "metadata")) == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        #expect(schemas?["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        #expect(reference(schemas?[path: ["com.example.v1.WidgetList", "properties", "items", "items"]]) == "#/components/schemas/com.example.v1.Widget")
        // Custom resources take no strategic merge patch.
        let patch = document.json[path: ["paths", "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}", "patch", "requestBody", "content"]]
        #expect(patch?["application/merge-patch+json"] != nil && patch?["application/strategic-merge-patch+json"] == nil)

        // Changing the CRD's schema changes the document and so its hash; the old URL redirects.
        var crd = try await client.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").json.objectValue ?? [:]
        var spec = crd["spec"]?.objectValue ?? [:]
        spec["versions"] = [[
            "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object", "properties": ["color": ["type": "string"]]]]]],
        ]]
        crd["spec"] = .object(spec)
        #expect(try await client.request(.PUT, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", json: .object(crd)).status == 200)
        let after = try await client.request(.GET, "/openapi/v3")
        let newURL = try #require(after.json[path: ["paths", "apis/example.com/v1", "serverRelativeURL"]]?.stringValue)
        #expect(newURL != url)
        #expect(after.json[path: ["paths", "api/v1", "serverRelativeURL"]] == before.json[path: ["paths", "api/v1", "serverRelativeURL"]])
        let stale = try await client.request(.GET, url)
        #expect(stale.status == 301 && stale.headers.first(name: "location") == newURL)
        let fresh = try await client.request(.GET, newURL)
        #expect(fresh.json[path: ["components", "schemas", "com.example.v1.Widget", "properties", "spec", "properties", "color", "type"]] == "string")
        await client.close()
        await server.stop()
    }

    @Test("ETags and caching headers as kube-openapi sets them")
    func caching() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let index = try await client.request(.GET, "/openapi/v3")
        let etag = try #require(index.headers.first(name: "etag"))
        #expect(try await client.request(.GET, "/openapi/v3", headers: [("if-none-match", etag)]).status == 304)

        let url = try #require(index.json[path: ["paths", "api/v1", "serverRelativeURL"]]?.stringValue)
        let hash = String(url.split(separator: "=").last ?? "")
        let core = try await client.request(.GET, url)
        #expect(core.headers.first(name: "etag") == "\"\(hash)\"")
        #expect(core.headers.first(name: "cache-control") == "public, immutable" && core.headers.first(name: "expires") != nil)
        #expect(OpenAPIDocuments.hash(core.body) == hash, "the hash is the served bytes' SHA-512")
        let unhashed = try await client.request(.GET, "/openapi/v3/api/v1")
        #expect(unhashed.status == 200 && unhashed.headers[canonicalForm: "cache-control"] == ["no-cache", "private"])
        #expect(core.headers[canonicalForm: "cache-control"] == ["public", "immutable"], "only the handler's")
        #expect(try await client.request(.GET, "/openapi/v3/api/v1", headers: [("if-none-match", "\"\(hash)\"")]).status == 304)
        #expect(try await client.request(.GET, "/openapi/v3/apis/nope.example.com/v1").status == 404)
        await client.close()
        await server.stop()
    }
}
