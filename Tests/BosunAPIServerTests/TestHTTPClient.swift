import BosunKit
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A response as the tests read it.
struct TestResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as JSON (`null` when it is not JSON).
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var contentType: String? { headers.first(name: "content-type") }
}

/// A small HTTP/1.1 client on SwiftNIO (Foundation's URLSession is not dependable on Linux): one
/// keep-alive connection, requests one at a time, optional TLS verified against a given CA.
final class TestHTTPClient: Sendable {
    private let channel: any Channel
    private let parts: ResponseParts
    let token: String?

    /// Connects to `port` on 127.0.0.1, over TLS trusting `caPEM` when given.
    static func connect(port: Int, token: String?, caPEM: String? = nil, serverHostname: String = "localhost") async throws -> TestHTTPClient {
        let tls = try caPEM.map { pem -> NIOSSLContext in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            // Offered as client-go offers them; the server must pick HTTP/1.1.
            configuration.applicationProtocols = ["h2", "http/1.1"]
            return try NIOSSLContext(configuration: configuration)
        }
        let (stream, continuation) = AsyncThrowingStream<HTTPClientResponsePart, any Error>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return TestHTTPClient(channel: channel, parts: ResponseParts(stream), token: token)
    }

    private init(channel: any Channel, parts: ResponseParts, token: String?) {
        self.channel = channel
        self.parts = parts
        self.token = token
    }

    func close() async {
        try? await channel.close().get()
    }

    /// Sends a request and reads the whole response.
    func request(
        _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String? = "application/json",
        accept: String? = nil, headers extra: [(String, String)] = []
    ) async throws -> TestResponse {
        try await send(method, path, body: body, contentType: contentType, accept: accept, headers: extra)
        let (status, headers) = try await readHead()
        var body: [UInt8] = []
        while let chunk = try await readChunk() { body += chunk }
        return TestResponse(status: status, headers: headers, body: body)
    }

    func request(_ method: HTTPMethod, _ path: String, json: JSONValue, contentType: String = "application/json") async throws -> TestResponse {
        try await request(method, path, body: JSONWriter.encode(json), contentType: contentType)
    }

    /// Sends a request and returns the response head; read the body with ``readChunk()`` (a
    /// watch).
    func open(_ method: HTTPMethod, _ path: String, accept: String? = nil) async throws -> (status: Int, headers: HTTPHeaders) {
        try await send(method, path, body: nil, contentType: nil, accept: accept, headers: [])
        return try await readHead()
    }

    /// The next body part, or `nil` at the end of the response.
    func readChunk() async throws -> [UInt8]? {
        while let part = try await parts.next() {
            switch part {
            case .body(var buffer): return buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end: return nil
            case .head: throw TestClientError("unexpected response head")
            }
        }
        throw TestClientError("connection closed mid-response")
    }

    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String?, accept: String?, headers extra: [(String, String)]
    ) async throws {
        var headers = HTTPHeaders([("host", "localhost")])
        if let token { headers.add(name: "authorization", value: "Bearer \(token)") }
        if let accept { headers.add(name: "accept", value: accept) }
        if let body {
            headers.add(name: "content-length", value: String(body.count))
            if let contentType { headers.add(name: "content-type", value: contentType) }
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)),
                      promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
    }

    private func readHead() async throws -> (Int, HTTPHeaders) {
        while let part = try await parts.next() {
            if case .head(let head) = part {
                // Informational responses (100 Continue) precede the real one.
                if head.status.code < 200 { continue }
                return (Int(head.status.code), head.headers)
            }
        }
        throw TestClientError("connection closed before a response")
    }
}

/// Hands the response parts read on the event loop to the test's task.
private final class ResponseCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private let continuation: AsyncThrowingStream<HTTPClientResponsePart, any Error>.Continuation

    init(_ continuation: AsyncThrowingStream<HTTPClientResponsePart, any Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}

/// The connection's response parts, shared by the client's sequential calls.
private final class ResponseParts: @unchecked Sendable {
    // Requests on one client are made one at a time (each test awaits its response), so the
    // iterator is never used concurrently.
    private var iterator: AsyncThrowingStream<HTTPClientResponsePart, any Error>.AsyncIterator

    init(_ stream: AsyncThrowingStream<HTTPClientResponsePart, any Error>) { iterator = stream.makeAsyncIterator() }

    func next() async throws -> HTTPClientResponsePart? { try await iterator.next() }
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
