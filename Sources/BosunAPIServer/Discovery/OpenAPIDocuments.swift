import BosunKit
import Crypto
import Foundation

/// OpenAPI v3 as kube-apiserver serves it: the index (`/openapi/v3`) and one document per group
/// version, with every served resource's operations (their group-version-kind and query
/// parameters: `fieldValidation` on PATCH tells kubectl the server validates fields itself) and
/// the schemas of its kinds in `components.schemas` (what `kubectl explain` reads, and what
/// kubectl's client-side apply builds strategic merge patches from). `/openapi/v2` is not
/// served (404), which kubectl accepts.
enum OpenAPIDocuments {
    /// One group version's document. `customSchemas` holds the schemas of the custom kinds
    /// served in it (``OpenAPISchemas/customResource(_:crd:)``).
    static func document(_ served: ServedGroups.Version, group: String, customSchemas: [String: JSONValue]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var roots = OpenAPISchemas.common
        for d in served.resources {
            let builtin = OpenAPISchemas.builtinByKind[d.groupVersionKind]
            let kindSchema = builtin ?? OpenAPISchemas.customResourceName(group: d.group, version: d.version, kind: d.kind)
            roots += [kindSchema, kindSchema + "List"]
            let prefix = group.isEmpty ? "/api/\(d.version)" : "/apis/\(group)/\(d.version)"
            let collection = d.namespaced ? "\(prefix)/namespaces/{namespace}/\(d.plural)" : "\(prefix)/\(d.plural)"
            let gvk = groupVersionKind(d.group, d.version, d.kind)
            paths[collection] = [
                "get": operation("list", gvk, parameters: listParameters, response: kindSchema + "List"),
                "post": operation("post", gvk, parameters: writeParameters, request: kindSchema, response: kindSchema),
                "delete": operation("deletecollection", gvk, parameters: listParameters, response: statusSchema),
            ]
            paths[collection + "/{name}"] = [
                "get": operation("get", gvk, parameters: [], response: kindSchema),
                "put": operation("put", gvk, parameters: writeParameters, request: kindSchema, response: kindSchema),
                "patch": patchOperation(gvk, strategic: builtin != nil, response: kindSchema),
                "delete": operation("delete", gvk, parameters: [query("dryRun"), query("gracePeriodSeconds"), query("propagationPolicy")],
                                    response: statusSchema),
            ]
            for sub in ResourceRequest.servedSubresources(of: d) where !["binding", "eviction", "log"].contains(sub) {
                let s = Discovery.subresource(sub, of: d)
                let subGVK = groupVersionKind(s.group, s.version, s.kind)
                let subSchema = OpenAPISchemas.builtinByKind[GroupVersionKind(group: s.group, version: s.version, kind: s.kind)] ?? kindSchema
                roots.append(subSchema)
                paths[collection + "/{name}/" + sub] = [
                    "get": operation("get", subGVK, parameters: [], response: subSchema),
                    "put": operation("put", subGVK, parameters: writeParameters, request: subSchema, response: subSchema),
                    "patch": patchOperation(subGVK, strategic: builtin != nil, response: subSchema),
                ]
            }
        }
        var available = OpenAPISchemas.builtin
        available.merge(customSchemas) { _, custom in custom }
        let schemas = OpenAPISchemas.closure(roots, in: available)
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(VersionInfo.gitVersion)],
            "paths": sorted(paths),
            "components": ["schemas": sorted(schemas)],
        ]
    }

    /// The index: each group version's path and its document's URL with the document's hash,
    /// which clients cache documents by.
    static func index(_ hashes: [(path: String, hash: String)]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (path, hash) in hashes {
            paths[path] = ["serverRelativeURL": .string(serverRelativeURL(path, hash: hash))]
        }
        return ["paths": sorted(paths)]
    }

    static func serverRelativeURL(_ path: String, hash: String) -> String {
        "/openapi/v3/\(path)?hash=\(hash)"
    }

    /// kube-openapi's ETag: the SHA-512 of the document's JSON in upper-case hex.
    static func hash(_ bytes: [UInt8]) -> String {
        SHA512.hash(data: bytes).map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined()
    }

    static func documentPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// Keys in order, as Go writes a map: the same served set always hashes the same.
    private static func sorted(_ members: [String: JSONValue]) -> JSONValue {
        .object(JSONObject(members.sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: $0.value) }))
    }

    private static let statusSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"

    private static func groupVersionKind(_ group: String, _ version: String, _ kind: String) -> JSONValue {
        ["group": .string(group), "version": .string(version), "kind": .string(kind)]
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

    private static func content(_ schema: String, types: [String] = [MediaType.json]) -> JSONValue {
        .object(JSONObject(types.map { JSONObject.Member(key: $0, value: ["schema": ["$ref": .string(OpenAPISchemas.referencePrefix + schema)]]) }))
    }

    private static func operation(
        _ action: String, _ gvk: JSONValue, parameters: [JSONValue], request: String? = nil, response: String
    ) -> JSONValue {
        var operation: JSONObject = [
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(parameters),
            "responses": ["200": ["description": "OK", "content": content(response)]],
        ]
        if let request { operation["requestBody"] = ["content": content(request)] }
        return .object(operation)
    }

    /// The patch types kube-apiserver accepts: strategic merge patch for built-in kinds only
    /// (kubectl's `apply` builds one from the schemas when it is listed, a merge patch when not).
    private static func patchOperation(_ gvk: JSONValue, strategic: Bool, response: String) -> JSONValue {
        var types = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
        if strategic { types.append("application/strategic-merge-patch+json") }
        return [
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(writeParameters + [query("force")]),
            "requestBody": ["content": content(OpenAPISchemas.patch, types: types)],
            "responses": ["200": ["description": "OK", "content": content(response)]],
        ]
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
