import BosunKit

/// Durable storage under the object store: a revisioned key-value store with etcd's semantics.
///
/// Every committed transaction gets the next revision of one global, strictly increasing counter;
/// that revision is the `resourceVersion` of the objects it wrote. A transaction's comparisons
/// (compare-and-swap on each key's last modification revision) either all hold and all its
/// writes apply at once, or nothing applies. `commit` returns only once the writes are durable
/// (for a durable backend): an acknowledged write survives SIGKILL.
///
/// The object store keeps the live state in memory and writes through to the backend; it reads
/// the backend only on start (``snapshot()``). A backend that several processes share (etcd, in
/// the distributed mode) also reports every revision committed after the snapshot, other
/// writers' included, through ``revisions(after:)``; the store applies them in order.
public protocol StorageBackend: Sendable {
    /// Every key and value at the latest revision, and that revision.
    func snapshot() async throws(StorageError) -> StorageSnapshot

    /// Applies a transaction atomically at one new revision and returns that revision.
    func commit(_ transaction: StorageTransaction) async throws(StorageError) -> Int64

    /// Releases files and connections. Commits after closing fail with ``StorageError/closed``.
    func close() async

    /// Every revision committed after `revision`, in order and without gaps (this process's own
    /// commits included, so that the revisions of keys outside the store's still arrive), for a
    /// backend that other processes write too; `nil` for a backend only this process writes.
    ///
    /// The stream ends with ``StorageError/Code/compacted`` when the backend no longer holds
    /// the revisions asked for, and is finished by ``close()``.
    func revisions(after revision: Int64) -> AsyncThrowingStream<StorageRevision, any Error>?
}

extension StorageBackend {
    /// Only this process writes the backend: the store's own commits are every revision.
    public func revisions(after revision: Int64) -> AsyncThrowingStream<StorageRevision, any Error>? { nil }
}

/// What one committed revision changed, as a shared backend reports it.
public struct StorageRevision: Sendable, Hashable {
    public enum Change: Sendable, Hashable {
        case put(StoredValue)
        case delete(key: String)
    }

    public var revision: Int64
    /// The changes of the revision's transaction, in order (keys outside the store's too).
    public var changes: [Change]

    public init(revision: Int64, changes: [Change]) {
        self.revision = revision
        self.changes = changes
    }
}

/// One stored value and its revisions, as etcd reports them.
public struct StoredValue: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    /// The revision that created the key (unchanged by updates).
    public var createRevision: Int64
    /// The revision of the last write to the key.
    public var modRevision: Int64

    public init(key: String, value: [UInt8], createRevision: Int64, modRevision: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
    }
}

/// The state of a backend at one revision.
public struct StorageSnapshot: Sendable {
    public var values: [StoredValue]
    /// The latest committed revision (0 for an empty store that never committed).
    public var revision: Int64

    public init(values: [StoredValue], revision: Int64) {
        self.values = values
        self.revision = revision
    }
}

/// Comparisons that must all hold, then writes that all apply.
public struct StorageTransaction: Sendable, Hashable {
    public struct Comparison: Sendable, Hashable {
        public var key: String
        /// The key's expected last modification revision; `0` means the key must not exist.
        public var modRevision: Int64

        public init(key: String, modRevision: Int64) {
            self.key = key
            self.modRevision = modRevision
        }
    }

    public enum Write: Sendable, Hashable {
        case put(key: String, value: [UInt8])
        case delete(key: String)

        public var key: String {
            switch self {
            case .put(let key, _), .delete(let key): key
            }
        }
    }

    public var comparisons: [Comparison]
    public var writes: [Write]

    public init(comparisons: [Comparison] = [], writes: [Write]) {
        self.comparisons = comparisons
        self.writes = writes
    }

    /// Create `key`, which must not exist.
    public static func create(_ key: String, _ value: [UInt8]) -> StorageTransaction {
        StorageTransaction(comparisons: [Comparison(key: key, modRevision: 0)], writes: [.put(key: key, value: value)])
    }

    /// Replace `key`, which must still be at `modRevision`.
    public static func update(_ key: String, _ value: [UInt8], ifAt modRevision: Int64) -> StorageTransaction {
        StorageTransaction(comparisons: [Comparison(key: key, modRevision: modRevision)], writes: [.put(key: key, value: value)])
    }

    /// Delete `key`, which must still be at `modRevision`.
    public static func delete(_ key: String, ifAt modRevision: Int64) -> StorageTransaction {
        StorageTransaction(comparisons: [Comparison(key: key, modRevision: modRevision)], writes: [.delete(key: key)])
    }
}

/// Why a backend refused or failed a request.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// A comparison did not hold: the key changed, exists, or is gone.
        case comparisonFailed
        /// The backend is closed.
        case closed
        /// The medium failed (disk full, corrupt file, I/O error).
        case io
        /// The backend cannot be reached or cannot commit now (an etcd cluster without quorum);
        /// the request may be retried.
        case unavailable
        /// The revisions asked for were compacted away.
        case compacted
    }

    public var code: Code
    public var message: String
    /// For `comparisonFailed`: the key whose comparison failed.
    public var key: String?

    public init(_ code: Code, _ message: String, key: String? = nil) {
        self.code = code
        self.message = message
        self.key = key
    }

    public static func comparisonFailed(_ key: String) -> StorageError {
        StorageError(.comparisonFailed, "the revision of \(key) changed", key: key)
    }

    public static let closed = StorageError(.closed, "the storage backend is closed")

    public var description: String { message }
}
