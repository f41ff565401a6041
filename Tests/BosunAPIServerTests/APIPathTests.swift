@testable import BosunAPIServer
import Testing

@Suite("API paths")
struct APIPathTests {
    @Test("kube-apiserver's URL grammar: discovery, namespaced and cluster paths, subresources, /watch/")
    func grammar() {
        #expect(APIPath("/version") == .version)
        #expect(APIPath("/api") == .coreVersions)
        #expect(APIPath("/apis/") == .groups)
        #expect(APIPath("/apis/apps") == .group("apps"))
        #expect(APIPath("/api/v1") == .resources(group: "", version: "v1"))
        #expect(APIPath("/apis/apps/v1") == .resources(group: "apps", version: "v1"))
        #expect(APIPath("/api/v1/namespaces/default/pods")
            == .resource(ResourcePath(group: "", version: "v1", namespace: "default", resource: "pods")))
        #expect(APIPath("/api/v1/namespaces/default/pods/web/binding")
            == .resource(ResourcePath(group: "", version: "v1", namespace: "default", resource: "pods", name: "web",
                                      subresource: "binding")))
        #expect(APIPath("/apis/apps/v1/deployments")
            == .resource(ResourcePath(group: "apps", version: "v1", resource: "deployments")))
        // The namespace object itself, and its own subresources.
        #expect(APIPath("/api/v1/namespaces/kube-system")
            == .resource(ResourcePath(group: "", version: "v1", resource: "namespaces", name: "kube-system")))
        #expect(APIPath("/api/v1/namespaces/team/status")
            == .resource(ResourcePath(group: "", version: "v1", resource: "namespaces", name: "team", subresource: "status")))
        #expect(APIPath("/api/v1/watch/namespaces/default/configmaps/x")
            == .resource(ResourcePath(group: "", version: "v1", namespace: "default", resource: "configmaps", name: "x",
                                      legacyWatch: true)))
        #expect(APIPath("/openapi/v3/apis/apps/v1") == .openAPIV3(group: "apps", version: "v1"))
        #expect(APIPath("/openapi/v3/api/v1") == .openAPIV3(group: "", version: "v1"))
        #expect(APIPath("/readyz/informer-sync") == .health(.readyz))
        #expect(APIPath("/api/v1/namespaces/default/pods/web/status/extra") == .notFound)
        #expect(APIPath("/nope") == .notFound)
        // Segments are decoded one by one; a bad escape is not a path.
        #expect(APIPath("/api/v1/namespaces/default/configmaps/a%2Eb")
            == .resource(ResourcePath(group: "", version: "v1", namespace: "default", resource: "configmaps", name: "a.b")))
        #expect(APIPath("/api/v1/namespaces/default/configmaps/%zz") == .notFound)
    }

    @Test("queries decode as Go's url.ParseQuery: + is a space, %XX escapes, repeated keys")
    func query() {
        let q = QueryParameters("labelSelector=app%3Dweb%2Ctier+in+%28a%29&dryRun=All&dryRun=All&watch")
        #expect(q["labelSelector"] == "app=web,tier in (a)")
        #expect(q.all("dryRun") == ["All", "All"])
        #expect(q.contains("watch") && q["watch"] == "")
        #expect(q["missing"] == nil)
    }

    @Test("Accept: JSON when listed at all, aggregated discovery only when asked for first")
    func accept() {
        let kubectl = AcceptHeader("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
        #expect(kubectl.prefersAggregatedDiscovery && kubectl.acceptsJSON)
        #expect(AcceptHeader("application/vnd.kubernetes.protobuf,application/json").acceptsJSON)
        #expect(!AcceptHeader("application/vnd.kubernetes.protobuf").acceptsJSON)
        #expect(!AcceptHeader("application/json;as=Table;v=v1;g=meta.k8s.io").acceptsJSON)
        #expect(AcceptHeader(nil).acceptsJSON && !AcceptHeader(nil).prefersAggregatedDiscovery)
        #expect(AcceptHeader("*/*").acceptsJSON)
        #expect(!AcceptHeader("application/json;q=0").acceptsJSON)
    }
}
