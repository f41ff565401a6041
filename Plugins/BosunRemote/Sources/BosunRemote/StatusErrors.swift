import BosunKit
import NIOHTTP1

/// A failed request as the ``APIError`` the in-process client would have thrown: the server's
/// `Status` when it sent one (kube-apiserver always does), else one made from the HTTP status.
enum StatusErrors {
    static func error(status: HTTPResponseStatus, body: [UInt8]) -> APIError {
        if let value = try? JSONParser.parse(body), value["kind"]?.stringValue == "Status",
           var decoded = try? Status(json: value) {
            if decoded.code == nil || decoded.code == 0 { decoded.code = Int32(status.code) }
            return APIError(status: decoded)
        }
        let text = String(decoding: body.prefix(1024), as: UTF8.self)
        let message = text.isEmpty ? "the server answered \(status.code) \(status.reasonPhrase)" : text
        return APIError(code: Int32(status.code), reason: reason(for: status.code), message: message)
    }

    /// The reason kube-apiserver gives a bare status code (apimachinery's `NewGenericServerResponse`).
    static func reason(for code: UInt) -> APIError.Reason {
        switch code {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 406: .notAcceptable
        case 409: .conflict
        case 410: .gone
        case 413: .requestEntityTooLarge
        case 415: .unsupportedMediaType
        case 422: .invalid
        case 429: .tooManyRequests
        case 503: .serviceUnavailable
        case 504: .timeout
        default: code >= 500 ? .internalError : .unknown
        }
    }
}
