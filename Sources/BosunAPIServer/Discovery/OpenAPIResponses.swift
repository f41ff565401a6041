import Foundation
import NIOHTTP1

/// The caching headers kube-openapi's handler puts on OpenAPI v3 answers: a quoted `ETag` (the
/// document's hash) honoured in `If-None-Match`; for a document asked for with `?hash=`, the
/// current hash answers `Cache-Control: public, immutable` with a year's `Expires`, and an
/// old one a `301` to the current URL.
enum OpenAPIResponses {
    static func index(_ index: OpenAPIService.Rendered, _ request: APIRequest) -> APIResponse {
        answer(index, request)
    }

    static func document(_ document: OpenAPIService.Rendered, path: String, _ request: APIRequest) -> APIResponse {
        guard let hash = request.query["hash"], !hash.isEmpty else {
            var response = answer(document, request)
            response.headers.replaceOrAdd(name: "vary", value: "Accept")
            return response
        }
        guard hash == document.hash else {
            let location = OpenAPIDocuments.serverRelativeURL(path, hash: document.hash)
            var response = APIResponse(status: .movedPermanently, contentType: "text/html; charset=utf-8",
                                       body: .bytes(Array("<a href=\"\(location)\">Moved Permanently</a>.\n\n".utf8)))
            response.headers.replaceOrAdd(name: "location", value: location)
            return response
        }
        var response = answer(document, request)
        response.headers.replaceOrAdd(name: "vary", value: "Accept")
        response.headers.replaceOrAdd(name: "cache-control", value: "public, immutable")
        response.headers.replaceOrAdd(name: "expires", value: httpDate(Date().addingTimeInterval(365 * 24 * 3600)))
        return response
    }

    private static func answer(_ rendered: OpenAPIService.Rendered, _ request: APIRequest) -> APIResponse {
        let etag = "\"\(rendered.hash)\""
        var response: APIResponse
        if let match = request.headers.first(name: "if-none-match"),
           match == "*" || match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            response = APIResponse(status: .notModified, contentType: MediaType.json, body: .bytes([]))
        } else {
            response = .json(rendered.bytes)
        }
        response.headers.replaceOrAdd(name: "etag", value: etag)
        return response
    }

    private static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
