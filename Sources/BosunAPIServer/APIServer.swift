import BosunKit
import BosunRuntime
import BosunStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// How the API server listens and whom it lets in.
public struct APIServerConfiguration: Sendable {
    /// The address to listen on, e.g. `127.0.0.1`; port 0 picks a free port.
    public var host: String
    public var port: Int
    /// The serving certificate; `nil` serves plain HTTP (allowed on loopback only).
    public var certificates: ServingCertificates?
    public var token: BearerToken
    /// When a slow or idle client's connection is closed.
    public var timeouts: ConnectionTimeouts

    public init(host: String, port: Int, certificates: ServingCertificates?, token: BearerToken,
                timeouts: ConnectionTimeouts = ConnectionTimeouts()) {
        self.host = host
        self.port = port
        self.certificates = certificates
        self.token = token
        self.timeouts = timeouts
    }
}

/// The Kubernetes API over HTTP/1.1 (TLS by default) in front of an ``ObjectStore``.
///
/// ``bind(_:store:clock:isReady:readinessReport:podLogs:metrics:logger:)`` opens the listening socket (so the port is known and
/// taken before anything is announced); ``run()`` serves until a graceful shutdown
/// (ServiceLifecycle), task cancellation, or ``shutdown()``: it then stops accepting, ends open
/// watches, lets requests in flight finish, and closes every connection.
public final class APIServer: ServiceLifecycle.Service, Sendable {
    private let listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let router: RequestRouter
    private let metrics: RequestMetrics
    private let logger: Logger
    private let connections = Mutex<[ObjectIdentifier: Connection]>([:])
    private let stopping = Mutex(false)
    /// The bound address's host and port (the port the OS picked when 0 was asked for).
    public let host: String
    public let port: Int
    /// `https` or `http`.
    public let scheme: String

    /// Opens the listening socket. Plain HTTP is refused on anything but a loopback address.
    public static func bind(
        _ configuration: APIServerConfiguration, store: ObjectStore, clock: any RuntimeClock = SystemRuntimeClock(),
        isReady: @escaping @Sendable () -> Bool = { true }, readinessReport: @escaping @Sendable () -> String? = { nil },
        podLogs: PodLogSource? = nil,
        metrics: PrometheusTextMetrics = PrometheusTextMetrics(), logger: Logger = Logger(label: "bosun.apiserver")
    ) async throws -> APIServer {
        if configuration.certificates == nil && !isLoopback(configuration.host) {
            throw APIServerError("plain HTTP is served on a loopback address only, not on \(configuration.host)")
        }
        let tls = try configuration.certificates.map(Self.tlsContext)
        let timeouts = configuration.timeouts
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    // NIO's decoder refuses a head over 80 KiB (400, then close): the header limit.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(SlowClientGuard(timeouts: timeouts))
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = listener.channel.localAddress?.port else {
            throw APIServerError("the listening socket has no port")
        }
        let scheme = tls == nil ? "http" : "https"
        let host = configuration.host
        let reachable = isWildcard(host) ? "127.0.0.1" : host
        let advertised = reachable.contains(":") ? "[\(reachable)]" : reachable
        let router = RequestRouter(
            store: store, resources: ResourceHandler(store: store, clock: clock, podLogs: podLogs),
            openAPI: OpenAPIService(store: store), token: configuration.token,
            isReady: isReady, readinessReport: readinessReport, metrics: metrics, serverAddress: "\(advertised):\(port)")
        return APIServer(listener: listener, router: router, metrics: RequestMetrics(factory: metrics), logger: logger,
                         host: advertised, port: port, scheme: scheme)
    }

    private init(
        listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
        router: RequestRouter, metrics: RequestMetrics, logger: Logger, host: String, port: Int, scheme: String
    ) {
        self.listener = listener
        self.router = router
        self.metrics = metrics
        self.logger = logger
        self.host = host
        self.port = port
        self.scheme = scheme
    }

