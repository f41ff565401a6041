import BosunKit
import BosunStore
import NIOCore
import NIOHTTP1

/// Gathers a request's parts into one ``APIRequest``, holding at most ``RequestBody/maxBytes``
/// of body: a larger body is read and dropped, and the request answered 413.
struct RequestReader {
    /// Past this much dropped body the connection is closed rather than read to the end.
    static let maxDiscardedBytes = 64 * 1024 * 1024

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var received = 0

    struct TooMuchBody: Error {}

    /// Feeds one part; returns the request, its head, and the error to answer instead of
    /// handling it, once the request's end arrives.
    mutating func read(_ part: HTTPServerRequestPart) throws -> (APIRequest, HTTPRequestHead, APIError?)? {
        switch part {
        case .head(let h):
            head = h
            body = []
            received = 0
            if let length = h.headers.first(name: "content-length").flatMap(Int.init), length <= RequestBody.maxBytes {
                body.reserveCapacity(length)
            }
            return nil
        case .body(var buffer):
            received += buffer.readableBytes
            if received > Self.maxDiscardedBytes { throw TooMuchBody() }
            if received <= RequestBody.maxBytes, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            } else {
                body = []
            }
            return nil
        case .end:
            guard let head else { return nil }
            self.head = nil
            let request = APIRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
            body = []
            let problem = received > RequestBody.maxBytes
                ? APIError.tooLarge("Request entity too large: limit is \(RequestBody.maxBytes)") : nil
            return (request, head, problem)
        }
    }
}
