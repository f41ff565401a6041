import NIOCore
import NIOHTTP2
import Synchronization

/// Notices a connection whose peer went silent — a member frozen, or a network partition that
/// leaves the socket open — by HTTP/2 PINGs: while calls are open, one every `interval`, and a
/// PING left unanswered until the next one closes the connection. Its calls then fail (a watch is
/// opened again, on another member if need be) instead of waiting on it for hours, as TCP alone
/// would. No PINGs go out while no call is open: etcd's server, like grpc-go's by default, counts
/// those against the client and closes the connection after a few.
final class GRPCKeepalive: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// Counts the connection's open streams; NIOHTTP2 calls it on the connection's event loop.
    final class OpenStreams: NIOHTTP2StreamDelegate {
        let count = Atomic<Int>(0)

        func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
            count.add(1, ordering: .relaxed)
        }

        func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
            count.subtract(1, ordering: .relaxed)
        }
    }

    private let interval: TimeAmount
    private let streams: OpenStreams
    private let pingData = HTTP2PingData(withInteger: .random(in: .min ... .max))
    private var awaitingAck = false
    private var timer: Scheduled<Void>?

    init(interval: TimeAmount, streams: OpenStreams) {
        self.interval = interval
        self.streams = streams
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        scheduleTick(context)
    }

    private func scheduleTick(_ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            self.tick(context)
        }
    }

    private func tick(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        defer { scheduleTick(context) }
        if awaitingAck {
            // The last PING went unanswered for a whole interval.
            context.close(promise: nil)
            return
        }
        guard streams.count.load(ordering: .relaxed) > 0 else { return }
        awaitingAck = true
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .ping(pingData, ack: false))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .ping(let data, ack: true) = frame.payload, data == pingData {
            awaitingAck = false
        }
        context.fireChannelRead(data)
    }
}
