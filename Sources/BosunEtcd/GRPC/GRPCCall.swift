import NIOCore
import NIOHPACK
import NIOHTTP2
import Synchronization

/// Why a gRPC call failed.
enum GRPCCallError: Error, CustomStringConvertible {
    /// The call's stream was never opened (no connection): nothing reached the server.
    case notSent(String)
    /// The server answered with a status other than OK.
    case status(code: Int, message: String)
    /// The stream ended without a status (the connection broke) or the deadline passed: the
    /// request may have reached the server.
    case broken(String)
    /// The connection was shut down.
    case shutDown
    /// The connection had closed before the call's stream could open on it: nothing was sent.
    case connectionClosed

    var description: String {
        switch self {
        case .notSent(let reason): "cannot connect: \(reason)"
        case .status(let code, let message): "\(GRPCCallError.name(code)): \(message)"
        case .broken(let reason): reason
        case .shutDown: "the connection is shut down"
        case .connectionClosed: "the connection closed"
        }
    }

    /// gRPC's status codes, named as the spec names them.
    static func name(_ code: Int) -> String {
        let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                     "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
                     "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]
        return names.indices.contains(code) ? names[code] : "status \(code)"
    }

    static let unavailable = 14
    static let deadlineExceeded = 4
}

extension GRPCConnection {
    /// Sends one request message on a new stream and returns the one response message.
    func unary(_ path: String, _ request: [UInt8], timeout: Duration) async throws(GRPCCallError) -> ByteBuffer {
        try await call(path, request, timeout: timeout, onMessage: nil) ?? ByteBuffer()
    }

    /// Sends one request message on a new stream and hands each response message to `onMessage`
    /// (on the connection's event loop, in order) until the server ends the stream, `onMessage`
    /// throws or the task is cancelled.
    func serverStream(
        _ path: String, _ request: [UInt8], onMessage: @escaping @Sendable (ByteBuffer) throws -> Void
    ) async throws(GRPCCallError) {
        _ = try await call(path, request, timeout: nil, onMessage: onMessage)
    }

    private func call(
        _ path: String, _ request: [UInt8], timeout: Duration?, onMessage: (@Sendable (ByteBuffer) throws -> Void)?
    ) async throws(GRPCCallError) -> ByteBuffer? {
        do {
            return try await attempt(path, request, timeout: timeout, onMessage: onMessage)
        } catch .connectionClosed {
            // The connection had closed since its last call (the member restarted, or closed it
            // when idle): nothing was sent on it, so one new connection is tried.
            do {
                return try await attempt(path, request, timeout: timeout, onMessage: onMessage)
            } catch .connectionClosed {
                throw .notSent("the connection closed before the call could start")
            }
        }
    }

    private func attempt(
        _ path: String, _ request: [UInt8], timeout: Duration?, onMessage: (@Sendable (ByteBuffer) throws -> Void)?
    ) async throws(GRPCCallError) -> ByteBuffer? {
        let connection: Connected
        do {
            connection = try await connected()
        } catch let error as GRPCCallError {
            throw error
        } catch {
            throw .notSent("\(error)")
        }
        let channel = connection.channel
        let result = channel.eventLoop.makePromise(of: ByteBuffer?.self)
        let stream = Mutex<StreamState>(.opening)
        let authority = self.authority
        do {
            return try await withTaskCancellationHandler {
                let opened = channel.eventLoop.makePromise(of: (any Channel).self)
                connection.multiplexer.createStreamChannel(promise: opened) { streamChannel in
                    streamChannel.eventLoop.makeCompletedFuture {
                        try streamChannel.pipeline.syncOperations.addHandler(GRPCStreamHandler(
                            path: path, authority: authority, request: request, timeout: timeout,
                            onMessage: onMessage, result: result))
                    }
                }
                let streamChannel: any Channel
                do {
                    streamChannel = try await opened.futureResult.get()
                } catch {
                    let failure: GRPCCallError = channel.isActive
                        ? .notSent("no stream could be opened: \(error)") : .connectionClosed
                    result.fail(failure)
                    throw failure
                }
                let cancelled = stream.withLock { state -> Bool in
                    if case .cancelled = state { return true }
                    state = .open(streamChannel)
                    return false
                }
                if cancelled { streamChannel.close(promise: nil) }
                return try await result.futureResult.get()
            } onCancel: {
                let open = stream.withLock { state -> (any Channel)? in
                    defer { state = .cancelled }
                    if case .open(let channel) = state { return channel }
                    return nil
                }
                open?.close(promise: nil)
            }
        } catch let error as GRPCCallError {
            throw error
        } catch {
            throw .broken("\(error)")
        }
    }

