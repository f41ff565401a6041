import BosunKit
import BosunRuntime
import NIOHTTP1
import Testing

/// Reads watch events (one JSON object per line) from a streaming response.
struct WatchReader {
    let client: TestHTTPClient
    private var pending: [UInt8] = []
    private(set) var ended = false

    init(_ client: TestHTTPClient) { self.client = client }

    /// The next event, or `nil` when the server ended the stream.
    mutating func next() async throws -> JSONValue? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                return try JSONParser.parse(line)
            }
            guard let chunk = try await client.readChunk() else {
                ended = true
                return nil
            }
            pending += chunk
        }
    }
}

@Suite("API server: watch")
struct WatchTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    @Test("chunked, one event per line: the current state, then live changes as they commit")
    func liveEvents() async throws {
        let server = try await TestAPIServer.start()
        let writer = try await server.client()
        _ = try await writer.request(.POST, Self.configMaps, json: Fixtures.configMap("a"))
        let watcher = try await server.client()
        let head = try await watcher.open(.GET, Self.configMaps + "?watch=1")
        #expect(head.status == 200 && head.headers.first(name: "transfer-encoding") == "chunked")
        var events = WatchReader(watcher)
        let added = try await events.next()
        #expect(added?["type"]?.stringValue == "ADDED" && added?[path: ["object", "metadata", "name"]]?.stringValue == "a")
        #expect(added?[path: ["object", "kind"]]?.stringValue == "ConfigMap")

        _ = try await writer.request(.PATCH, Self.configMaps + "/a", json: ["data": ["k": "2"]], contentType: "application/merge-patch+json")
        let modified = try await events.next()
        #expect(modified?["type"]?.stringValue == "MODIFIED" && modified?[path: ["object", "data", "k"]]?.stringValue == "2")
        _ = try await writer.request(.DELETE, Self.configMaps + "/a")
        #expect(try await events.next()?["type"]?.stringValue == "DELETED")
        await writer.close()
        await server.stop()
        #expect(try await events.next() == nil, "shutting down ends the watch cleanly")
        await watcher.close()
    }

    @Test("from a resourceVersion, on one object's path and the legacy /watch/ prefix, with bookmarks")
    func resumeAndNarrow() async throws {
        let server = try await TestAPIServer.start()
        let writer = try await server.client()
        let a = try await writer.request(.POST, Self.configMaps, json: Fixtures.configMap("a"))
        let from = a.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        _ = try await writer.request(.POST, Self.configMaps, json: Fixtures.configMap("b"))
        _ = try await writer.request(.PATCH, Self.configMaps + "/a", json: ["data": ["k": "3"]], contentType: "application/merge-patch+json")

        let watcher = try await server.client()
        _ = try await watcher.open(.GET, "/api/v1/watch/namespaces/default/configmaps/a?resourceVersion=\(from)&allowWatchBookmarks=true")
        var events = WatchReader(watcher)
        let first = try await events.next()
        #expect(first?["type"]?.stringValue == "MODIFIED" && first?[path: ["object", "data", "k"]]?.stringValue == "3",
                "b is another object; a's creation is not after the version")
        server.store.sendBookmarks()
        let bookmark = try await events.next()
        #expect(bookmark?["type"]?.stringValue == "BOOKMARK")
        #expect(bookmark?[path: ["object", "kind"]]?.stringValue == "ConfigMap")
        #expect(bookmark?[path: ["object", "metadata", "resourceVersion"]]?.stringValue == String(server.store.resourceVersion))
        await watcher.close()
        await writer.close()
        await server.stop()
    }

    @Test("timeoutSeconds ends the stream at the deadline of the server's clock")
    func timeout() async throws {
        let server = try await TestAPIServer.start()
        let watcher = try await server.client()
        _ = try await watcher.open(.GET, Self.configMaps + "?watch=true&timeoutSeconds=30")
        await server.clock.waitForSleepers(1)
        server.clock.advance(by: .seconds(30))
        var events = WatchReader(watcher)
        #expect(try await events.next() == nil)
        // The connection stays usable after the stream ended.
        #expect(try await watcher.request(.GET, "/version").status == 200)
        await watcher.close()
        await server.stop()
    }

    @Test("a resourceVersion older than the history: 200 and one ERROR event with 410 Expired")
    func expired() async throws {
        let server = try await TestAPIServer.start(historyCapacity: 2)
        let writer = try await server.client()
        for name in ["a", "b", "c", "d"] { _ = try await writer.request(.POST, Self.configMaps, json: Fixtures.configMap(name)) }
        let watcher = try await server.client()
        let head = try await watcher.open(.GET, Self.configMaps + "?watch=true&resourceVersion=1")
        #expect(head.status == 200)
        var events = WatchReader(watcher)
        let error = try await events.next()
        #expect(error?["type"]?.stringValue == "ERROR")
        #expect(error?[path: ["object", "code"]] == 410 && error?[path: ["object", "reason"]]?.stringValue == "Expired")
        #expect(try await events.next() == nil)
        let list = try await writer.request(.GET, Self.configMaps + "?watch=true&resourceVersion=abc")
        #expect(list.status == 400)
        await watcher.close()
        await writer.close()
        await server.stop()
    }
}
