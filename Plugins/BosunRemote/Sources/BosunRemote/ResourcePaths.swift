import BosunKit
import BosunRuntime

/// The URL paths and query parameters of Kubernetes' REST API, as client-go's REST client
/// builds them.
enum ResourcePaths {
    /// `/api/v1[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]`, or `/apis/<group>/<version>/...`.
    /// A namespace is part of the path only for namespaced resources.
    static func path(_ d: ResourceDescriptor, namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = d.group.isEmpty ? "/api/" + d.version : "/apis/" + d.group + "/" + d.version
        if d.namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/" + segment(namespace) }
        path += "/" + d.plural
        if let name {
            path += "/" + segment(name)
            if let subresource { path += "/" + segment(subresource) }
        }
        return path
    }

    /// `ListOptions` as query parameters (empty ones left out, as client-go leaves them out).
    static func listQuery(_ options: ListOptions) -> [(String, String)] {
        var query: [(String, String)] = []
        let labels = options.labelSelector.description
        if !labels.isEmpty { query.append(("labelSelector", labels)) }
        let fields = options.fieldSelector.description
        if !fields.isEmpty { query.append(("fieldSelector", fields)) }
        if options.limit > 0 { query.append(("limit", String(options.limit))) }
        if let token = options.continueToken { query.append(("continue", token)) }
        if let version = options.resourceVersion { query.append(("resourceVersion", version)) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let initial = options.sendInitialEvents { query.append(("sendInitialEvents", initial ? "true" : "false")) }
        return query
    }

    /// `dryRun=All` and `fieldManager` of a write.
    static func writeQuery(_ options: WriteOptions) -> [(String, String)] {
        var query: [(String, String)] = []
        if options.dryRun { query.append(("dryRun", "All")) }
        if let manager = options.fieldManager { query.append(("fieldManager", manager)) }
        return query
    }

    /// A path segment, percent-encoded where a name could break the path (names are DNS labels
    /// or subdomains for almost every kind, but a few kinds allow more).
    static func segment(_ text: String) -> String {
        HTTPTransport.escape(text)
    }
}
