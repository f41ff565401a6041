import BosunStore
import GRDB
import Synchronization

/// The durable storage backend: one SQLite file, written with group commit.
///
/// **Durability.** The database runs in WAL mode with `synchronous=FULL`: ``commit(_:)`` returns
/// only after the SQLite transaction holding the write has committed and the write-ahead log has
/// been fsynced. An acknowledged write therefore survives SIGKILL, a crash of the process and
/// power loss; a write whose `commit` had not returned may or may not be there after a restart,
/// but never partially (a transaction's writes apply all together or not at all).
///
/// **Revisions.** Every applied transaction gets the next value of one counter that is stored in
/// the same SQLite transaction as the writes, so revisions continue upward across restarts, also
/// after deletes and after a crash.
///
/// **Group commit.** Concurrent `commit` calls are queued and applied by a single writer: every
/// transaction waiting when the writer becomes free goes into one SQLite transaction (one fsync).
/// Each transaction in the batch still gets its own revision; its comparisons see the earlier
/// transactions of the batch; a failed comparison fails only that transaction. Every caller is
/// resumed only after the batch's `COMMIT` returned.
///
/// **Ownership.** The file is opened in SQLite's exclusive locking mode: while a backend has it
/// open, no other connection (in this process or another) can read or write it, and opening it
/// a second time fails with ``StorageError/Code/io``. Call ``close()`` to release it.
public final class SQLiteBackend: StorageBackend {
    /// What the single writer knows about one stored key: where its row is and its revisions.
    struct KeyState: Sendable {
        var rowID: Int64
        var createRevision: Int64
        var modRevision: Int64
    }

    /// The writer's view of the committed state: every key's revisions and the latest revision.
    /// Only the writer (on the database queue) uses it; its lock is held through a batch's fsync.
    struct Index: Sendable {
        var keys: [String: KeyState] = [:]
        var revision: Int64 = 0
        var statistics = Statistics()
        /// Set when a COMMIT failed: the backend refuses every later commit with it.
        var failure: StorageError?
    }

    /// Counters since the backend was opened.
    public struct Statistics: Sendable, Hashable {
        /// Transactions applied; each got its own revision.
        public var transactions = 0
        /// SQLite transactions (one fsync each) the applied transactions were written in:
        /// `transactions / batches` is the mean group-commit batch.
        public var batches = 0
        /// Transactions refused because a comparison did not hold.
        public var comparisonFailures = 0
    }

    /// What the writer published after its last batch, for readers that must not wait for a batch.
    struct Published: Sendable {
        var revision: Int64
        var statistics: Statistics
    }

    /// One request waiting for the writer.
    enum Pending: Sendable {
        case commit(StorageTransaction, CheckedContinuation<Result<Int64, StorageError>, Never>)
        /// Everything queued before it is applied first; then the backend resumes `close()`.
        case close(CheckedContinuation<Void, Never>)
    }

    /// Requests waiting for the writer, and whether a drain of them is scheduled.
    struct Queue: Sendable {
        var pending: [Pending] = []
        var draining = false
        var closed = false
        var databaseClosed = false
    }

    /// The path of the database file.
    public let path: String

    let database: DatabaseQueue
    let index: Mutex<Index>
    let published: Mutex<Published>
    /// SQLite's limit on the size of one row (`SQLITE_LIMIT_LENGTH`).
    let maximumRowBytes: Int
    let queue = Mutex(Queue())

    /// Opens the database at `path`, creating the file and its schema if they are missing.
    ///
    /// Any transaction acknowledged by a backend that previously had this file open, including one
    /// that was killed, is present; the revision continues from the last committed one.
    ///
    /// - Throws: ``StorageError/Code/io`` if the file cannot be opened or created, is not a Bosun
    ///   store, is from a newer Bosun, or is open in another backend.
    public init(path: String) throws(StorageError) {
        self.path = path
        let database = try Self.openDatabase(path: path)
        do {
            let (index, maximumRowBytes) = try Self.prepareSchemaAndLoadIndex(database)
            self.index = Mutex(index)
            self.published = Mutex(Published(revision: index.revision, statistics: index.statistics))
            self.maximumRowBytes = maximumRowBytes
        } catch {
            try? database.close()
            throw error
        }
        self.database = database
    }

