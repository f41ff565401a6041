/// A request path, parsed by kube-apiserver's URL grammar.
enum APIPath: Sendable, Hashable {
    case version
    /// `/healthz`, `/livez`, `/readyz` (and their `/<check>` children).
    case health(HealthEndpoint)
    case openAPIV2
    case openAPIV3Index
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`.
    case openAPIV3(group: String, version: String)
    /// `/api`: the core group's versions.
    case coreVersions
    /// `/apis`: every other group.
    case groups
    /// `/apis/<group>`.
    case group(String)
    /// `/api/v1`, `/apis/<group>/<version>`: the resources of a group version.
    case resources(group: String, version: String)
    case resource(ResourcePath)
    /// `/metrics`: Prometheus text.
    case metrics
    /// `/dashboard/<file>` (`""` for the folder itself): the web dashboard's static files.
    case dashboard(String)
    case notFound

    enum HealthEndpoint: String, Sendable {
        case healthz, livez, readyz
    }

    /// Parses a path that is still percent-encoded; segments are decoded one by one.
    init(_ rawPath: String) {
        // Split and searched as bytes: every request is routed, and Character-wise scanning of
        // a path costs more than all the rest of the routing.
        let raw = rawPath.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        var segments: [String] = []
        segments.reserveCapacity(raw.count)
        for segment in raw {
            // A trailing slash is tolerated, as Go's mux redirect would make it work.
            if segment.isEmpty { continue }
            // Go's server splits the decoded path, so an escaped slash never stays inside a
            // segment: `..%2F..%2Fx` is several segments there, and no resource here.
            guard let decoded = QueryParameters.unescape(Substring(segment), plusIsSpace: false),
                  !decoded.utf8.contains(UInt8(ascii: "/")) else {
                self = .notFound
                return
            }
            segments.append(decoded)
        }
        guard let first = segments.first else { self = .notFound; return }
        switch first {
        case "version" where segments.count == 1:
            self = .version
        case "metrics" where segments.count == 1:
            self = .metrics
        case "dashboard" where segments.count <= 2:
            self = .dashboard(segments.count == 2 ? segments[1] : "")
        case "healthz", "livez", "readyz":
            self = .health(HealthEndpoint(rawValue: first)!)
        case "openapi":
            self = Self.openAPI(Array(segments.dropFirst()))
        case "api":
            switch segments.count {
            case 1: self = .coreVersions
            case 2: self = .resources(group: "", version: segments[1])
            default: self = Self.resource(group: "", version: segments[1], Array(segments.dropFirst(2)))
            }
        case "apis":
            switch segments.count {
            case 1: self = .groups
            case 2: self = .group(segments[1])
            case 3: self = .resources(group: segments[1], version: segments[2])
            default: self = Self.resource(group: segments[1], version: segments[2], Array(segments.dropFirst(3)))
            }
        default:
            self = .notFound
        }
    }

    private static func openAPI(_ rest: [String]) -> APIPath {
        switch rest.count {
        case 1 where rest[0] == "v2": return .openAPIV2
        case 1 where rest[0] == "v3": return .openAPIV3Index
        case 3 where rest[0] == "v3" && rest[1] == "api": return .openAPIV3(group: "", version: rest[2])
        case 4 where rest[0] == "v3" && rest[1] == "apis": return .openAPIV3(group: rest[2], version: rest[3])
        default: return .notFound
        }
    }

    /// The part after the group version: `[watch/][namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`.
    private static func resource(group: String, version: String, _ rest: [String]) -> APIPath {
        var rest = rest[...]
        var legacyWatch = false
        if rest.first == "watch" {
            legacyWatch = true
            rest = rest.dropFirst()
        }
        var path = ResourcePath(group: group, version: version, resource: "", legacyWatch: legacyWatch)
        let parts = Array(rest)
        // `namespaces/<ns>/<resource>...` names a namespaced resource, except for the
        // namespace object's own subresources (`namespaces/<name>/status`, `/finalize`).
        if parts.count >= 3, parts[0] == "namespaces",
           !(group.isEmpty && parts.count == 3 && (parts[2] == "status" || parts[2] == "finalize")) {
            path.namespace = parts[1]
            return fill(&path, Array(parts.dropFirst(2)))
        }
        return fill(&path, parts)
    }

    private static func fill(_ path: inout ResourcePath, _ parts: [String]) -> APIPath {
        guard (1...3).contains(parts.count) else { return .notFound }
        path.resource = parts[0]
        path.name = parts.count > 1 ? parts[1] : nil
        path.subresource = parts.count > 2 ? parts[2] : nil
        return .resource(path)
    }
}

/// The resource part of a request path.
struct ResourcePath: Sendable, Hashable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    /// Under the deprecated `/watch/` prefix.
    var legacyWatch: Bool

    init(group: String, version: String, namespace: String? = nil, resource: String, name: String? = nil,
         subresource: String? = nil, legacyWatch: Bool = false) {
        self.group = group
        self.version = version
        self.namespace = namespace
        self.resource = resource
        self.name = name
        self.subresource = subresource
        self.legacyWatch = legacyWatch
    }
}
