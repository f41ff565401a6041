import NIOCore
import NIOHTTP1

/// How long the server waits on a client before it closes the connection: the defences against
/// slow clients (slowloris) that kube-apiserver's Go `http.Server` has.
public struct ConnectionTimeouts: Sendable, Hashable {
    /// A new connection must deliver a complete request head (request line and headers) within
    /// this; kube-apiserver's `ReadHeaderTimeout` is 32 s. Covers a TLS handshake that never ends.
    public var readHeader: TimeAmount
    /// Once its head has arrived, a request's body must have arrived whole within this (the
    /// 60 s kube-apiserver gives a non-long-running request).
    public var readBody: TimeAmount
    /// A kept-alive connection with no request in flight is closed when no complete request head
    /// arrives within this after the previous response (kube-apiserver's `IdleTimeout`, 90 s).
    public var idle: TimeAmount

    public init(readHeader: TimeAmount = .seconds(32), readBody: TimeAmount = .seconds(60), idle: TimeAmount = .seconds(90)) {
        self.readHeader = readHeader
        self.readBody = readBody
        self.idle = idle
    }
}

/// Closes a connection whose client is too slow: one that does not finish a request head, or a
/// request body, or stays idle between requests, past its ``ConnectionTimeouts``. While a
/// response is being written (a watch may stream for an hour) no deadline runs: the client
/// has sent all it had to send.
///
/// Sits behind the HTTP decoder, so it sees request parts coming in and response parts going
/// out. Requests a client pipelines are read by NIO's pipelining handler one at a time, so
/// "in flight" here is the one request between its head and its response's end.
final class SlowClientGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeouts: ConnectionTimeouts
    /// When the connection closes unless a request part or a response's end comes first; `nil`
    /// while a request is being handled.
    private var closesAt: NIODeadline?
    /// The one timer, due at or before `closesAt`. Arming moves only the deadline: on a kept-alive
    /// connection requests come thousands a second, and a timer scheduled and cancelled twice per
    /// request cost more than all the rest of this guard. A timer that fires early sleeps on.
    private var timer: Scheduled<Void>?
    private var timerDue: NIODeadline?
    private var requestsInFlight = 0

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(timeouts.readHeader, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(timeouts.readHeader, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsInFlight += 1
            arm(timeouts.readBody, context: context)
        case .body:
            break
        case .end:
            // The request is read; the handler may take as long as it takes.
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInFlight = max(0, requestsInFlight - 1)
            if requestsInFlight == 0 { arm(timeouts.idle, context: context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        let at = context.eventLoop.now + timeout
        closesAt = at
        // A timer due sooner finds the new deadline when it fires.
        if let timerDue, timerDue <= at { return }
        schedule(at, context: context)
    }

    private func disarm() {
        closesAt = nil
    }

    private func stop() {
        closesAt = nil
        timer?.cancel()
        timer = nil
        timerDue = nil
    }

    private func schedule(_ at: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timerDue = at
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: at) { [self] in
            timer = nil
            timerDue = nil
            guard let closesAt else { return }
            if closesAt <= context.eventLoop.now {
                context.channel.close(promise: nil)
            } else {
                schedule(closesAt, context: context)
            }
        }
    }
}
