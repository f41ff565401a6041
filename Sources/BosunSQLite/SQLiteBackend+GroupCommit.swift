import BosunStore
import GRDB
import Synchronization

/// The single writer: drains the queue of pending commits into one SQLite transaction per batch.
///
/// A drain runs on GRDB's serial database queue (a dispatch queue, not Swift's cooperative
/// pool, so the fsync blocks no task). While one batch is being written and fsynced, new
/// commits queue up; the next drain takes them all, so the batch grows with the load and the
/// cost of one fsync is shared by every transaction in it.
extension SQLiteBackend {
    typealias Waiter = CheckedContinuation<Result<Int64, StorageError>, Never>

    /// Takes everything queued, applies it, and schedules another drain if more arrived.
    func drain(_ db: Database) {
        let batch = queue.withLock { q -> [Pending] in
            var batch: [Pending] = []
            swap(&batch, &q.pending)
            return batch
        }
        var commits: [(StorageTransaction, Waiter)] = []
        commits.reserveCapacity(batch.count)
        for request in batch {
            switch request {
            case .commit(let transaction, let waiter):
                commits.append((transaction, waiter))
            case .close(let waiter):
                // Everything queued before the close is applied before close() goes on.
                applyBatch(commits, db)
                commits.removeAll()
                waiter.resume()
            }
        }
        applyBatch(commits, db)
        let more = queue.withLock { q -> Bool in
            if q.pending.isEmpty {
                q.draining = false
                return false
            }
            return true
        }
        if more {
            // Behind anything else queued on the database (a snapshot), rather than looping here.
            scheduleDrain()
        }
    }

    /// Applies `commits` in order in one SQLite transaction, then resumes every waiter.
    private func applyBatch(_ commits: [(StorageTransaction, Waiter)], _ db: Database) {
        guard !commits.isEmpty else { return }
        let (results, published) = index.withLock { index in
            let results = Self.write(commits.lazy.map(\.0), count: commits.count, into: &index, db)
            return (results, Published(revision: index.revision, statistics: index.statistics))
        }
        // Before any caller learns its revision, so `revision` is never behind what it was told.
        self.published.withLock { $0 = published }
        for (result, (_, waiter)) in zip(results, commits) {
            waiter.resume(returning: result)
        }
    }

    /// Writes the batch and returns one result per transaction. `index` changes only if the
    /// batch committed; on any SQLite error nothing of the batch applies and every transaction
    /// fails with `io`.
    ///
    /// If `COMMIT` itself fails, whether the batch reached the disk is unknown (a failed fsync
    /// can leave complete frames in the WAL, which a restart would apply). Handing out the
    /// batch's revisions again could then give two writes one revision, so the backend stops:
    /// every later commit fails with `io` until the file is reopened.
    private static func write(
        _ transactions: some Sequence<StorageTransaction>, count: Int, into index: inout Index, _ db: Database
    ) -> [Result<Int64, StorageError>] {
        if let failure = index.failure {
            return Array(repeating: .failure(failure), count: count)
        }
        var results: [Result<Int64, StorageError>] = []
        results.reserveCapacity(count)
        // The previous state of every key the batch changed, to restore on rollback.
        var undo: [(String, KeyState?)] = []
        var revision = index.revision
        var refused = 0
        var committing = false
        do {
            var statements: BatchStatements?
            for transaction in transactions {
                let failed = transaction.comparisons.first { comparison in
                    (index.keys[comparison.key]?.modRevision ?? 0) != comparison.modRevision
                }
                if let failed {
                    results.append(.failure(.comparisonFailed(failed.key)))
                    refused += 1
                    continue
                }
                if statements == nil {
                    try db.beginTransaction(.immediate)
                    statements = try BatchStatements(db)
                }
                revision += 1
                for write in transaction.writes {
                    try statements!.apply(write, at: revision, to: &index.keys, undo: &undo)
                }
                results.append(.success(revision))
            }
            if let statements {
                try statements.setRevision.bind(1, revision)
                try statements.setRevision.run()
                committing = true
                try db.commit()
                index.statistics.batches += 1
            }
            index.statistics.transactions += Int(revision - index.revision)
            index.statistics.comparisonFailures += refused
            index.revision = revision
            return results
        } catch {
            if db.isInsideTransaction {
                try? db.rollback()
            }
            for (key, previous) in undo.reversed() {
                index.keys[key] = previous
            }
            let failure = ioError("committing \(count) transaction(s)", error)
            if committing {
                index.failure = StorageError(
                    .io, "SQLite store stopped after a failed COMMIT (\(failure.message)); reopen it to go on")
            }
            return Array(repeating: .failure(failure), count: count)
        }
    }
}

/// The writer's statements for one batch.
private struct BatchStatements {
    let insert: RawStatement
    let update: RawStatement
    let delete: RawStatement
    let setRevision: RawStatement

    init(_ db: Database) throws {
        insert = try RawStatement(db, "INSERT INTO kv (key, create_revision, mod_revision, value) VALUES (?1, ?2, ?2, ?3)")
        update = try RawStatement(db, "UPDATE kv SET mod_revision = ?1, value = ?2 WHERE id = ?3")
        delete = try RawStatement(db, "DELETE FROM kv WHERE id = ?1")
        setRevision = try RawStatement(db, "UPDATE meta SET revision = ?1 WHERE id = 1")
    }

    /// Applies one write at `revision` to the file and to `keys`, recording the key's previous
    /// state in `undo`. A delete of a missing key changes nothing.
    func apply(
        _ write: StorageTransaction.Write, at revision: Int64,
        to keys: inout [String: SQLiteBackend.KeyState], undo: inout [(String, SQLiteBackend.KeyState?)]
    ) throws {
        switch write {
        case .put(let key, let value):
            let previous = keys[key]
            if let previous {
                try update.bind(1, revision)
                try update.bind(2, value)
                try update.bind(3, previous.rowID)
                try update.run()
                keys[key] = SQLiteBackend.KeyState(
                    rowID: previous.rowID, createRevision: previous.createRevision, modRevision: revision)
            } else {
                try insert.bind(1, key)
                try insert.bind(2, revision)
                try insert.bind(3, value)
                try insert.run()
                keys[key] = SQLiteBackend.KeyState(
                    rowID: insert.lastInsertedRowID, createRevision: revision, modRevision: revision)
            }
            undo.append((key, previous))
        case .delete(let key):
            guard let previous = keys.removeValue(forKey: key) else { return }
            try delete.bind(1, previous.rowID)
            try delete.run()
            undo.append((key, previous))
        }
    }
}
