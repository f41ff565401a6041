@testable import BosunAPIServer
import BosunKit
import Foundation
import NIOHTTP1
import Testing

@Suite("API server: the web dashboard's files")
struct DashboardTests {
    static let site = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/BosunAPIServer/Dashboard/Site")

    @Test("the embedded files are Dashboard/Site as it is (else run Tools/generate-dashboard.py)")
    func embeddedMatchesSite() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.site.path).sorted()
        #expect(names == Dashboard.files.keys.sorted())
        for name in names {
            var onDisk = try String(contentsOf: Self.site.appendingPathComponent(name), encoding: .utf8)
            // The generator drops trailing newlines.
            while onDisk.hasSuffix("\n") { onDisk.removeLast() }
            #expect(Dashboard.files[name] == onDisk, "\(name) differs")
        }
    }

    @Test("the page and its script and style are served without the token, locked to their own origin")
    func servedWithoutToken() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client(token: "")
        let page = try await client.request(.GET, "/dashboard/", accept: "text/html")
        #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
        #expect(page.text.contains("<script src=\"dashboard.js\""))
        #expect(page.headers.first(name: "content-security-policy")?.contains("script-src 'self'") == true)
        #expect(page.headers.first(name: "x-frame-options") == "DENY")
        let script = try await client.request(.GET, "/dashboard/dashboard.js")
        #expect(script.status == 200 && script.contentType == "text/javascript; charset=utf-8")
        #expect(script.text.contains("Authorization: `Bearer ${token}`"))
        let style = try await client.request(.GET, "/dashboard/dashboard.css")
        #expect(style.status == 200 && style.contentType == "text/css; charset=utf-8")

        let folder = try await client.request(.GET, "/dashboard")
        #expect(folder.status == 301 && folder.headers.first(name: "location") == "/dashboard/")
        await client.close()
        await server.stop()
    }

    @Test("no data without the token: the files carry none, the API still answers 401, and nothing else is served")
    func noDataWithoutToken() async throws {
        let server = try await TestAPIServer.start()
        let authorized = try await server.client()
        let created = try await authorized.request(.POST, "/api/v1/namespaces/default/configmaps",
                                                   json: Fixtures.configMap("payroll-secrets"))
        #expect(created.status == 201)
        await authorized.close()

        let client = try await server.client(token: "")
        for path in ["/dashboard/", "/dashboard/index.html", "/dashboard/dashboard.js", "/dashboard/dashboard.css"] {
            let response = try await client.request(.GET, path)
            #expect(response.status == 200 && !response.text.contains("payroll-secrets"), "\(path)")
        }
        #expect(try await client.request(.GET, "/api/v1/namespaces/default/configmaps").status == 401)
        for path in ["/dashboard/missing.js", "/dashboard/..", "/dashboard/token"] {
            #expect(try await client.request(.GET, path).status == 404, "\(path)")
        }
        // Not the dashboard's paths at all (an escaped slash, a deeper path): the token first.
        for path in ["/dashboard/%2e%2e%2fapi%2fv1%2fnamespaces", "/dashboard/a/b"] {
            #expect(try await client.request(.GET, path).status == 401, "\(path)")
        }
        #expect(try await client.request(.POST, "/dashboard/", body: []).status == 405)
        await client.close()
        await server.stop()
    }
}
