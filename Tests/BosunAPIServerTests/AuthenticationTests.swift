import BosunAPIServer
import BosunKit
import BosunStore
import Foundation
import NIOHTTP1
import Testing

@Suite("API server: every path but the health checks needs the token")
struct AuthenticationTests {
    /// One path of each kind the router serves, and some it does not: none may be answered,
    /// nor even said to exist (404 would), without the token.
    static let guarded: [(HTTPMethod, String)] = [
        (.GET, "/"), (.GET, "/api"), (.GET, "/api/v1"), (.GET, "/apis"), (.GET, "/apis/apps"), (.GET, "/apis/apps/v1"),
        (.GET, "/version"), (.GET, "/openapi/v2"), (.GET, "/openapi/v3"), (.GET, "/openapi/v3/api/v1"), (.GET, "/metrics"),
        (.GET, "/api/v1/namespaces"), (.GET, "/api/v1/namespaces/default"), (.GET, "/api/v1/namespaces/default/configmaps"),
        (.GET, "/api/v1/namespaces/default/configmaps?watch=1"), (.GET, "/api/v1/pods"),
        (.POST, "/api/v1/namespaces/default/configmaps"), (.PUT, "/api/v1/namespaces/default/configmaps/x"),
        (.PATCH, "/api/v1/namespaces/default/configmaps/x"), (.DELETE, "/api/v1/namespaces/default/configmaps/x"),
        (.DELETE, "/api/v1/namespaces/default/configmaps"), (.GET, "/api/v1/namespaces/default/pods/p/log"),
        (.POST, "/api/v1/namespaces/default/pods/p/eviction"), (.PUT, "/apis/apps/v1/namespaces/default/deployments/d/scale"),
        (.GET, "/apis/example.com/v1/widgets"), (.GET, "/no/such/path"), (.GET, "/api/v1/namespaces/..%2F..%2Fetc/configmaps"),
    ]

    /// Ways of not presenting the token: none, a wrong one, one a character short or long, the
    /// right one under another scheme, an empty bearer.
    static let credentials: [(String, String?)] = [
        ("no Authorization header", nil),
        ("a wrong token", "Bearer wrong"),
        ("the token less its last character", "Bearer " + String(TestAPIServer.token.dropLast())),
        ("the token and one more character", "Bearer " + TestAPIServer.token + "0"),
        ("the token as Basic credentials", "Basic " + Data("admin:\(TestAPIServer.token)".utf8).base64EncodedString()),
        ("the token without a scheme", TestAPIServer.token),
        ("an empty bearer", "Bearer "),
    ]

    @Test("each path answers 401 Unauthorized (a Status) to each way of not presenting the token; nothing changes")
    func everyPathEveryCredential() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client(token: "")
        let before = server.store.resourceVersion
        for (method, path) in Self.guarded {
            for (name, authorization) in Self.credentials {
                let headers = authorization.map { [("authorization", $0)] } ?? []
                let body: [UInt8]? = method == .GET ? nil : JSONWriter.encode(Fixtures.configMap("x"))
                let response = try await client.request(method, path, body: body, headers: headers)
                #expect(response.status == 401, "\(method) \(path) with \(name): \(response.status)")
                #expect(response.json["kind"]?.stringValue == "Status" && response.json["reason"]?.stringValue == "Unauthorized",
                        "\(method) \(path) with \(name)")
            }
        }
        #expect(server.store.resourceVersion == before)
        await client.close()
        await server.stop()
    }

    @Test("/healthz, /livez and /readyz (and their checks) answer without a token, as kube-apiserver's public-info-viewer lets them")
    func healthIsPublic() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client(token: "")
        for path in ["/healthz", "/livez", "/readyz", "/readyz?verbose", "/healthz/ping"] {
            let response = try await client.request(.GET, path)
            #expect(response.status == 200, "\(path)")
            // They say whether the server is up, and nothing about the objects it holds.
            #expect(!response.text.contains("default"), "\(path)")
        }
        #expect(try await client.request(.POST, "/healthz", body: []).status == 405)
        await client.close()
        await server.stop()
    }
}
