import BosunKit
import BosunStore
import Testing

@Suite("Store: bad input stores nothing")
struct StoreBadInputTests {
    @Test func oversizedBodyIs413() {
        let big = Array("{\"a\":\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: RequestBody.maxBytes) + Array("\"}".utf8)
        #expect(throws: APIError.tooLarge("Request entity too large: limit is 3145728")) { try RequestBody.object(big) }
    }

    @Test(arguments: [
        Array("{\"apiVersion\":".utf8),
        [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],
        Array(String(repeating: "[", count: 100_000).utf8),
        Array("[1,2]".utf8),
        Array("{\"apiVersion\":1,\"kind\":\"Pod\"}".utf8),
    ])
    func malformedBodiesAre400(body: [UInt8]) {
        do {
            _ = try RequestBody.object(body)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == 400)
            #expect(error.reason == .badRequest)
        }
    }

    @Test func badObjectsLeaveTheStoreUnchanged() async throws {
        let store = try await makeStore()
        let before = store.resourceVersion
        let invalidName = try RequestBody.object(Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid","namespace":"default"}}"#.utf8))
        await #expect(throws: APIError.self) { try await store.create(configMaps, object: invalidName) }
        let wrongVersion = try RequestBody.object(Array(#"{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}"#.utf8))
        await #expect(throws: APIError.badRequest("the API version in the data (v2) does not match the expected API version (v1)")) {
            try await store.create(configMaps, object: wrongVersion)
        }
        let wrongType = try RequestBody.object(Array(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"default"},"spec":{"replicas":"three"}}"#.utf8))
        do {
            try await store.create(deployments, object: wrongType)
            Issue.record("expected BadRequest")
        } catch {
            #expect(error.code == 400)
            #expect(error.message.contains(#"spec.replicas: expected integer, got string "three""#))
        }
        await #expect(throws: APIError.self) {
            try await store.patch(configMaps, namespace: "default", name: "missing", type: .json, patch: ["not": "a list"])
        }
        #expect(store.resourceVersion == before)
        #expect(try store.list(configMaps).items.isEmpty)
    }
}
