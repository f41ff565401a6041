import BosunKit
import NIOHTTP1
import Testing

@Suite("API server: discovery, version, health, authentication")
struct DiscoveryTests {
    @Test("/version reports Kubernetes 1.32, which picks kubectl's 1.32 build")
    func version() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let response = try await client.request(.GET, "/version?timeout=5s")
        #expect(response.status == 200)
        #expect(response.json["major"]?.stringValue == "1")
        #expect(response.json["minor"]?.stringValue == "32")
        #expect(response.json["gitVersion"]?.stringValue?.hasPrefix("v1.32.") == true)
        await client.close()
        await server.stop()
    }

    @Test("legacy discovery: groups, preferred versions, resources with subresource entries")
    func legacy() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()

        let api = try await client.request(.GET, "/api")
        #expect(api.json["kind"]?.stringValue == "APIVersions")
        #expect(api.json["versions"] == ["v1"])

        let apis = try await client.request(.GET, "/apis")
        #expect(apis.json["kind"]?.stringValue == "APIGroupList")
        let groups = apis.json["groups"]?.arrayValue ?? []
        #expect(groups.first?["name"]?.stringValue == "apps", "kube-apiserver lists apps first")
        #expect(groups.contains { $0["name"]?.stringValue == "batch" && $0[path: ["preferredVersion", "groupVersion"]]?.stringValue == "batch/v1" })

        let apps = try await client.request(.GET, "/apis/apps")
        #expect(apps.json["kind"]?.stringValue == "APIGroup" && apps.json["name"]?.stringValue == "apps")

        let core = try await client.request(.GET, "/api/v1")
        let resources = core.json["resources"]?.arrayValue ?? []
        let pods = resources.first { $0["name"]?.stringValue == "pods" }
        #expect(pods?["namespaced"] == true && pods?["kind"]?.stringValue == "Pod")
        #expect(pods?["shortNames"] == ["po"] && pods?["categories"] == ["all"])
        #expect(pods?["verbs"]?.arrayValue?.count == 8)
        #expect(resources.contains { $0["name"]?.stringValue == "pods/status" && $0["verbs"] == ["get", "patch", "update"] })
        #expect(resources.contains { $0["name"]?.stringValue == "pods/binding" && $0["kind"]?.stringValue == "Binding" })
        #expect(resources.contains { $0["name"]?.stringValue == "nodes" && $0["namespaced"] == false })

        let appsV1 = try await client.request(.GET, "/apis/apps/v1")
        #expect(appsV1.json["groupVersion"]?.stringValue == "apps/v1")
        let scale = appsV1.json["resources"]?.arrayValue?.first { $0["name"]?.stringValue == "deployments/scale" }
        #expect(scale?["group"]?.stringValue == "autoscaling" && scale?["version"]?.stringValue == "v1"
            && scale?["kind"]?.stringValue == "Scale")

        #expect(try await client.request(.GET, "/apis/nope.example.com/v1").status == 404)
        #expect(try await client.request(.GET, "/apis/apps/v2").status == 404)
        #expect(try await client.request(.POST, "/apis", body: []).status == 405)
        await client.close()
        await server.stop()
    }

    @Test("aggregated discovery v2 with the exact Content-Type client-go recognises")
    func aggregated() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        let apis = try await client.request(.GET, "/apis?timeout=32s", accept: accept)
        #expect(apis.contentType == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        #expect(apis.json["kind"]?.stringValue == "APIGroupDiscoveryList")
        let apps = apis.json["items"]?.arrayValue?.first { $0[path: ["metadata", "name"]]?.stringValue == "apps" }
        let deployments = apps?["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.first {
            $0["resource"]?.stringValue == "deployments"
        }
        #expect(deployments?["scope"]?.stringValue == "Namespaced")
        #expect(deployments?[path: ["responseKind", "kind"]]?.stringValue == "Deployment")
        #expect(deployments?["shortNames"] == ["deploy"])
        let subresources = deployments?["subresources"]?.arrayValue?.compactMap { $0["subresource"]?.stringValue }
        #expect(subresources == ["status", "scale"])

        let api = try await client.request(.GET, "/api", accept: accept)
        #expect(api.json["items"]?.arrayValue?.count == 1)
        #expect(api.json["items"]?.arrayValue?.first?[path: ["metadata", "name"]]?.stringValue == "")

        // Without the aggregated media type: the legacy document.
        #expect(try await client.request(.GET, "/apis", accept: "application/json").contentType == "application/json")
        await client.close()
        await server.stop()
    }

    @Test("a CRD's resources are served, discovered and in OpenAPI as soon as it is created")
    func customResources() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        #expect(try await client.request(.GET, "/apis/example.com/v1").status == 404)
        let created = try await client.request(.POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json: Fixtures.widgetCRD)
        #expect(created.status == 201, "\(created.text)")
        let list = try await client.request(.GET, "/apis/example.com/v1")
        let widgets = list.json["resources"]?.arrayValue?.first { $0["name"]?.stringValue == "widgets" }
        #expect(widgets?["kind"]?.stringValue == "Widget" && widgets?["shortNames"] == ["wd"])
        #expect(list.json["resources"]?.arrayValue?.contains { $0["name"]?.stringValue == "widgets/status" } == true)

        let widget: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w1"], "spec": ["size": 3],
        ]
        let made = try await client.request(.POST, "/apis/example.com/v1/namespaces/default/widgets", json: widget)
        #expect(made.status == 201, "\(made.text)")
        // Strategic merge patch is for built-in kinds only.
        let smp = try await client.request(.PATCH, "/apis/example.com/v1/namespaces/default/widgets/w1",
                                           json: ["spec": ["size": 4]], contentType: "application/strategic-merge-patch+json")
        #expect(smp.status == 415 && smp.json["reason"]?.stringValue == "UnsupportedMediaType")

        let index = try await client.request(.GET, "/openapi/v3")
        let url = index.json[path: ["paths", "apis/example.com/v1", "serverRelativeURL"]]?.stringValue
        #expect(url?.hasPrefix("/openapi/v3/apis/example.com/v1?hash=") == true)
        let document = try await client.request(.GET, url ?? "/")
        let patch = document.json[path: ["paths", "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}", "patch"]]
        #expect(patch?[path: ["x-kubernetes-group-version-kind", "kind"]]?.stringValue == "Widget")
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"]?.stringValue == "fieldValidation" } == true)
        // kubectl asks for OpenAPI v2 in protobuf only; it must see 404 (not 406) to carry on.
        #expect(try await client.request(.GET, "/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf").status == 404)
        await client.close()
        await server.stop()
    }

    @Test("every request needs the bearer token, except the health checks; /readyz waits for readiness")
    func authentication() async throws {
        let server = try await TestAPIServer.start(ready: false)
        let anonymous = try await server.client(token: "")
        let missing = try await anonymous.request(.GET, "/api/v1/namespaces")
        #expect(missing.status == 401)
        #expect(missing.json["kind"]?.stringValue == "Status" && missing.json["reason"]?.stringValue == "Unauthorized")
        #expect(try await anonymous.request(.GET, "/version").status == 401)
        #expect(try await anonymous.request(.GET, "/healthz").text == "ok")
        #expect(try await anonymous.request(.GET, "/livez").status == 200)
        let failing = try await anonymous.request(.GET, "/readyz")
        #expect(failing.status == 500 && failing.text == "[-]informer-sync failed: caches have not synced yet\nreadyz check failed\n")
        server.setReady(true)
        #expect(try await anonymous.request(.GET, "/readyz").text == "ok")
        let verbose = try await anonymous.request(.GET, "/readyz?verbose")
        #expect(verbose.status == 200 && verbose.text == "[+]informer-sync ok\nreadyz check passed\n")

        let wrong = try await server.client(token: "test-token-0123456788")
        #expect(try await wrong.request(.GET, "/api").status == 401)
        let right = try await server.client()
        #expect(try await right.request(.GET, "/api").status == 200)
        for client in [anonymous, wrong, right] { await client.close() }
        await server.stop()
    }

    @Test("content negotiation: JSON when protobuf is asked with a JSON fallback, 406 when not")
    func negotiation() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let fallback = try await client.request(.GET, "/api/v1/namespaces/default",
                                                accept: "application/vnd.kubernetes.protobuf,application/json")
        #expect(fallback.status == 200 && fallback.contentType == "application/json")
        #expect(fallback.json["kind"]?.stringValue == "Namespace")
        let only = try await client.request(.GET, "/api/v1/namespaces/default", accept: "application/vnd.kubernetes.protobuf")
        #expect(only.status == 406 && only.json["reason"]?.stringValue == "NotAcceptable")
        await client.close()
        await server.stop()
    }
}
