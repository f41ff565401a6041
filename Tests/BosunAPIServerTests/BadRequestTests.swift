import BosunKit
import NIOHTTP1
import Testing

@Suite("Bad requests")
struct BadRequestTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    private func expectStatus(_ response: TestResponse, _ code: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == code, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.json["kind"] == "Status" && response.json["apiVersion"] == "v1", sourceLocation: sourceLocation)
        #expect(response.json["status"] == "Failure" && response.json["reason"]?.stringValue == reason, sourceLocation: sourceLocation)
        #expect(response.json["code"]?.int64Value == Int64(code), sourceLocation: sourceLocation)
    }

    @Test("each bad request gets kube-apiserver's code and a Status with its reason")
    func statuses() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        expectStatus(try await client.request(.GET, "/api/v1/namespaces/default/nothings"), 404, "NotFound")
        expectStatus(try await client.request(.GET, "/apis/nope.example.com/v1/things"), 404, "NotFound")
        expectStatus(try await client.request(.POST, Self.configMaps, body: Array("{\"kind\": ".utf8)), 400, "BadRequest")
        expectStatus(try await client.request(.PATCH, Self.configMaps + "/a", body: Array("[{".utf8),
                                              contentType: "application/json-patch+json"), 400, "BadRequest")

        let created = try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("a"))
        var stale = created.json.objectValue ?? [:]
        stale["data"] = ["k": "first"]
        #expect(try await client.request(.PUT, Self.configMaps + "/a", json: .object(stale)).status == 200)
        stale["data"] = ["k": "second"]
        expectStatus(try await client.request(.PUT, Self.configMaps + "/a", json: .object(stale)), 409, "Conflict")
        expectStatus(try await client.request(.POST, Self.configMaps, json: Fixtures.configMap("a")), 409, "AlreadyExists")

        // kube-apiserver's limit is 3 MiB, for patches as for creates.
        let big = Array("{\"data\":{\"k\":\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 3 * 1024 * 1024) + Array("\"}}".utf8)
        expectStatus(try await client.request(.PATCH, Self.configMaps + "/a", body: big, contentType: "application/merge-patch+json"),
                     413, "RequestEntityTooLarge")

        let anonymous = try await server.client(token: "")
        expectStatus(try await anonymous.request(.GET, Self.configMaps), 401, "Unauthorized")
        let wrong = try await server.client(token: "not-the-token")
        expectStatus(try await wrong.request(.POST, Self.configMaps, json: Fixtures.configMap("b")), 401, "Unauthorized")
        await anonymous.close()
        await wrong.close()
        await client.close()
        await server.stop()
    }
}
