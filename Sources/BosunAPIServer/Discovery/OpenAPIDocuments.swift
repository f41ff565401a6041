import BosunKit
import Crypto
import Foundation

/// OpenAPI v3: the index (`/openapi/v3`) and one document per group version. They carry the
/// operations of every served resource with their group-version-kind and query parameters,
/// without schemas yet: enough for kubectl to see that the server validates fields itself
/// (`fieldValidation` on PATCH, cli-runtime's `QueryParamVerifierV3`), so `create` and `apply`
/// work without `--validate=false`. `/openapi/v2` is not served (404), which kubectl accepts.
enum OpenAPIDocuments {
    /// The index: each group version's path and its document's URL with a content hash, which
    /// clients cache by.
    static func index(_ groups: ServedGroups) -> JSONValue {
        var paths = JSONObject()
        for (group, version) in groupVersions(groups) {
            let path = documentPath(group: group, version: version)
            let hash = self.hash(document(groups, group: group, version: version))
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// The document of one group version, or `nil` if it is not served.
    static func document(_ groups: ServedGroups, group: String, version: String) -> JSONValue? {
        guard let served = groups.version(group: group, version: version) else { return nil }
        var paths = JSONObject()
        for d in served.resources {
            let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let collection = d.namespaced ? "\(prefix)/namespaces/{namespace}/\(d.plural)" : "\(prefix)/\(d.plural)"
            let gvk: JSONValue = ["group": .string(d.group), "version": .string(d.version), "kind": .string(d.kind)]
            paths[collection] = [
                "get": operation("list", gvk, parameters: listParameters),
                "post": operation("post", gvk, parameters: writeParameters),
                "delete": operation("deletecollection", gvk, parameters: listParameters),
            ]
            paths[collection + "/{name}"] = [
                "get": operation("get", gvk, parameters: []),
                "put": operation("put", gvk, parameters: writeParameters),
                "patch": patchOperation(gvk),
                "delete": operation("delete", gvk, parameters: [query("dryRun"), query("gracePeriodSeconds"), query("propagationPolicy")]),
            ]
            for sub in ResourceRequest.servedSubresources(of: d) where !["binding", "eviction", "log"].contains(sub) {
                let s = Discovery.subresource(sub, of: d)
                let subGVK: JSONValue = ["group": .string(s.group), "version": .string(s.version), "kind": .string(s.kind)]
                paths[collection + "/{name}/" + sub] = [
                    "get": operation("get", subGVK, parameters: []),
                    "put": operation("put", subGVK, parameters: writeParameters),
                    "patch": patchOperation(subGVK),
                ]
            }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(VersionInfo.gitVersion)],
            "paths": .object(paths),
            "components": ["schemas": [:]],
        ]
    }

    static func hash(_ document: JSONValue?) -> String {
        let digest = SHA512.hash(data: JSONWriter.encode(document ?? .null))
        return digest.prefix(32).map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined()
    }

    private static func groupVersions(_ groups: ServedGroups) -> [(String, String)] {
        ([groups.core].compactMap { $0 } + groups.groups).flatMap { g in g.versions.map { (g.name, $0.version) } }
    }

    private static func documentPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    private static func query(_ name: String) -> JSONValue {
        ["name": .string(name), "in": "query", "schema": ["type": "string"], "uniqueItems": true]
    }

    private static var writeParameters: [JSONValue] {
        [query("dryRun"), query("fieldManager"), query("fieldValidation")]
    }

    private static var listParameters: [JSONValue] {
        [query("labelSelector"), query("fieldSelector"), query("limit"), query("continue"), query("resourceVersion"),
         query("watch"), query("timeoutSeconds"), query("allowWatchBookmarks")]
    }

    private static func operation(_ action: String, _ gvk: JSONValue, parameters: [JSONValue]) -> JSONValue {
        [
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(parameters),
            "responses": ["200": ["description": "OK"]],
        ]
    }

    /// Strategic merge patch is left out of the media types on purpose: with it listed, kubectl
    /// would try to build the patch from these (schema-less) documents before falling back to
    /// its compiled-in types.
    private static func patchOperation(_ gvk: JSONValue) -> JSONValue {
        [
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(writeParameters + [query("force")]),
            "requestBody": ["content": [
                "application/json-patch+json": [:], "application/merge-patch+json": [:], "application/apply-patch+yaml": [:],
            ]],
            "responses": ["200": ["description": "OK"]],
        ]
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
