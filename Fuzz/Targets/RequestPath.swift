/// The request target as the API server splits it: path into ``APIPath``, query into
/// ``QueryParameters`` (compiled in with this target: they are the API server's own files).
/// Invariant: a decoded segment never holds a `/`, so no name or namespace can name a path.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let uri = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let path: Substring, query: Substring
    if let mark = uri.firstIndex(of: "?") {
        (path, query) = (uri[..<mark], uri[uri.index(after: mark)...])
    } else {
        (path, query) = (uri[...], "")
    }
    if case .resource(let resource) = APIPath(String(path)) {
        for part in [resource.namespace, resource.name, resource.subresource, resource.resource] {
            if let part, part.contains("/") || part.isEmpty { fatalError("segment \(part.debugDescription) from \(uri.debugDescription)") }
        }
    }
    let parameters = QueryParameters(String(query))
    _ = parameters["labelSelector"]
    _ = parameters.all("fieldSelector")
    return 0
}
