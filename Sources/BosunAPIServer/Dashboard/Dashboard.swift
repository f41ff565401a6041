import BosunKit
import NIOHTTP1

/// The web dashboard at `/dashboard/`: static HTML, JavaScript and CSS embedded in the binary
/// (Site/, through Tools/generate-dashboard.py).
///
/// The files carry no cluster data, so they are served without the token, as a sign-in page would
/// be: the page reads everything through the ordinary Kubernetes API with the bearer token, which
/// it takes from the URL's fragment (never sent to a server) or from the user. The headers keep
/// the page to its own origin: no inline or foreign scripts, no framing, no referrer.
enum Dashboard {
    static let pathPrefix = "/dashboard/"

    static func respond(to file: String, _ request: APIRequest) -> APIResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return .error(APIError.methodNotAllowed("the server does not allow this method on the requested resource"))
        }
        // `/dashboard` itself: relative URLs in the page resolve under the folder.
        if file.isEmpty && !request.path.hasSuffix("/") {
            var response = APIResponse.text("see \(pathPrefix)\n", status: .movedPermanently)
            response.headers.add(name: "location", value: pathPrefix)
            return response
        }
        let name = file.isEmpty ? "index.html" : file
        guard let contents = files[name], let type = contentType(of: name) else {
            return .error(RequestRouter.pathNotFound)
        }
        var response = APIResponse(status: .ok, contentType: type, body: .bytes(Array(contents.utf8)))
        response.headers.add(name: "content-security-policy", value: contentSecurityPolicy)
        response.headers.add(name: "x-content-type-options", value: "nosniff")
        response.headers.add(name: "x-frame-options", value: "DENY")
        response.headers.add(name: "referrer-policy", value: "no-referrer")
        return response
    }

    /// Scripts and styles from the page's own files only; requests to its own origin only.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    private static func contentType(of name: String) -> String? {
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        return nil
    }
}
