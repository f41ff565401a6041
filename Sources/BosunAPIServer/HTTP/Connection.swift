import NIOCore
import NIOHTTP1
import Synchronization

/// One client connection's state that shutdown needs: whether it asked to be closed, and the
/// long-lived responses (watches) to end when it closes or the server stops.
final class Connection: Sendable {
    let channel: any Channel
    private struct State {
        var quiesced = false
        var closed = false
        var endActions: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    init(channel: any Channel) {
        self.channel = channel
        channel.closeFuture.whenComplete { [weak self] _ in self?.ended() }
    }

    /// Asks the HTTP pipeline to close the connection once the response in flight (if any) is
    /// written, and to take no further request on it. Safe to call more than once.
    func quiesce() {
        let first = state.withLock { s -> Bool in
            defer { s.quiesced = true }
            return !s.quiesced && !s.closed
        }
        if first { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
    }

    /// Ends the connection's streams (watches): the server is stopping.
    func endStreams() {
        for action in state.withLock({ s in defer { s.endActions = [] }; return s.endActions }) { action() }
    }

    func onEnd(_ action: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            if s.closed { return true }
            s.endActions.append(action)
            return false
        }
        if already { action() }
    }

    /// Forgets the actions of a stream that finished by itself.
    func clearEndActions() {
        state.withLock { $0.endActions = [] }
    }

    private func ended() {
        let actions = state.withLock { s -> [@Sendable () -> Void] in
            s.closed = true
            defer { s.endActions = [] }
            return s.endActions
        }
        for action in actions { action() }
    }
}

/// The writing end of a chunked response on a connection.
struct ConnectionResponseStream: ResponseStream {
    let connection: Connection
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    func write(_ bytes: [UInt8]) async throws {
        try await outbound.write(.body(.byteBuffer(connection.channel.allocator.buffer(bytes: bytes))))
    }

    func onEnd(_ action: @escaping @Sendable () -> Void) {
        connection.onEnd(action)
    }
}