    /// The URL clients use: `https://127.0.0.1:6443`.
    public var url: String { "\(scheme)://\(host):\(port)" }

    /// Serves until shut down; returns once every connection is closed.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await serve()
            } onCancel: {
                self.beginShutdown()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
    }

    /// Stops accepting connections, ends watches, and closes connections once their request in
    /// flight is answered. ``run()`` returns when the last one is closed.
    public func shutdown() {
        beginShutdown()
    }

    private func serve() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await client in inbound {
                    group.addTask { await self.serve(client) }
                }
            }
        }
    }

    private func beginShutdown() {
        let first = stopping.withLock { s in defer { s = true }; return !s }
        guard first else { return }
        logger.info("API server shutting down")
        listener.channel.close(promise: nil)
        for connection in connections.withLock({ Array($0.values) }) {
            connection.quiesce()
            connection.endStreams()
        }
    }

    // MARK: Connections

    private func serve(_ client: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let connection = Connection(channel: client.channel)
        let id = ObjectIdentifier(connection)
        let stopped = stopping.withLock { s in
            if !s { connections.withLock { $0[id] = connection } }
            return s
        }
        if stopped { connection.quiesce() }
        defer { _ = connections.withLock { $0.removeValue(forKey: id) } }
        do {
            try await client.executeThenClose { inbound, outbound in
                var reader = RequestReader()
                for try await part in inbound {
                    guard let (request, head, problem) = try reader.read(part) else { continue }
                    let started = ContinuousClock.now
                    let keepAlive = head.isKeepAlive && !stopping.withLock { $0 }
                    if !keepAlive { connection.quiesce() }
                    let response: APIResponse
                    if let problem { response = .error(problem) } else { response = await router.respond(to: request) }
                    let status = response.status
                    try await write(response, version: head.version, keepAlive: keepAlive, connection: connection,
                                    outbound: outbound)
                    let latency = ContinuousClock.now - started
                    RequestLog.record(logger, head: head, status: status, latency: latency,
                                      remote: client.channel.remoteAddress)
                    metrics.record(request, status: Int(status.code), latency: latency)
                }
            }
        } catch {
            // A client that goes away mid-request or fails its TLS handshake ends only its own
            // connection.
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func write(
        _ response: APIResponse, version: HTTPVersion, keepAlive: Bool, connection: Connection,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = response.headers
        // kube-apiserver's default, which a handler may override (OpenAPI documents by hash).
        if !headers.contains(name: "cache-control") { headers.add(name: "cache-control", value: "no-cache, private") }
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        switch response.body {
        case .bytes(let bytes):
            headers.replaceOrAdd(name: "content-length", value: String(bytes.count))
            let head = HTTPResponseHead(version: version, status: response.status, headers: headers)
            try await outbound.write(contentsOf: [
                .head(head), .body(.byteBuffer(connection.channel.allocator.buffer(bytes: bytes))), .end(nil),
            ])
        case .stream(let produce):
            // No content-length: HTTP/1.1 responses are sent chunked, each write a chunk.
            let head = HTTPResponseHead(version: version, status: response.status, headers: headers)
            try await outbound.write(.head(head))
            do {
                try await produce(ConnectionResponseStream(connection: connection, outbound: outbound))
            } catch {
                connection.clearEndActions()
                throw error
            }
            connection.clearEndActions()
            try await outbound.write(.end(nil))
        }
    }

    // MARK: Helpers

    private static func tlsContext(_ certificates: ServingCertificates) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificates.certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(certificates.privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // client-go offers h2 and http/1.1; this server speaks HTTP/1.1.
        configuration.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        guard let bytes = IPAddress.bytes(host) else { return false }
        return bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    static func isWildcard(_ host: String) -> Bool { ServingCertificates.isWildcard(host) }
}

/// A configuration the server cannot serve with.
public struct APIServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