    private enum StreamState {
        case opening
        case open(any Channel)
        case cancelled
    }
}

/// One call's stream: writes the request (HEADERS, then the length-prefixed message with
/// END_STREAM), then reads response messages until the trailers bring grpc-status.
final class GRPCStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let path: String
    private let authority: String
    private let request: [UInt8]
    private let timeout: Duration?
    private let onMessage: (@Sendable (ByteBuffer) throws -> Void)?
    private let result: EventLoopPromise<ByteBuffer?>
    private var received = ByteBuffer()
    private var lastMessage: ByteBuffer?
    private var deadline: Scheduled<Void>?
    private var finished = false

    init(path: String, authority: String, request: [UInt8], timeout: Duration?,
         onMessage: (@Sendable (ByteBuffer) throws -> Void)?, result: EventLoopPromise<ByteBuffer?>) {
        self.path = path
        self.authority = authority
        self.request = request
        self.timeout = timeout
        self.onMessage = onMessage
        self.result = result
    }

    func channelActive(context: ChannelHandlerContext) {
        if let timeout {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                self.finish(.failure(.status(code: GRPCCallError.deadlineExceeded, message: "no answer within \(timeout)")),
                            context: context)
            }
        }
        var headers = HPACKHeaders()
        headers.reserveCapacity(6)
        headers.add(name: ":method", value: "POST")
        headers.add(name: ":scheme", value: "http")
        headers.add(name: ":path", value: path)
        headers.add(name: ":authority", value: authority)
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "te", value: "trailers")
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        var body = context.channel.allocator.buffer(capacity: 5 + request.count)
        body.writeInteger(UInt8(0))                  // not compressed
        body.writeInteger(UInt32(request.count))
        body.writeBytes(request)
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: true))), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .headers(let frame):
            if frame.endStream {
                finish(Self.status(frame.headers), context: context)
            } else if let status = frame.headers.first(name: ":status"), status != "200" {
                finish(.failure(.status(code: Self.code(httpStatus: status), message: "HTTP status \(status)")), context: context)
            }
        case .data(let frame):
            if case .byteBuffer(var bytes) = frame.data {
                received.writeBuffer(&bytes)
                do {
                    try deliverMessages()
                } catch {
                    finish(.failure(.status(code: 13, message: "\(error)")), context: context)
                    return
                }
            }
            if frame.endStream {
                finish(.failure(.broken("the server ended the stream without a status")), context: context)
            }
        default:
            break
        }
    }

    /// Hands on every whole message received so far (five-byte prefix: compressed flag, length).
    private func deliverMessages() throws {
        while received.readableBytes >= 5 {
            guard let length = received.getInteger(at: received.readerIndex + 1, as: UInt32.self),
                  received.readableBytes >= 5 + Int(length) else { return }
            if received.getInteger(at: received.readerIndex, as: UInt8.self) != 0 {
                throw GRPCCallError.broken("the server sent a compressed message, which was not asked for")
            }
            received.moveReaderIndex(forwardBy: 5)
            let message = received.readSlice(length: Int(length))!
            if let onMessage { try onMessage(message) } else { lastMessage = message }
        }
        received.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(.broken("the stream closed before the server's status")), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(.broken("\(error)")), context: context)
    }

    private func finish(_ outcome: Result<Void, GRPCCallError>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        switch outcome {
        case .success: result.succeed(lastMessage)
        case .failure(let error): result.fail(error)
        }
        context.close(promise: nil)
    }

    /// The call's outcome from trailers (or a trailers-only answer).
    private static func status(_ headers: HPACKHeaders) -> Result<Void, GRPCCallError> {
        guard let text = headers.first(name: "grpc-status") else {
            if let status = headers.first(name: ":status"), status != "200" {
                return .failure(.status(code: code(httpStatus: status), message: "HTTP status \(status)"))
            }
            return .failure(.broken("the server's trailers carry no grpc-status"))
        }
        let code = Int(text) ?? 2
        if code == 0 { return .success(()) }
        let message = headers.first(name: "grpc-message").map(percentDecoded) ?? ""
        return .failure(.status(code: code, message: message))
    }

    /// gRPC's mapping of an HTTP status without grpc-status (its http-grpc-status-mapping).
    private static func code(httpStatus: String) -> Int {
        switch httpStatus {
        case "400": 13
        case "401": 16
        case "403": 7
        case "404": 12
        case "429", "502", "503", "504": 14
        default: 2
        }
    }

    /// grpc-message is percent-encoded UTF-8.
    static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8.removeFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
