import NIOHTTP1

/// One HTTP request as the API handlers see it: the method, the path split from its query, the
/// headers, and the whole body (bounded by ``RequestBody/maxBytes`` before it gets here).
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// The path, still percent-encoded: segments are decoded one by one, as a name may hold `%2F`.
    let path: String
    /// What `path` names, parsed once for the router and the metrics.
    let route: APIPath
    var query: QueryParameters
    var headers: HTTPHeaders
    var body: [UInt8]

    init(method: HTTPMethod, uri: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        if let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(uri[..<mark])
            query = QueryParameters(String(uri[uri.index(after: mark)...]))
        } else {
            path = uri
            query = QueryParameters("")
        }
        route = APIPath(path)
        self.headers = headers
        self.body = body
    }

    /// The bearer token of the `Authorization` header, if it carries one.
    var bearerToken: Substring? {
        guard let value = headers.first(name: "authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].drop { $0 == " " }
    }
}
