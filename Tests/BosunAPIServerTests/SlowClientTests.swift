@testable import BosunAPIServer
import BosunKit
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("API server: slow clients, oversized heads")
struct SlowClientTests {
    static let timeouts = ConnectionTimeouts(readHeader: .seconds(32), readBody: .seconds(60), idle: .seconds(90))

    /// The server's HTTP pipeline and the guard on an embedded channel, whose clock the test moves.
    private func connection() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(SlowClientGuard(timeouts: Self.timeouts))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func send(_ text: String, on channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    private func respond(on channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok,
                                                                                 headers: ["content-length": "0"])))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
    }

    @Test("a client that never finishes its request head is dropped 32 s after it connected")
    func slowloris() throws {
        let channel = try connection()
        try send("GET /version HTTP/1.1\r\nHost: x\r\n", on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        try send("X-Slow: 1\r\n", on: channel)  // trickling bytes does not extend the deadline
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("a body that never completes is dropped 60 s after its head; the head's deadline no longer applies")
    func slowBody() throws {
        let channel = try connection()
        try send("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345", on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("no deadline while the server answers (a watch streams for long); 90 s idle after the response, then closed")
    func idleAfterResponse() throws {
        let channel = try connection()
        try send("GET /version HTTP/1.1\r\nHost: x\r\n\r\n", on: channel)
        channel.embeddedEventLoop.advanceTime(by: .hours(2))
        #expect(channel.isActive)
        try respond(on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(89))
        #expect(channel.isActive)
        // A next request within the idle time keeps the connection.
        try send("GET /version HTTP/1.1\r\nHost: x\r\n\r\n", on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        try respond(on: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(89))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("over a real socket: the server is wired with the guard, and drops the slow client without answering")
    func overASocket() async throws {
        let server = try await TestAPIServer.start(
            timeouts: ConnectionTimeouts(readHeader: .milliseconds(300), readBody: .milliseconds(300), idle: .milliseconds(300)))
        let slow = try RawSocket(port: server.server.port)
        try slow.send("GET /version HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestAPIServer.token)\r\n")
        // The 30 s receive timeout only bounds a failing run.
        #expect(try await slow.readToEnd(timeoutSeconds: 30).isEmpty)
        await server.stop()
    }

    @Test("a request head over 80 KiB is refused with 400 and the connection closed; the server serves on")
    func oversizedHead() async throws {
        let server = try await TestAPIServer.start()
        let socket = try RawSocket(port: server.server.port)
        try socket.send("GET /version HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100 * 1024))\r\n\r\n")
        let answer = String(decoding: try await socket.readToEnd(timeoutSeconds: 30), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 400"))
        let longURI = try RawSocket(port: server.server.port)
        try longURI.send("GET /api/v1/\(String(repeating: "a", count: 100 * 1024)) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(String(decoding: try await longURI.readToEnd(timeoutSeconds: 30), as: UTF8.self).hasPrefix("HTTP/1.1 400"))
        let client = try await server.client()
        #expect(try await client.request(.GET, "/version").status == 200)
        await client.close()
        await server.stop()
    }
}

/// A blocking TCP socket to 127.0.0.1, for clients that misbehave below HTTP.
private final class RawSocket: Sendable {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError("socket failed") }
        let result = try SocketAddress(ipAddress: "127.0.0.1", port: port).withSockAddr { address, size in
            connect(fd, address, socklen_t(size))
        }
        guard result == 0 else { close(fd); throw TestClientError("connect failed") }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            // The server may close as soon as it has seen too much; what it answers is read next.
            if n <= 0 { return }
            offset += n
        }
    }

    /// Everything the server sends until it closes the connection; throws if it does not close
    /// within `timeoutSeconds`.
    /// Reads until the server closes, on a thread of its own: a blocking `recv` on the
    /// cooperative pool held one of its two threads (in CI); with both raw-socket tests waiting at
    /// once, nothing else ran — not even the server's handling that would close the connection —
    /// and every test in the process timed out.
    func readToEnd(timeoutSeconds: Int) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.readToEndBlocking(timeoutSeconds: timeoutSeconds) })
            }
        }
    }

    private func readToEndBlocking(timeoutSeconds: Int) throws -> [UInt8] {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return received }
            if n < 0 {
                // A reset after the server's answer is a close too.
                if errno == ECONNRESET { return received }
                throw TestClientError("the server did not close the connection (errno \(errno))")
            }
            received += buffer[0..<n]
        }
    }
}
