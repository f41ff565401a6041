import BosunKit
import BosunStore
import Foundation
import NIOCore
import Synchronization

/// etcd's v3 gRPC API (`etcdserverpb.KV`, `etcdserverpb.Watch`) over HTTP/2, one multiplexed
/// connection per member of a cluster (``GRPCConnection``): every concurrent request is a stream
/// on it, so a burst of commits costs etcd no new connections and reaches its raft log together.
///
/// Requests go to one member until it stops answering, then to the next: a request whose stream
/// was never opened (no connection) is safe to send to another; one that may have reached it
/// and got no answer is not retried when it writes, since it may have committed.
final class EtcdClient: Sendable {
    let endpoints: [String]
    private let members: [GRPCConnection]
    private let preferred = Atomic<Int>(0)
    private let isShutDown = Atomic<Bool>(false)
    let requestTimeout: Duration

    init(endpoints: [String], requestTimeout: Duration, keepaliveInterval: Duration) throws(StorageError) {
        guard !endpoints.isEmpty else { throw StorageError(.io, "no etcd endpoint given") }
        var cleaned: [String] = []
        var members: [GRPCConnection] = []
        for endpoint in endpoints {
            var url = endpoint.trimmingCharacters(in: .whitespaces)
            while url.hasSuffix("/") { url.removeLast() }
            guard let parsed = URL(string: url), parsed.scheme == "http", let host = parsed.host, let port = parsed.port else {
                throw StorageError(.io, "the etcd endpoint \(endpoint) is not an http://HOST:PORT URL")
            }
            cleaned.append(url)
            members.append(GRPCConnection(host: host, port: port, keepaliveInterval: TimeAmount(keepaliveInterval)))
        }
        self.endpoints = cleaned
        self.members = members
        self.requestTimeout = requestTimeout
    }

    func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for member in members { await member.shutdown() }
    }

    deinit {
        // A backend dropped without close() (a failed start): let the connections go anyway.
        if !isShutDown.load(ordering: .acquiring) {
            let members = members
            Task { for member in members { await member.shutdown() } }
        }
    }

    // MARK: Unary calls

    func range(_ request: EtcdRangeRequest) async throws(StorageError) -> EtcdRangeResponse {
        try await call(EtcdMethod.range, request.encoded(), idempotent: true)
    }

    func txn(_ transaction: StorageTransaction) async throws(StorageError) -> EtcdTxnResponse {
        try await call(EtcdMethod.txn, EtcdTxnRequest.encoded(transaction), idempotent: false)
    }

    func compact(_ request: EtcdCompactionRequest) async throws(StorageError) {
        let _: EtcdHeaderOnlyResponse = try await call(EtcdMethod.compact, request.encoded(), idempotent: true)
    }

    /// Sends one request and decodes its answer. Every member is tried in turn while none can be
    /// reached; an `idempotent` request is also tried on the next member when the one it reached
    /// did not answer or has no quorum.
    private func call<Response: EtcdResponse>(
        _ method: String, _ request: [UInt8], idempotent: Bool
    ) async throws(StorageError) -> Response {
        var lastError = ""
        let first = preferred.load(ordering: .relaxed)
        for attempt in 0..<members.count {
            let index = (first + attempt) % members.count
            do throws(GRPCCallError) {
                if Task.isCancelled { throw GRPCCallError.broken("cancelled") }
                let answer = try await members[index].unary(method, request, timeout: requestTimeout)
                return try Self.decode(answer)
            } catch {
                if Task.isCancelled { throw StorageError(.unavailable, "the request to etcd was cancelled") }
                let failure = Self.failure(error)
                guard failure.code == .unavailable else { throw failure }
                lastError = "\(endpoints[index]): \(failure.message)"
                // Whatever this request's fate, the next one tries another member first.
                preferred.store((index + 1) % members.count, ordering: .relaxed)
                if case .notSent = error {} else if !idempotent {
                    throw StorageError(.unavailable, "etcd did not answer (the write may or may not have applied): \(lastError)")
                }
            }
        }
        throw StorageError(.unavailable, "no etcd member answered: \(lastError)")
    }

    static func decode<Response: EtcdResponse>(_ answer: ByteBuffer) throws(GRPCCallError) -> Response {
        do {
            return try answer.readableBytesView.withUnsafeBytes { buffer throws(ProtobufError) in
                var reader = ProtobufReader(buffer)
                return try Response(&reader)
            }
        } catch {
            throw .status(code: 13, message: "etcd sent a malformed \(Response.self): \(error)")
        }
    }

    // MARK: Watch

    /// Opens a watch on the first member that can be reached and hands each response to `body`
    /// until the stream ends, `body` throws or the task is cancelled.
    func watch(
        _ request: EtcdWatchCreateRequest, _ body: @escaping @Sendable (EtcdWatchResponse) throws(StorageError) -> Void
    ) async throws(StorageError) {
        // What `body` threw, which ends the stream and is then the watch's own error.
        let thrown = Mutex<StorageError?>(nil)
        var lastError = ""
        let first = preferred.load(ordering: .relaxed)
        for attempt in 0..<members.count {
            let index = (first + attempt) % members.count
            do throws(GRPCCallError) {
                try await members[index].serverStream(EtcdMethod.watch, request.encoded()) { message in
                    let response: EtcdWatchResponse = try Self.decode(message)
                    do throws(StorageError) {
                        try body(response)
                    } catch {
                        thrown.withLock { $0 = error }
                        throw error
                    }
                }
                return
            } catch {
                if let error = thrown.withLock({ $0 }) { throw error }
                if Task.isCancelled { throw StorageError(.unavailable, "the watch on etcd was cancelled") }
                let failure = Self.failure(error)
                // A member whose watch broke (it died, or stopped answering PINGs) is not the
                // first one tried next time.
                if failure.code == .unavailable { preferred.store((index + 1) % members.count, ordering: .relaxed) }
                guard case .notSent = error else { throw failure }
                lastError = "\(endpoints[index]): \(failure.message)"
            }
        }
        throw StorageError(.unavailable, "no etcd member answered: \(lastError)")
    }

    // MARK: Errors

    /// The storage error a failed call stands for. etcd's own errors read "etcdserver: ...";
    /// Unavailable and DeadlineExceeded mean no member, no leader or no quorum now.
    static func failure(_ error: GRPCCallError) -> StorageError {
        switch error {
        case .status(let code, let message):
            if message.contains("required revision has been compacted") {
                return StorageError(.compacted, "etcd: \(message)")
            }
            if code == GRPCCallError.unavailable || code == GRPCCallError.deadlineExceeded {
                return StorageError(.unavailable, "etcd is unavailable: \(message)")
            }
            return StorageError(.io, "etcd answered \(error)")
        case .notSent, .broken, .shutDown, .connectionClosed:
            return StorageError(.unavailable, "etcd is unavailable: \(error)")
        }
    }
}

/// The methods of etcd's gRPC services that the backend calls (gRPC's `/service/method` paths).
enum EtcdMethod {
    static let range = "/etcdserverpb.KV/Range"
    static let txn = "/etcdserverpb.KV/Txn"
    static let compact = "/etcdserverpb.KV/Compact"
    static let watch = "/etcdserverpb.Watch/Watch"
}
