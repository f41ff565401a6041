import BosunKit
import BosunRuntime
import BosunStore
import NIOHTTP1

/// Turns a request into a response: authentication, content negotiation, then the handler its
/// path names. Never throws: every failure becomes a Kubernetes `Status` with its code.
struct RequestRouter: Sendable {
    let store: ObjectStore
    let resources: ResourceHandler
    let openAPI: OpenAPIService
    let token: BearerToken
    let isReady: @Sendable () -> Bool
    /// The readiness checks as `/readyz?verbose` lists them (`[+]name ok` / `[-]name failed: why`
    /// lines, then the verdict); `nil` for the default informer-sync line.
    let readinessReport: @Sendable () -> String?
    let metrics: PrometheusTextMetrics
    /// `host:port` clients reach the server at, for `/api`'s `serverAddressByClientCIDRs`.
    let serverAddress: String

    static let pathNotFound = APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")

    func respond(to request: APIRequest) async -> APIResponse {
        let path = request.route
        if case .health(let endpoint) = path { return health(endpoint, request) }
        // The dashboard's files hold no data; the page presents the token on its API requests.
        if case .dashboard(let file) = path { return Dashboard.respond(to: file, request) }
        guard let presented = request.bearerToken, token.matches(presented) else {
            return .error(APIError(code: 401, reason: .unauthorized, message: "Unauthorized"))
        }
        let warnings = WriteWarnings()
        var response = await WriteWarnings.$current.withValue(warnings) { () async -> APIResponse in
            do throws(APIError) { return try await route(path, request) } catch { return .error(error) }
        }
        // Upstream sends what a request was warned of with its answer, errors included.
        for message in warnings.messages {
            response.headers.add(name: "Warning", value: WriteWarnings.headerValue(message))
        }
        return response
    }

    private func route(_ path: APIPath, _ request: APIRequest) async throws(APIError) -> APIResponse {
        // A path that does not exist is 404 whatever was asked for (kubectl asks /openapi/v2
        // for protobuf only, and must see 404 there, not 406).
        if path == .notFound || path == .openAPIV2 { throw Self.pathNotFound }
        if path == .metrics {
            guard request.method == .GET else {
                throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
            }
            return APIResponse(status: .ok, contentType: MediaType.prometheusText, body: .bytes(Array(metrics.render().utf8)))
        }
        let accept = AcceptHeader(request.headers.first(name: "accept"))
        if case .resource = path {} else if request.method != .GET {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        // Discovery may answer in its aggregated form; everything else is JSON.
        switch path {
        case .coreVersions, .groups:
            if accept.prefersAggregatedDiscovery {
                let groups = ServedGroups(store.servedResources)
                let items = path == .coreVersions ? [groups.core].compactMap { $0 } : groups.groups
                return .json(Discovery.aggregated(items), contentType: MediaType.aggregatedDiscovery)
            }
        default: break
        }
        let tableOnResource: Bool
        if case .resource = path, request.method == .GET, accept.preferredTableVersion != nil { tableOnResource = true } else {
            tableOnResource = false
        }
        guard accept.acceptsJSON || tableOnResource else {
            throw APIError(code: 406, reason: .notAcceptable,
                           message: "only the following media types are accepted: \(MediaType.json)")
        }
        switch path {
        case .version:
            return .json(VersionInfo.document)
        case .coreVersions:
            return .json(Discovery.coreVersions(ServedGroups(store.servedResources), serverAddress: serverAddress))
        case .groups:
            return .json(Discovery.groupList(ServedGroups(store.servedResources)))
        case .group(let name):
            guard let group = ServedGroups(store.servedResources).group(name), !name.isEmpty else { throw Self.pathNotFound }
            return .json(Discovery.group(group))
        case .resources(let group, let version):
            guard let served = ServedGroups(store.servedResources).version(group: group, version: version) else {
                throw Self.pathNotFound
            }
            return .json(Discovery.resourceList(group: group, served))
        case .openAPIV3Index:
            return OpenAPIResponses.index(openAPI.index(), request)
        case .openAPIV3(let group, let version):
            guard let document = openAPI.document(group: group, version: version) else { throw Self.pathNotFound }
            return OpenAPIResponses.document(document, path: OpenAPIDocuments.documentPath(group: group, version: version), request)
        case .resource(let resourcePath):
            return try await resources.handle(try ResourceRequest(request, resourcePath, store: store))
        case .openAPIV2, .notFound, .health, .metrics, .dashboard:
            throw Self.pathNotFound
        }
    }

    /// `/healthz` and `/livez` answer `ok` while the process serves; `/readyz` only once the
    /// controllers' caches have synced. They need no token, as kube-apiserver lets anyone
    /// (`system:public-info-viewer`) read them.
    private func health(_ endpoint: APIPath.HealthEndpoint, _ request: APIRequest) -> APIResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return .error(APIError.methodNotAllowed("the server does not allow this method on the requested resource"))
        }
        if endpoint == .readyz {
            // As kube-apiserver: a failing check lists every check; a passing one only when asked.
            let ready = isReady()
            if !ready || request.query.contains("verbose") {
                let report = readinessReport() ?? (ready
                    ? "[+]informer-sync ok\nreadyz check passed"
                    : "[-]informer-sync failed: caches have not synced yet\nreadyz check failed")
                return .text(report + "\n", status: ready ? .ok : .internalServerError)
            }
        }
        return .text("ok")
    }
}
