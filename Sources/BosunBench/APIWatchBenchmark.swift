import BosunAPIServer
#if canImport(Glibc)
import Glibc
#endif
import BosunHost
import BosunKit
import BosunRuntime
import BosunStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// LIST and watch fan-out through the API server, over loopback HTTP/1.1 (plain, bearer token),
/// with the whole control plane in process on `nodes` simulated nodes:
/// - a Deployment of `replicas` pods is created and waited for;
/// - LIST: every pod of the namespace as one JSON response, best of five, with its size;
/// - watch fan-out: `watches` connections watch the namespace's pods from the list's
///   resourceVersion while the Deployment rolls out to a new image; a watch in the store counts
///   what every watcher must receive. Reports whether every HTTP watch received every event
///   (a watcher the server dropped as too slow counts as not), the seconds from the rollout's
///   start until the last watcher has them all, and events delivered per second.
///
/// Watchers and server share the machine's cores, so the rates undercount a server alone.
public struct APIWatchBenchmark: Sendable {
    public var nodes: Int
    public var replicas: Int
    public var watches: Int

    public init(nodes: Int = 1_000, replicas: Int = 10_000, watches: Int = 1_000) {
        self.nodes = nodes
        self.replicas = replicas
        self.watches = watches
    }

    static let token = "bench-token-0123456789abcdef"

    public func run() async throws -> BenchmarkReport {
        let plane = try await ControlPlane.start(ControlPlaneOptions(simulatedNodes: nodes, localNode: false))
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let server = try await APIServer.bind(
            APIServerConfiguration(host: "127.0.0.1", port: 0, certificates: nil, token: BearerToken(Self.token)),
            store: plane.store, logger: quiet)
        let serving = Task { try await server.run() }
        var report = BenchmarkReport(name: "api-watch")
        report.record("nodes", nodes)
        report.record("replicas", replicas)
        report.record("watches", watches)

        let api = StoreClient(store: plane.store)
        var deployment = try await api.create(DeploymentBenchmark.deployment(replicas: replicas, image: "nginx:1.14.2"))
        try await poll(every: .milliseconds(50)) { try isComplete(plane.store) }

        let clock = ContinuousClock()
        var best = Double.infinity
        var listBytes = 0
        for _ in 0..<5 {
            let started = clock.now
            let (status, bytes) = try await Self.get(port: server.port, path: "/api/v1/namespaces/default/pods")
            guard status == .ok else { throw BenchmarkError("LIST answered \(status)") }
            best = min(best, (clock.now - started).seconds)
            listBytes = bytes
        }
        report.record("listPods", replicas)
        report.record("listBestSeconds", best, decimals: 3)
        report.record("listMiB", Double(listBytes) / 1_048_576, decimals: 1)

        let from = try plane.store.list(Pod.resource.resourceKey, namespace: "default").resourceVersion
        let reference = Atomic<Int>(0)
        let expected = try await api.watchObjects(Pod.resource, namespace: "default", options: ListOptions(resourceVersion: String(from)))
        let counting = Task {
            for try await _ in expected { reference.add(1, ordering: .relaxed) }
        }
        let counters = (0..<watches).map { _ in WatchCounter() }
        var channels: [any Channel] = []
        for counter in counters {
            channels.append(try await Self.connect(port: server.port, handler: WatchLine(
                port: server.port, path: "/api/v1/namespaces/default/pods?watch=true&resourceVersion=\(from)", counter: counter)))
        }
        // Every watch is registered before the first change: a watch from a resourceVersion
        // replays what it missed anyway, but the timing should not include connection set-up.
        let connected = clock.now + .seconds(30)
        try await poll(every: .milliseconds(20)) {
            clock.now > connected || counters.allSatisfy { $0.started.load(ordering: .relaxed) }
        }

        let started = clock.now
        let cpu = ProcessUsage.cpuSeconds()
        deployment = try await api.get(Deployment.self, namespace: "default", name: DeploymentBenchmark.name)
        deployment.spec.template.spec?.containers[0].image = "nginx:1.16.1"
        _ = try await api.update(deployment)
        try await poll(every: .milliseconds(20)) { try isComplete(plane.store) }
        report.record("rolloutSeconds", (clock.now - started).seconds, decimals: 2)
        // Trailing events (the last old pods' deletions) settle in the store's watch first.
        var settled = -1
        while settled != reference.load(ordering: .relaxed) {
            settled = reference.load(ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(500))
        }
        let deadline = clock.now + .seconds(120)
        try await poll(every: .milliseconds(20)) {
            clock.now > deadline || counters.allSatisfy { $0.events.load(ordering: .relaxed) >= settled || $0.closed.load(ordering: .relaxed) }
        }
        let delivered = (clock.now - started).seconds
        let received = counters.map { $0.events.load(ordering: .relaxed) }
        let complete = received.filter { $0 == settled }.count
        report.record("eventsPerWatch", settled)
        report.record("watchesWithEveryEvent", complete)
        report.record("fewestEventsReceived", received.min() ?? 0)
        report.record("watchesClosedByServer", counters.filter { $0.closed.load(ordering: .relaxed) }.count)
        report.record("deliveredSeconds", delivered, decimals: 2)
        report.record("eventsDeliveredPerSecond", Double(received.reduce(0, +)) / delivered, decimals: 0)
        report.record("cpuSeconds", ProcessUsage.cpuSeconds() - cpu, decimals: 2)

        expected.cancel()
        counting.cancel()
        for channel in channels { try? await channel.close() }
        server.shutdown()
        _ = try? await serving.value
        await plane.shutdown()
        return report
    }