    /// The latest committed revision (0 for a store that never committed).
    public var revision: Int64 {
        published.withLock { $0.revision }
    }

    /// Counters of committed transactions and group-commit batches since the backend was opened.
    public var statistics: Statistics {
        published.withLock { $0.statistics }
    }

    /// Every key and value at the latest committed revision, read from the file.
    ///
    /// Reads everything in one SQLite read transaction, between two group-commit batches, so the
    /// values and the revision agree.
    ///
    /// - Throws: ``StorageError/Code/closed`` after ``close()``; ``StorageError/Code/io`` if
    ///   SQLite failed.
    public func snapshot() async throws(StorageError) -> StorageSnapshot {
        do {
            // Not `read`: GRDB's read wrapper touches the connection before our closure could see
            // that close() closed it. This runs on the same serial queue as the writer and close.
            return try await database.writeWithoutTransaction { db in
                guard !self.queue.withLock({ $0.closed }) else { throw StorageError.closed }
                return try Self.readSnapshot(db)
            }
        } catch {
            throw Self.ioError("reading the store", error)
        }
    }

    /// Applies `transaction` at one new revision and returns that revision, once it is durable.
    ///
    /// Returns only after the SQLite transaction holding it committed with `synchronous=FULL`
    /// (WAL fsynced): the write survives SIGKILL and power loss. Concurrent calls share one
    /// SQLite transaction (group commit) but each gets its own revision.
    ///
    /// - Throws: ``StorageError/Code/comparisonFailed`` if a comparison did not hold (nothing of
    ///   the transaction applies); ``StorageError/Code/closed`` after ``close()``;
    ///   ``StorageError/Code/io`` if a value is larger than SQLite stores (nothing applies), or
    ///   if SQLite failed (nothing of the batch applies; if the failure was in `COMMIT` itself,
    ///   every later commit fails too until the file is reopened).
    ///
    /// A transaction, once queued, is applied even if the calling task is cancelled.
    public func commit(_ transaction: StorageTransaction) async throws(StorageError) -> Int64 {
        for case .put(let key, let value) in transaction.writes where value.count + key.utf8.count + 64 > maximumRowBytes {
            throw StorageError(.io, "SQLite store: the value of \(key) is \(value.count) bytes; rows are limited to \(maximumRowBytes)")
        }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Int64, StorageError>, Never>) in
            enqueue(.commit(transaction, continuation))
        }
        return try result.get()
    }

    /// Applies every commit queued before this call, then closes the file and releases its lock.
    /// Later commits and snapshots fail with ``StorageError/Code/closed``. Calling it again does
    /// nothing.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            enqueue(.close(continuation))
        }
        let closeNow = queue.withLock { q in
            defer { q.databaseClosed = true }
            return !q.databaseClosed
        }
        if closeNow {
            try? database.close()
        }
    }

    /// Queues a request for the writer and schedules a drain unless one is already scheduled.
    private func enqueue(_ request: Pending) {
        enum Action { case rejectClosed, schedule, none }
        let action = queue.withLock { q -> Action in
            if case .commit = request, q.closed { return .rejectClosed }
            if case .close = request { q.closed = true }
            q.pending.append(request)
            if q.draining { return .none }
            q.draining = true
            return .schedule
        }
        switch action {
        case .rejectClosed:
            if case .commit(_, let continuation) = request {
                continuation.resume(returning: .failure(StorageError.closed))
            }
        case .schedule:
            scheduleDrain()
        case .none:
            break
        }
    }

    /// Requests queued for the writer and not yet taken by a drain (for tests).
    var pendingCount: Int {
        queue.withLock { $0.pending.count }
    }

    /// Runs one drain on the database queue, behind whatever else is queued there (snapshots).
    func scheduleDrain() {
        database.asyncWriteWithoutTransaction { db in
            self.drain(db)
        }
    }

    static func ioError(_ doing: String, _ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        return StorageError(.io, "SQLite store: \(doing) failed: \(error)")
    }
}
