import BosunKit

/// The discovery documents: legacy (`/api`, `/apis`, `/apis/<g>`, `/api/v1`, `/apis/<g>/<v>`)
/// and aggregated (apidiscovery.k8s.io/v2, for `/api` and `/apis`). Built from what the store
/// serves at the moment of the request, so a CRD's resources appear as soon as it is created.
enum Discovery {
    static let resourceVerbs: [JSONValue] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// The verbs and response kind of each subresource the server answers.
    static func subresource(_ name: String, of d: ResourceDescriptor) -> (verbs: [JSONValue], group: String, version: String, kind: String) {
        switch name {
        case "scale": (["get", "patch", "update"], "autoscaling", "v1", "Scale")
        case "binding": (["create"], "", "v1", "Binding")
        case "eviction": (["create"], "policy", "v1", "Eviction")
        case "log": (["get"], "", "v1", "Pod")
        default: (["get", "patch", "update"], d.group, d.version, d.kind)
        }
    }

    // MARK: Legacy

    /// `/api`: `APIVersions`.
    static func coreVersions(_ groups: ServedGroups, serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions",
            "versions": .array((groups.core?.versions ?? []).map { .string($0.version) }),
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `/apis`: `APIGroupList`.
    static func groupList(_ groups: ServedGroups) -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.groups.map(group))]
    }

    /// `/apis/<g>`: `APIGroup`.
    static func group(_ g: ServedGroups.Group) -> JSONValue {
        func entry(_ v: ServedGroups.Version) -> JSONValue {
            ["groupVersion": .string(g.name + "/" + v.version), "version": .string(v.version)]
        }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(g.name),
            "versions": .array(g.versions.map(entry)), "preferredVersion": entry(g.preferred),
        ]
    }

    /// `/api/v1`, `/apis/<g>/<v>`: `APIResourceList`, with a `plural/sub` entry per subresource.
    static func resourceList(group: String, _ v: ServedGroups.Version) -> JSONValue {
        var resources: [JSONValue] = []
        for d in v.resources {
            var entry: JSONObject = [
                "name": .string(d.plural), "singularName": .string(d.singular), "namespaced": .bool(d.namespaced),
                "kind": .string(d.kind), "verbs": .array(resourceVerbs),
            ]
            if !d.shortNames.isEmpty { entry["shortNames"] = .array(d.shortNames.map { .string($0) }) }
            if !d.categories.isEmpty { entry["categories"] = .array(d.categories.map { .string($0) }) }
            resources.append(.object(entry))
            for sub in ResourceRequest.servedSubresources(of: d) {
                let s = subresource(sub, of: d)
                var subEntry: JSONObject = [
                    "name": .string(d.plural + "/" + sub), "singularName": "", "namespaced": .bool(d.namespaced),
                    "kind": .string(s.kind), "verbs": .array(s.verbs),
                ]
                if s.group != d.group || s.version != d.version {
                    subEntry["group"] = .string(s.group)
                    subEntry["version"] = .string(s.version)
                }
                resources.append(.object(subEntry))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? v.version : group + "/" + v.version),
            "resources": .array(resources),
        ]
    }

    // MARK: Aggregated (apidiscovery.k8s.io/v2)

    /// `/api` or `/apis` as an `APIGroupDiscoveryList`: the core group alone (named `""`), or
    /// every named group.
    static func aggregated(_ groups: [ServedGroups.Group]) -> JSONValue {
        [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(groups.map(aggregatedGroup)),
        ]
    }

    private static func aggregatedGroup(_ g: ServedGroups.Group) -> JSONValue {
        let versions: [JSONValue] = g.versions.map { v in
            ["version": .string(v.version), "freshness": "Current", "resources": .array(v.resources.map(aggregatedResource))]
        }
        return ["metadata": ["name": .string(g.name)], "versions": .array(versions)]
    }

    private static func aggregatedResource(_ d: ResourceDescriptor) -> JSONValue {
        var entry: JSONObject = [
            "resource": .string(d.plural),
            "responseKind": ["group": .string(d.group), "version": .string(d.version), "kind": .string(d.kind)],
            "scope": d.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(d.singular),
            "verbs": .array(resourceVerbs),
        ]
        if !d.shortNames.isEmpty { entry["shortNames"] = .array(d.shortNames.map { .string($0) }) }
        if !d.categories.isEmpty { entry["categories"] = .array(d.categories.map { .string($0) }) }
        let subresources: [JSONValue] = ResourceRequest.servedSubresources(of: d).map { sub in
            let s = subresource(sub, of: d)
            return [
                "subresource": .string(sub),
                "responseKind": ["group": .string(s.group), "version": .string(s.version), "kind": .string(s.kind)],
                "verbs": .array(s.verbs),
            ]
        }
        if !subresources.isEmpty { entry["subresources"] = .array(subresources) }
        return .object(entry)
    }
}
