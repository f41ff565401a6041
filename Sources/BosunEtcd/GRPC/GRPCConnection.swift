import NIOCore
import NIOHTTP2
import NIOPosix
import Synchronization

/// One HTTP/2 connection to a gRPC server (an etcd member), made when first needed and made
/// again after it closes; every call is a stream on it, so concurrent calls share one socket and
/// their frames share its writes.
///
/// Why not grpc-swift 2's transport: etcd's server (grpc-go) sends a PING with each round of
/// data it receives, to estimate the link's bandwidth-delay product, and that transport leaves
/// NIOHTTP2's flood guard at its default — 200 PING or SETTINGS frames in 30 s — so a steady
/// stream of commits had the client close the connection with ENHANCE_YOUR_CALM within a second
/// (seen with tshark: the client's GOAWAY, error 11). Here the guard is set for such a peer.
final class GRPCConnection: Sendable {
    let host: String
    let port: Int
    let authority: String
    private let group: any EventLoopGroup
    /// How often a PING checks that the member still answers while calls are open (``GRPCKeepalive``).
    let keepaliveInterval: TimeAmount
    private let state = Mutex<State>(.idle)

    private enum State {
        case idle
        case connecting(Task<Connected, any Error>)
        case connected(Connected)
        case shutDown
    }

    struct Connected: Sendable {
        let channel: any Channel
        let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    }

    init(host: String, port: Int, keepaliveInterval: TimeAmount = .seconds(10),
         group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.keepaliveInterval = keepaliveInterval
        self.authority = "\(host):\(port)"
        self.group = group
    }

    /// The open connection, connecting first if there is none (callers meanwhile wait for the
    /// same attempt). Fails with the connection's error when the member cannot be reached:
    /// nothing was sent.
    func connected() async throws -> Connected {
        enum Next {
            case ready(Connected)
            case wait(Task<Connected, any Error>)
            case shutDown
        }
        let next = state.withLock { state -> Next in
            switch state {
            case .connected(let connected) where connected.channel.isActive:
                return .ready(connected)
            case .connected, .idle:
                let task = Task { try await self.connect() }
                state = .connecting(task)
                return .wait(task)
            case .connecting(let task):
                return .wait(task)
            case .shutDown:
                return .shutDown
            }
        }
        switch next {
        case .ready(let connected): return connected
        case .wait(let task): return try await task.value
        case .shutDown: throw GRPCCallError.shutDown
        }
    }

    private func connect() async throws -> Connected {
        let keepaliveInterval = keepaliveInterval
        let connected: Connected
        do {
            connected = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(1))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let streams = GRPCKeepalive.OpenStreams()
                        let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                            mode: .client, connectionConfiguration: Self.connectionConfiguration,
                            streamConfiguration: Self.streamConfiguration, streamDelegate: streams
                        ) { stream in stream.close() }   // servers open no streams (push is off)
                        try channel.pipeline.syncOperations.addHandler(
                            GRPCKeepalive(interval: keepaliveInterval, streams: streams))
                        return Connected(channel: channel, multiplexer: multiplexer)
                    }
                }
        } catch {
            state.withLock { state in
                if case .connecting = state { state = .idle }
            }
            throw error
        }
        let current = state.withLock { state -> Bool in
            guard case .connecting = state else { return false }
            state = .connected(connected)
            return true
        }
        guard current else {
            try? await connected.channel.close()
            throw GRPCCallError.shutDown
        }
        connected.channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { state in
                if case .connected(let now) = state, now.channel === connected.channel { state = .idle }
            }
        }
        return connected
    }

    /// Closes the connection; calls on it fail, and no new one is made.
    func shutdown() async {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state = .shutDown }
            if case .connected(let connected) = state { return connected.channel }
            return nil
        }
        try? await channel?.close()
    }

    private static var connectionConfiguration: NIOHTTP2Handler.ConnectionConfiguration {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        // See the type's comment: grpc-go pings once per round of data (its BDP estimate).
        configuration.controlFrameRateLimit.maximumCount = 100_000
        configuration.controlFrameRateLimit.windowLength = .seconds(1)
        configuration.initialSettings = [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
            HTTP2Setting(parameter: .maxFrameSize, value: 1 << 20),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 16 << 10),
        ]
        configuration.targetWindowSize = 8 << 20
        return configuration
    }

    private static var streamConfiguration: NIOHTTP2Handler.StreamConfiguration {
        var configuration = NIOHTTP2Handler.StreamConfiguration()
        configuration.targetWindowSize = 1 << 20
        return configuration
    }
}
