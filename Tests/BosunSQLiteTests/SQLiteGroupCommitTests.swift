@testable import BosunSQLite
import BosunStore
import Dispatch
import GRDB
import Testing

@Suite("SQLite backend: group commit")
struct SQLiteGroupCommitTests {
    @Test("concurrent commits are all acknowledged with distinct, gapless revisions")
    func concurrentCommits() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let backend = try SQLiteBackend(path: path)
            let count = 1_000
            let revisions = try await withThrowingTaskGroup(of: Int64.self) { group in
                for i in 0..<count {
                    group.addTask { try await backend.commit(.create("key-\(i)", bytes("value-\(i)"))) }
                }
                var revisions: [Int64] = []
                for try await revision in group { revisions.append(revision) }
                return revisions
            }
            #expect(revisions.sorted() == Array(1...Int64(count)))
            let statistics = backend.statistics
            #expect(statistics.transactions == count)
            #expect(statistics.batches >= 1 && statistics.batches <= count)
            await backend.close()

            let reopened = try SQLiteBackend(path: path)
            let snapshot = try await reopened.snapshot()
            #expect(snapshot.values.count == count)
            #expect(snapshot.revision == Int64(count))
            for value in snapshot.values {
                #expect(value.createRevision == value.modRevision)
                #expect(value.value == bytes("value-" + value.key.dropFirst("key-".count)))
            }
            await reopened.close()
        }
    }

    /// Holds the writer (the database queue) until `release()`, so that commits pile up into one
    /// batch in a known order.
    struct HeldWriter {
        let gate = DispatchSemaphore(value: 0)

        init(_ backend: SQLiteBackend) {
            let gate = self.gate
            backend.database.asyncWriteWithoutTransaction { _ in gate.wait() }
        }

        func release() { gate.signal() }
    }

    /// Starts `transactions` one after the other, each queued behind the previous one, while the
    /// writer is held; then releases the writer and returns every result in order.
    func commitInOneBatch(
        _ backend: SQLiteBackend, _ transactions: [StorageTransaction]
    ) async throws -> [Result<Int64, StorageError>] {
        let writer = HeldWriter(backend)
        var released = false
        defer { if !released { writer.release() } }
        var tasks: [Task<Result<Int64, StorageError>, Never>] = []
        for (i, transaction) in transactions.enumerated() {
            tasks.append(Task {
                do throws(StorageError) { return .success(try await backend.commit(transaction)) } catch { return .failure(error) }
            })
            try await waitUntil("commit \(i) is queued") { backend.pendingCount == i + 1 }
        }
        let batchesBefore = backend.statistics.batches
        writer.release()
        released = true
        var results: [Result<Int64, StorageError>] = []
        for task in tasks { results.append(await task.value) }
        // Everything went into at most one SQLite transaction.
        #expect(backend.statistics.batches - batchesBefore <= 1)
        return results
    }

    @Test("in one batch, each transaction sees the earlier ones and only failed comparisons fail")
    func comparisonsWithinABatch() async throws {
        try await withTemporaryDirectory { dir in
            let backend = try SQLiteBackend(path: dir + "/store.db")
            _ = try await backend.commit(.create("y", bytes("y1")))   // 1
            let results = try await commitInOneBatch(backend, [
                .create("x", bytes("x1")),                 // 2
                .update("x", bytes("x2"), ifAt: 2),        // 3: holds only after the create above
                .create("x", bytes("again")),              // fails: x exists since 2
                .update("y", bytes("y2"), ifAt: 1),        // 4
                .update("y", bytes("stale"), ifAt: 1),     // fails: y is at 4 now
                .delete("x", ifAt: 3),                     // 5
                .create("x", bytes("x3")),                 // 6: x is gone again
            ])
            #expect(results == [
                .success(2), .success(3), .failure(.comparisonFailed("x")), .success(4),
                .failure(.comparisonFailed("y")), .success(5), .success(6),
            ])
            let snapshot = try await backend.snapshot()
            #expect(byKey(snapshot) == [
                "x": StoredValue(key: "x", value: bytes("x3"), createRevision: 6, modRevision: 6),
                "y": StoredValue(key: "y", value: bytes("y2"), createRevision: 1, modRevision: 4),
            ])
            #expect(snapshot.revision == 6)
            await backend.close()
        }
    }

    @Test("a batch that SQLite refuses applies nothing, fails every transaction with io, and uses no revision")
    func failedBatchRollsBack() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let backend = try SQLiteBackend(path: path)
            _ = try await backend.commit(.create("u", bytes("u1")))   // 1
            // Make SQLite fail the insert of one particular key.
            try await backend.database.writeWithoutTransaction { db in
                try db.execute(sql: """
                    CREATE TEMP TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key = 'boom'
                    BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                    """)
            }
            let results = try await commitInOneBatch(backend, [
                .update("u", bytes("u2"), ifAt: 1),
                .create("fresh", bytes("f")),
                .delete("u", ifAt: 2),
                .create("boom", bytes("b")),
            ])
            #expect(results.count == 4)
            for result in results {
                guard case .failure(let error) = result else {
                    Issue.record("expected a failure, got \(result)")
                    continue
                }
                #expect(error.code == .io)
            }
            // Nothing changed, in the file or in the writer's view of the keys' revisions.
            #expect(backend.revision == 1)
            let snapshot = try await backend.snapshot()
            #expect(snapshot.revision == 1)
            #expect(byKey(snapshot) == ["u": StoredValue(key: "u", value: bytes("u1"), createRevision: 1, modRevision: 1)])
            #expect(try await backend.commit(.update("u", bytes("u2"), ifAt: 1)) == 2)
            #expect(try await backend.commit(.create("fresh", bytes("f"))) == 3)
            await backend.close()

            let reopened = try SQLiteBackend(path: path)
            #expect(try await reopened.snapshot().revision == 3)
            await reopened.close()
        }
    }
}
