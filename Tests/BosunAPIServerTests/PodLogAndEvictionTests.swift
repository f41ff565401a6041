import BosunAPIServer
import BosunKit
import BosunRuntime
import NIOHTTP1
import Synchronization
import Testing

/// A node's logs kept in memory: each container's text, and for followers a stream the test
/// feeds and finishes.
private final class FakeLogs: Sendable {
    let queries = Mutex<[PodLogQuery]>([])
    let followers = Mutex<[AsyncStream<[UInt8]>.Continuation]>([])

    var source: PodLogSource {
        PodLogSource(
            nodeName: "local",
            read: { query in
                self.queries.withLock { $0.append(query) }
                if query.previous { return nil }
                return Array("hello from \(query.container)\n".utf8)
            },
            follow: { query in
                self.queries.withLock { $0.append(query) }
                let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
                continuation.yield(Array("first\n".utf8))
                self.followers.withLock { $0.append(continuation) }
                return stream
            })
    }
}

@Suite("API server: pods/log and pods/eviction")
struct PodLogAndEvictionTests {
    static let pods = "/api/v1/namespaces/default/pods"

    static func pod(_ name: String, node: String?, containers: [String] = ["main"]) -> JSONValue {
        var spec: JSONObject = ["containers": .array(containers.map { ["name": .string($0), "image": "busybox"] })]
        if let node { spec["nodeName"] = .string(node) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    @Test("path traversal through the pod name, namespace or container of a log request never reaches the node's logs")
    func logTraversal() async throws {
        let logs = FakeLogs()
        let server = try await TestAPIServer.start(podLogs: logs.source)
        let client = try await server.client()
        _ = try await client.request(.POST, Self.pods, json: Self.pod("p", node: "local"))
        let hostile: [(String, Int)] = [
            (Self.pods + "/..%2F..%2F..%2Fetc%2Fpasswd/log", 404),
            (Self.pods + "/../log", 404),
            (Self.pods + "/%2E%2E/log", 404),
            ("/api/v1/namespaces/..%2F..%2Fetc/pods/p/log", 404),
            ("/api/v1/namespaces/%2E%2E/pods/p/log", 404),
            (Self.pods + "/p/log?container=..%2F..%2F..%2Fetc%2Fpasswd", 400),
            (Self.pods + "/p/log?container=%2Fetc%2Fpasswd", 400),
            (Self.pods + "/p/log?container=main%00x", 400),
            (Self.pods + "/p/log?container=main/../main", 400),
        ]
        for (path, code) in hostile {
            #expect(try await client.request(.GET, path).status == code, "\(path)")
        }
        // A pod whose name or container would be a path cannot be made in the first place.
        #expect(try await client.request(.POST, Self.pods, json: Self.pod("../x", node: "local")).status == 422)
        #expect(try await client.request(.POST, Self.pods, json: Self.pod("q", node: "local", containers: ["../etc"])).status == 422)
        #expect(logs.queries.withLock { $0.isEmpty })
        await client.close()
        await server.stop()
    }

    @Test("logs of a local pod come from the node's source as text/plain, with the options kubectl sends")
    func localLogs() async throws {
        let logs = FakeLogs()
        let server = try await TestAPIServer.start(podLogs: logs.source)
        let client = try await server.client()
        _ = try await client.request(.POST, Self.pods, json: Self.pod("p", node: "local"))
        let response = try await client.request(.GET, Self.pods + "/p/log?tailLines=5&timestamps=true&limitBytes=100&sinceSeconds=60")
        #expect(response.status == 200 && response.headers.first(name: "content-type") == "text/plain")
        #expect(String(decoding: response.body, as: UTF8.self) == "hello from main\n")
        let query = try #require(logs.queries.withLock { $0.last })
        #expect(query.container == "main" && query.tailLines == 5 && query.timestamps && query.limitBytes == 100)
        #expect(query.sinceTime == server.clock.now().advanced(by: .seconds(-60)))

        let previous = try await client.request(.GET, Self.pods + "/p/log?previous=true")
        #expect(previous.status == 400 && previous.json["message"]?.stringValue == "previous terminated container \"main\" in pod \"p\" not found")
        #expect(try await client.request(.GET, Self.pods + "/p/log?tailLines=-1").status == 422)
        #expect(try await client.request(.GET, Self.pods + "/p/log?sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z").status == 422)
        #expect(try await client.request(.GET, Self.pods + "/missing/log").status == 404)
        await client.close()
        await server.stop()
    }

    @Test("the container is named when the pod has several; simulated and unscheduled pods answer as documented")
    func containerChoice() async throws {
        let server = try await TestAPIServer.start(podLogs: FakeLogs().source)
        let client = try await server.client()
        _ = try await client.request(.POST, Self.pods, json: Self.pod("two", node: "local", containers: ["a", "b"]))
        let unnamed = try await client.request(.GET, Self.pods + "/two/log")
        #expect(unnamed.status == 400 && unnamed.json["message"]?.stringValue == "a container name must be specified for pod two, choose one of: [a b]")
        #expect(String(decoding: try await client.request(.GET, Self.pods + "/two/log?container=b").body, as: UTF8.self) == "hello from b\n")
        #expect(try await client.request(.GET, Self.pods + "/two/log?container=c").status == 400)

        _ = try await client.request(.POST, Self.pods, json: Self.pod("sim", node: "sim-1"))
        let simulated = try await client.request(.GET, Self.pods + "/sim/log")
        #expect(simulated.status == 200 && simulated.body.isEmpty)
        _ = try await client.request(.POST, Self.pods, json: Self.pod("pending", node: nil))
        let pending = try await client.request(.GET, Self.pods + "/pending/log")
        #expect(pending.status == 400 && pending.json["message"]?.stringValue == "container \"main\" in pod \"pending\" is waiting to start: ContainerCreating")
        await client.close()
        await server.stop()
    }

    @Test("follow streams each piece as it comes and ends when the container's log ends")
    func follow() async throws {
        let logs = FakeLogs()
        let server = try await TestAPIServer.start(podLogs: logs.source)
        let client = try await server.client()
        _ = try await client.request(.POST, Self.pods, json: Self.pod("p", node: "local"))
        let follower = try await server.client()
        let head = try await follower.open(.GET, Self.pods + "/p/log?follow=true")
        #expect(head.status == 200)
        #expect(try await follower.readChunk() == Array("first\n".utf8))
        let continuation = try #require(logs.followers.withLock { $0.first })
        continuation.yield(Array("second\n".utf8))
        #expect(try await follower.readChunk() == Array("second\n".utf8))
        continuation.finish()
        #expect(try await follower.readChunk() == nil, "the response ends with the log")
        await follower.close()
        await client.close()
        await server.stop()
    }

    @Test("an Eviction deletes the pod gracefully with its deleteOptions and answers 201 Success")
    func eviction() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.pods, json: Self.pod("p", node: "n1"))
        let eviction: JSONValue = ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "p", "namespace": "default"],
                                   "deleteOptions": ["gracePeriodSeconds": 30]]
        let response = try await client.request(.POST, Self.pods + "/p/eviction", json: eviction)
        #expect(response.status == 201 && response.json["status"]?.stringValue == "Success")
        let pod = try await client.request(.GET, Self.pods + "/p")
        #expect(pod.json[path: ["metadata", "deletionTimestamp"]] != nil, "a bound pod is deleted gracefully")
        #expect(pod.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)

        let mismatched: JSONValue = ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "q"]]
        #expect(try await client.request(.POST, Self.pods + "/p/eviction", json: mismatched).status == 400)
        #expect(try await client.request(.POST, Self.pods + "/nope/eviction", json: ["kind": "Eviction"]).status == 404)
        #expect(try await client.request(.GET, Self.pods + "/p/eviction").status == 405)
        await client.close()
        await server.stop()
    }
}
