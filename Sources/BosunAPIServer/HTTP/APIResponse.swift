import BosunKit
import NIOHTTP1

/// What a handler answers: a status, headers, and either a whole body or a stream of chunks.
struct APIResponse: Sendable {
    enum Body: Sendable {
        case bytes([UInt8])
        /// A chunked body written piece by piece, each piece flushed (watches). The closure
        /// returns when the stream is over; the server then ends the response.
        case stream(@Sendable (any ResponseStream) async throws -> Void)
    }

    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: Body

    init(status: HTTPResponseStatus = .ok, contentType: String, body: Body) {
        self.status = status
        headers = ["content-type": contentType]
        self.body = body
    }

    /// A JSON body.
    static func json(_ bytes: [UInt8], status: HTTPResponseStatus = .ok, contentType: String = MediaType.json) -> APIResponse {
        APIResponse(status: status, contentType: contentType, body: .bytes(bytes))
    }

    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok, contentType: String = MediaType.json) -> APIResponse {
        json(JSONWriter.encode(value), status: status, contentType: contentType)
    }

    static func text(_ text: String, status: HTTPResponseStatus = .ok) -> APIResponse {
        APIResponse(status: status, contentType: "text/plain; charset=utf-8", body: .bytes(Array(text.utf8)))
    }

    /// A Kubernetes `Status` for an error, with its HTTP code.
    static func error(_ error: APIError) -> APIResponse {
        var status = error.status
        status.status = "Failure"
        return json(JSONWriter.encode(status), status: HTTPResponseStatus(statusCode: Int(error.code)))
    }
}

/// The writing end of a streamed response body.
protocol ResponseStream: Sendable {
    /// Writes one chunk and flushes it; throws once the client is gone.
    func write(_ bytes: [UInt8]) async throws
    /// Calls `action` once when the connection closes or the server shuts down, at once if it
    /// already did: how a long-lived stream learns it should end.
    func onEnd(_ action: @escaping @Sendable () -> Void)
}
