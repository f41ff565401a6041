import CoreMetrics
import NIOHTTP1

/// The server's own metrics, named as kube-apiserver names them: `apiserver_request_total` by
/// verb, resource, subresource and code, and `apiserver_request_duration_seconds` by verb,
/// resource and subresource (a watch's duration is how long it stayed open).
struct RequestMetrics: Sendable {
    let factory: any MetricsFactory

    func record(_ request: APIRequest, status: Int, latency: Duration) {
        let (verb, resource, subresource) = Self.labels(request)
        Counter(label: "apiserver_request_total",
                dimensions: [("verb", verb), ("resource", resource), ("subresource", subresource), ("code", String(status))],
                factory: factory).increment()
        let (seconds, attoseconds) = latency.components
        Timer(label: "apiserver_request_duration_seconds",
              dimensions: [("verb", verb), ("resource", resource), ("subresource", subresource)],
              factory: factory).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// kube-apiserver's verbs: `LIST` and `WATCH` apart from `GET`, the other methods as they are;
    /// paths that are not resources have an empty resource.
    static func labels(_ request: APIRequest) -> (verb: String, resource: String, subresource: String) {
        let method = request.method.rawValue
        guard case .resource(let path) = request.route else { return (method, "", "") }
        var verb = method
        if method == "GET" {
            let watch = path.legacyWatch || ["1", "true"].contains(request.query["watch"] ?? "")
            verb = watch ? "WATCH" : path.name == nil ? "LIST" : "GET"
        } else if method == "DELETE" && path.name == nil {
            verb = "DELETECOLLECTION"
        }
        return (verb, path.resource, path.subresource ?? "")
    }
}
