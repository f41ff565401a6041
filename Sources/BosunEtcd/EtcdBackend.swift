import BosunKit
import BosunStore
import Synchronization

/// The store's backend on an etcd cluster (etcd v3, through its gRPC API), for control
/// planes that share one cluster: etcd's revision is the resourceVersion, a commit is one etcd
/// transaction comparing each key's `mod_revision`, and ``revisions(after:)`` is an etcd watch
/// of the whole keyspace. Keys are the store's (`/registry/<group>/<resource>/[<ns>/]<name>`).
///
/// etcd numbers revisions from 1 (an empty cluster is at revision 1), and a transaction that
/// changes nothing takes no revision; the store never commits one.
public final class EtcdBackend: StorageBackend {
    let client: EtcdClient
    /// Where the store's keys live; a snapshot reads only these.
    public let prefix: String
    /// Values per page of a snapshot.
    let pageSize: Int
    private let closed = Atomic<Bool>(false)
    private let watches = Mutex<[Int: Task<Void, Never>]>([:])
    private let nextWatch = Atomic<Int>(0)

    /// - Parameters:
    ///   - endpoints: the members' client URLs (`http://HOST:PORT`), tried in turn.
    ///   - requestTimeout: how long a request may go unanswered before it fails as unavailable
    ///     (etcd without quorum holds writes until its own timeout, about 7 s).
    ///   - keepaliveInterval: while requests or watches are open on a member's connection, how
    ///     often a PING checks that it still answers; one unanswered until the next closes the
    ///     connection (a watch then moves to another member). etcd refuses PINGs more frequent
    ///     than its `--grpc-keepalive-min-time` (5 s by default).
    public init(endpoints: [String], prefix: String = "/registry/", requestTimeout: Duration = .seconds(5),
                pageSize: Int = 2000, keepaliveInterval: Duration = .seconds(10)) throws(StorageError) {
        client = try EtcdClient(endpoints: endpoints, requestTimeout: requestTimeout, keepaliveInterval: keepaliveInterval)
        self.prefix = prefix
        self.pageSize = pageSize
    }

    /// The endpoints in use.
    public var endpoints: [String] { client.endpoints }

    // MARK: Snapshot

    /// Reads every key under ``prefix`` at one revision, a page at a time (as kube-apiserver
    /// pages a list from etcd): the first page fixes the revision, the rest read at it.
    public func snapshot() async throws(StorageError) -> StorageSnapshot {
        try checkOpen()
        var values: [StoredValue] = []
        var request = EtcdRangeRequest(key: Array(prefix.utf8), rangeEnd: EtcdMessages.prefixEnd(Array(prefix.utf8)),
                                       limit: Int64(pageSize))
        while true {
            let answer = try await client.range(request)
            if request.revision == 0 { request.revision = answer.revision }
            values += answer.kvs
            guard answer.more, let last = values.last else { break }
            // The next page starts just after the last key read.
            request.key = Array(last.key.utf8) + [0]
        }
        return StorageSnapshot(values: values, revision: request.revision)
    }

    // MARK: Commit

    /// One etcd transaction: every comparison on `mod_revision`, then every write
    /// (``EtcdTxnRequest``). When a comparison fails the transaction reads the compared keys
    /// instead, to say which one.
    public func commit(_ transaction: StorageTransaction) async throws(StorageError) -> Int64 {
        try checkOpen()
        let answer = try await client.txn(transaction)
        if answer.succeeded { return answer.revision }
        throw StorageError.comparisonFailed(Self.failedKey(transaction, answer))
    }

    /// The first compared key whose `mod_revision`, as the failure branch read it, differs.
    static func failedKey(_ transaction: StorageTransaction, _ answer: EtcdTxnResponse) -> String {
        for (comparison, kvs) in zip(transaction.comparisons, answer.ranges) {
            if (kvs.first?.modRevision ?? 0) != comparison.modRevision { return comparison.key }
        }
        return transaction.comparisons.first?.key ?? ""
    }

    // MARK: Revisions

    public func revisions(after revision: Int64) -> AsyncThrowingStream<StorageRevision, any Error>? {
        let (stream, continuation) = AsyncThrowingStream<StorageRevision, any Error>.makeStream()
        let id = nextWatch.add(1, ordering: .relaxed).oldValue
        let watch = EtcdRevisionWatch(client: client, after: revision, continuation: continuation)
        let task = Task { await watch.run() }
        watches.withLock { $0[id] = task }
        continuation.onTermination = { [weak self] _ in
            task.cancel()
            _ = self?.watches.withLock { $0.removeValue(forKey: id) }
        }
        if closed.load(ordering: .acquiring) { task.cancel() }
        return stream
    }

    // MARK: Compaction

    /// Compacts etcd's history up to `revision` (kube-apiserver compacts every five minutes):
    /// watches from before it fail with ``StorageError/Code/compacted``.
    public func compact(through revision: Int64) async throws(StorageError) {
        try checkOpen()
        try await client.compact(EtcdCompactionRequest(revision: revision))
    }

    // MARK: Closing

    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let tasks = watches.withLock { w -> [Task<Void, Never>] in
            defer { w.removeAll() }
            return Array(w.values)
        }
        for task in tasks { task.cancel() }
        // Closing the connections ends a watch's body at once, cancelled or not.
        await client.shutdown()
        for task in tasks { await task.value }
    }

    private func checkOpen() throws(StorageError) {
        if closed.load(ordering: .acquiring) { throw StorageError.closed }
    }
}
