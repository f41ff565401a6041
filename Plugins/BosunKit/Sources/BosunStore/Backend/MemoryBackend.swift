import BosunKit
import Synchronization

/// A backend that keeps everything in memory: for tests and for the test environment.
/// Nothing survives the process.
public final class MemoryBackend: StorageBackend {
    private struct State {
        var values: [HashedKey: StoredValue] = [:]
        var revision: Int64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    public func snapshot() async throws(StorageError) -> StorageSnapshot {
        state.withLock { StorageSnapshot(values: Array($0.values.values), revision: $0.revision) }
    }

    public func commit(_ transaction: StorageTransaction) async throws(StorageError) -> Int64 {
        try commitNow(transaction)
    }

    /// The synchronous core, also used where no suspension is wanted.
    public func commitNow(_ transaction: StorageTransaction) throws(StorageError) -> Int64 {
        // A create or an update compares the key it writes: its hash is taken once for both, and
        // before the lock.
        let hashed = transaction.comparisons.first.map { HashedKey($0.key) }
        return try state.withLock { (s: inout State) throws(StorageError) -> Int64 in
            guard !s.closed else { throw StorageError.closed }
            for c in transaction.comparisons {
                let key = c.key == hashed?.string ? hashed! : HashedKey(c.key)
                if (s.values[key]?.modRevision ?? 0) != c.modRevision { throw StorageError.comparisonFailed(c.key) }
            }
            s.revision += 1
            let revision = s.revision
            for write in transaction.writes {
                switch write {
                case .put(let key, let value):
                    let hashedKey = hashed?.string == key ? hashed! : HashedKey(key)
                    // One lookup for a create; an update looks again to keep its create revision.
                    let fresh = StoredValue(key: key, value: value, createRevision: revision, modRevision: revision)
                    if let old = s.values.updateValue(fresh, forKey: hashedKey) {
                        s.values[hashedKey]?.createRevision = old.createRevision
                    }
                case .delete(let key):
                    s.values[hashed?.string == key ? hashed! : HashedKey(key)] = nil
                }
            }
            return revision
        }
    }

    public func close() async {
        state.withLock { $0.closed = true }
    }
}