    private func isComplete(_ store: ObjectStore) throws -> Bool {
        try DeploymentBenchmark.isComplete(
            store.get(Deployment.resource.resourceKey, namespace: "default", name: DeploymentBenchmark.name).decode(as: Deployment.self))
    }

    static func connect(port: Int, handler: some ChannelInboundHandler & Sendable) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// One GET on its own connection: the status and the size of the body.
    static func get(port: Int, path: String) async throws -> (HTTPResponseStatus, Int) {
        let counter = WatchCounter()
        let channel = try await connect(port: port, handler: WatchLine(port: port, path: path, counter: counter))
        try await channel.closeFuture.get()
        return (HTTPResponseStatus(statusCode: counter.status.load(ordering: .relaxed)), counter.bytes.load(ordering: .relaxed))
    }

    static func request(port: Int, path: String) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "Authorization", value: "Bearer \(token)")
        head.headers.add(name: "Accept", value: "application/json")
        head.headers.add(name: "Connection", value: "close")
        return head
    }
}

/// What one response has brought, shared by reference with the benchmark.
final class WatchCounter: Sendable {
    let status = Atomic<Int>(0)
    let started = Atomic<Bool>(false)
    /// Newlines in the body: the API server writes each watch event as one JSON line.
    let events = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let closed = Atomic<Bool>(false)
}

/// Sends one GET and counts what comes back; the connection closes at the response's end.
private final class WatchLine: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let counter: WatchCounter

    init(port: Int, path: String, counter: WatchCounter) {
        head = APIWatchBenchmark.request(port: port, path: path)
        self.counter = counter
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            counter.status.store(Int(response.status.code), ordering: .relaxed)
            counter.started.store(true, ordering: .relaxed)
        case .body(let buffer):
            counter.bytes.add(buffer.readableBytes, ordering: .relaxed)
            counter.events.add(Self.newlines(in: buffer), ordering: .relaxed)
        case .end:
            counter.closed.store(true, ordering: .relaxed)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        counter.closed.store(true, ordering: .relaxed)
        context.fireChannelInactive()
    }

    /// Counted with `memchr`: the client shares the cores with the server it measures, and a
    /// byte-by-byte count over the views was 7 % of a 100-watch run's CPU.
    static func newlines(in buffer: ByteBuffer) -> Int {
        buffer.withUnsafeReadableBytes { bytes in
            guard var next = bytes.baseAddress else { return 0 }
            let end = next + bytes.count
            var count = 0
            while next < end, let found = memchr(next, Int32(UInt8(ascii: "\n")), end - next) {
                count += 1
                next = UnsafeRawPointer(found) + 1
            }
            return count
        }
    }
}
