import BosunAPIServer
import BosunKit
import BosunRuntime
import BosunStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// GET of one object over HTTP/1.1 keep-alive: the API server on loopback (plain HTTP, bearer
/// token) over an in-memory store, and `connections` clients in the same process each sending
/// the next request as soon as the previous response ends. Client and server share the machine's
/// cores, so the rate undercounts what a server alone would answer.
///
/// With `creates`, each request instead POSTs a new ConfigMap (`generateName`): the API's whole
/// write path — body parsing, admission, the store, the watch cache's bookkeeping. Both report the
/// process CPU time per request (client included), which moves less with a machine's load.
public struct APIGetBenchmark: Sendable {
    public var connections: Int
    public var seconds: Int
    public var creates: Bool

    public init(connections: Int = 16, seconds: Int = 5, creates: Bool = false) {
        self.connections = connections
        self.seconds = seconds
        self.creates = creates
    }

    static let token = "bench-token-0123456789abcdef"

    public func run() async throws -> BenchmarkReport {
        let store = try await ObjectStore.open(backend: MemoryBackend())
        _ = try await StoreClient(store: store).create(ConfigMap(
            metadata: ObjectMeta(labels: ["app": "bench"], name: "bench", namespace: "default"),
            data: ["greeting": "hello", "size": String(repeating: "x", count: 256)]))
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let server = try await APIServer.bind(
            APIServerConfiguration(host: "127.0.0.1", port: 0, certificates: nil, token: BearerToken(Self.token)),
            store: store, logger: quiet)
        let serving = Task { try await server.run() }

        let counters = GetCounters()
        var channels: [any Channel] = []
        for _ in 0..<connections {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(GetLoop(port: server.port, creates: creates, counters: counters))
                    }
                }
                .connect(host: "127.0.0.1", port: server.port).get()
            channels.append(channel)
        }
        // A second of warm-up, then the measured window.
        try await Task.sleep(for: .seconds(1))
        let clock = ContinuousClock()
        let before = counters.completed.load(ordering: .relaxed)
        let cpuBefore = ProcessUsage.cpuSeconds()
        let started = clock.now
        try await Task.sleep(for: .seconds(seconds))
        let done = counters.completed.load(ordering: .relaxed) - before
        let cpuSeconds = ProcessUsage.cpuSeconds() - cpuBefore
        let elapsed = (clock.now - started).seconds
        counters.stopping.store(true, ordering: .relaxed)
        for channel in channels { try? await channel.close() }
        server.shutdown()
        _ = try? await serving.value
        await store.close()

        var report = BenchmarkReport(name: creates ? "api-create" : "api-get")
        report.record("connections", connections)
        report.record("requests", done)
        report.record("requestsPerSecond", Double(done) / elapsed, decimals: 0)
        report.record("cpuMicrosPerRequest", cpuSeconds / Double(max(done, 1)) * 1e6, decimals: 1)
        report.record("failures", counters.failures.load(ordering: .relaxed))
        return report
    }
}

/// What the connections count, shared by reference.
private final class GetCounters: Sendable {
    let completed = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
}

/// Sends requests back to back on one connection: the next as soon as a response ends.
private final class GetLoop: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let body: ByteBuffer?
    let expected: HTTPResponseStatus
    let counters: GetCounters

    init(port: Int, creates: Bool, counters: GetCounters) {
        let path = "/api/v1/namespaces/default/configmaps"
        var head = HTTPRequestHead(version: .http1_1, method: creates ? .POST : .GET, uri: creates ? path : path + "/bench")
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "Authorization", value: "Bearer \(APIGetBenchmark.token)")
        head.headers.add(name: "Accept", value: "application/json")
        if creates {
            let json = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"bench-","labels":{"app":"bench"}},"data":{"greeting":"hello","size":"\#(String(repeating: "x", count: 256))"}}"#
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(json.utf8.count))
            body = ByteBuffer(string: json)
        } else {
            body = nil
        }
        expected = creates ? .created : .ok
        self.head = head
        self.counters = counters
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            if response.status != expected { counters.failures.add(1, ordering: .relaxed) }
        case .body:
            break
        case .end:
            counters.completed.add(1, ordering: .relaxed)
            if !counters.stopping.load(ordering: .relaxed) { send(context) }
        }
    }

    private func send(_ context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
