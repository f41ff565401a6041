import AsyncHTTPClient
import BosunKit
import BosunStore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// etcd's v3 API through its JSON gateway (`/v3/kv/range`, `/v3/kv/txn`, `/v3/watch`, ...), over
/// HTTP/1.1 with pooled keep-alive connections (AsyncHTTPClient), to a cluster of members.
///
/// Requests go to one member until it stops answering, then to the next: a request that could
/// not reach a member (no connection) is safe to send to another; one that may have reached it
/// and got no answer is not retried when it writes, since it may have committed.
final class EtcdClient: Sendable {
    let endpoints: [String]
    private let http: HTTPClient
    private let preferred = Atomic<Int>(0)
    private let isShutDown = Atomic<Bool>(false)
    let requestTimeout: Duration

    init(endpoints: [String], requestTimeout: Duration) throws(StorageError) {
        guard !endpoints.isEmpty else { throw StorageError(.io, "no etcd endpoint given") }
        var cleaned: [String] = []
        for endpoint in endpoints {
            var url = endpoint.trimmingCharacters(in: .whitespaces)
            while url.hasSuffix("/") { url.removeLast() }
            guard let parsed = URL(string: url), parsed.scheme == "http", parsed.host != nil else {
                throw StorageError(.io, "the etcd endpoint \(endpoint) is not an http://HOST:PORT URL")
            }
            cleaned.append(url)
        }
        self.endpoints = cleaned
        self.requestTimeout = requestTimeout
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(1), read: nil))
        // Concurrent commits each take a connection; watches hold one each.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.httpVersion = .http1Only
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await http.shutdown()
    }

    deinit {
        // A backend dropped without close() (a failed start): let the connections go anyway.
        if !isShutDown.load(ordering: .acquiring) { http.shutdown { _ in } }
    }

    /// Posts `body` to `path` and returns the answer's JSON. Every member is tried in turn while
    /// none can be reached; an `idempotent` request is also tried on the next member when the
    /// one it reached did not answer.
    func call(_ path: String, _ body: String, idempotent: Bool) async throws(StorageError) -> JSONObject {
        var lastError = ""
        let first = preferred.load(ordering: .relaxed)
        for attempt in 0..<endpoints.count {
            let index = (first + attempt) % endpoints.count
            let endpoint = endpoints[index]
            let response: HTTPClientResponse
            var answer: [UInt8]
            do {
                try Task.checkCancellation()
                response = try await http.execute(request(endpoint + path, body), timeout: .init(requestTimeout))
                var buffer = try await response.body.collect(upTo: 256 << 20)
                answer = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch {
                if error is CancellationError || (error as? HTTPClientError) == .cancelled {
                    throw StorageError(.unavailable, "the request to etcd was cancelled")
                }
                lastError = "\(endpoint): \(Self.describe(error))"
                if Self.neverSent(error) || idempotent {
                    preferred.store((index + 1) % endpoints.count, ordering: .relaxed)
                    continue
                }
                throw StorageError(.unavailable, "etcd did not answer (the write may or may not have applied): \(lastError)")
            }
            let json = (try? JSONParser.parse(answer))?.objectValue
            guard response.status == .ok, let json else {
                let failure = Self.failure(status: response.status, json: json, raw: answer)
                if failure.code == .unavailable && idempotent && attempt + 1 < endpoints.count {
                    // This member lost its leader; another may still be in the quorum.
                    lastError = "\(endpoint): \(failure.message)"
                    preferred.store((index + 1) % endpoints.count, ordering: .relaxed)
                    continue
                }
                throw failure
            }
            return json
        }
        throw StorageError(.unavailable, "no etcd member answered: \(lastError)")
    }

    /// Opens a streaming request (a watch) on the first member that answers; the caller reads the
    /// body until it ends or the task is cancelled.
    func stream(_ path: String, _ body: String) async throws(StorageError) -> HTTPClientResponse {
        var lastError = ""
        let first = preferred.load(ordering: .relaxed)
        for attempt in 0..<endpoints.count {
            let index = (first + attempt) % endpoints.count
            do {
                let response = try await http.execute(request(endpoints[index] + path, body), deadline: .distantFuture)
                if response.status == .ok { return response }
                var buffer = try await response.body.collect(upTo: 1 << 20)
                let raw = buffer.readBytes(length: buffer.readableBytes) ?? []
                throw Self.failure(status: response.status, json: (try? JSONParser.parse(raw))?.objectValue, raw: raw)
            } catch let error as StorageError {
                lastError = "\(endpoints[index]): \(error.message)"
            } catch {
                if error is CancellationError || (error as? HTTPClientError) == .cancelled {
                    throw StorageError(.unavailable, "the watch on etcd was cancelled")
                }
                lastError = "\(endpoints[index]): \(Self.describe(error))"
            }
            preferred.store((index + 1) % endpoints.count, ordering: .relaxed)
        }
        throw StorageError(.unavailable, "no etcd member answered: \(lastError)")
    }

    private func request(_ url: String, _ body: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    /// The error an answer other than 200 stands for. The gateway answers gRPC's status as JSON:
    /// `{"error": ..., "code": N}`; Unavailable (14) and DeadlineExceeded (4) mean no quorum or
    /// no leader now.
    static func failure(status: HTTPResponseStatus, json: JSONObject?, raw: [UInt8]) -> StorageError {
        let message = json?["message"]?.stringValue ?? json?["error"]?.stringValue
            ?? String(decoding: raw.prefix(500), as: UTF8.self)
        let code = json?["code"]?.int64Value
        if message.contains("required revision has been compacted") {
            return StorageError(.compacted, "etcd: \(message)")
        }
        if code == 14 || code == 4 || status == .serviceUnavailable || status == .gatewayTimeout {
            return StorageError(.unavailable, "etcd is unavailable: \(message)")
        }
        return StorageError(.io, "etcd answered \(status.code): \(message)")
    }

    /// Whether the request cannot have reached etcd: the connection was never made.
    static func neverSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .getConnectionFromPoolTimeout
        }
        if error is NIOConnectionError { return true }
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return "cannot connect: \(first.error)"
        }
        return "\(error)"
    }
}
