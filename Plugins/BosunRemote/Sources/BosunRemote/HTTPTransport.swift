import AsyncHTTPClient
import BosunKit
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// HTTPS to one API server: the kubeconfig's TLS and credentials on every request, a pooled
/// keep-alive connection per request in flight (AsyncHTTPClient), and non-2xx answers turned
/// into the ``APIError`` the server's `Status` describes.
final class HTTPTransport: Sendable {
    let configuration: RemoteConfiguration
    private let http: HTTPClient
    private let authorization: String?
    /// How long an ordinary request may take, connecting included.
    let requestTimeout: TimeAmount
    /// Answers above this size are refused rather than buffered (a list of every object in a
    /// big cluster should be paged).
    static let maxResponseBytes = 512 << 20

    init(_ configuration: RemoteConfiguration, connectTimeout: TimeAmount, requestTimeout: TimeAmount) throws {
        self.configuration = configuration
        self.requestTimeout = requestTimeout
        guard let url = URL(string: configuration.server), let scheme = url.scheme, url.host != nil,
              scheme == "https" || scheme == "http"
        else {
            throw KubeconfigError("the server \(configuration.server) is not an http(s) URL")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if configuration.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if let ca = configuration.certificateAuthorityPEM {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            } catch {
                throw KubeconfigError("the certificate authority is not valid PEM: \(error)")
            }
        }
        switch (configuration.clientCertificatePEM, configuration.clientKeyPEM) {
        case (let cert?, let key?):
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cert.utf8)).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            } catch {
                throw KubeconfigError("the client certificate or key is not valid PEM: \(error)")
            }
        case (nil, nil): break
        default: throw KubeconfigError("a client certificate needs its key, and a key its certificate")
        }
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: nil))
        // Watches hold a connection each for minutes; ordinary requests get others.
        http.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        http.httpVersion = .http1Only
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        authorization = configuration.token.map { "Bearer " + $0 }
    }

    /// Closes every connection. Call once, when done with the client.
    func shutdown() async throws {
        try await http.shutdown()
    }

    /// A request and its whole answer; a non-2xx answer throws its ``APIError``.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> (status: HTTPResponseStatus, body: [UInt8]) {
        let request = makeRequest(method, path, query: query, body: body, contentType: contentType)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: requestTimeout)
        } catch {
            throw Self.unreachable(method, path, error)
        }
        var buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard (200..<300).contains(response.status.code) else {
            throw StatusErrors.error(status: response.status, body: bytes)
        }
        return (response.status, bytes)
    }

    /// A request whose answer streams: returns once the head has arrived (throwing for a non-2xx
    /// one); the body is read by the caller until `deadline`.
    func open(_ path: String, query: [(String, String)], deadline: NIODeadline) async throws -> HTTPClientResponse {
        let request = makeRequest(.GET, path, query: query, body: nil, contentType: "application/json")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: deadline)
        } catch {
            throw Self.unreachable(.GET, path, error)
        }
        guard response.status.code == 200 else {
            var buffer = try await response.body.collect(upTo: 1 << 20)
            throw StatusErrors.error(status: response.status, body: buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
        return response
    }

    private func makeRequest(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: [UInt8]?, contentType: String
    ) -> HTTPClientRequest {
        var url = configuration.server + path
        if !query.isEmpty {
            url += "?" + query.map { Self.escape($0.0) + "=" + Self.escape($0.1) }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "bosun-remote/\(BosunKitVersion.string)")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        return request
    }

    /// A request that got no HTTP answer: 503 ServiceUnavailable, which controllers retry.
    private static func unreachable(_ method: HTTPMethod, _ path: String, _ error: any Error) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? HTTPClientError, error == .cancelled { return CancellationError() }
        return APIError(code: 503, reason: .serviceUnavailable, message: "\(method) \(path): the API server did not answer: \(error)")
    }

    /// Percent-encodes a query component: everything but RFC 3986's unreserved characters.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += byte < 16 ? "%0" + hex : "%" + hex
            }
        }
        return out
    }
}
