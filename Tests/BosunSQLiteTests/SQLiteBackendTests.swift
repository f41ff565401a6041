import BosunSQLite
import BosunStore
import Foundation
import Testing

@Suite("SQLite backend: transactions, revisions, reopen")
struct SQLiteBackendTests {
    @Test("create, update and delete each get the next revision")
    func createUpdateDelete() async throws {
        try await withTemporaryDirectory { dir in
            let backend = try SQLiteBackend(path: dir + "/store.db")
            #expect(try await backend.commit(.create("a", bytes("one"))) == 1)
            var a = try #require(byKey(try await backend.snapshot())["a"])
            #expect(a == StoredValue(key: "a", value: bytes("one"), createRevision: 1, modRevision: 1))

            #expect(try await backend.commit(.update("a", bytes("two"), ifAt: 1)) == 2)
            a = try #require(byKey(try await backend.snapshot())["a"])
            #expect(a == StoredValue(key: "a", value: bytes("two"), createRevision: 1, modRevision: 2))

            #expect(try await backend.commit(.delete("a", ifAt: 2)) == 3)
            let snapshot = try await backend.snapshot()
            #expect(snapshot.values.isEmpty)
            #expect(snapshot.revision == 3)
            #expect(backend.revision == 3)
            await backend.close()
        }
    }

    @Test("a failed comparison fails with comparisonFailed and applies nothing")
    func failedComparisonAppliesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let backend = try SQLiteBackend(path: dir + "/store.db")
            _ = try await backend.commit(.create("a", bytes("a1")))     // 1
            _ = try await backend.commit(.create("b", bytes("b1")))     // 2
            let before = try await backend.snapshot()

            await #expect(throws: StorageError.comparisonFailed("a")) {
                try await backend.commit(.create("a", bytes("again")))
            }
            await #expect(throws: StorageError.comparisonFailed("a")) {
                try await backend.commit(.update("a", bytes("stale"), ifAt: 2))
            }
            await #expect(throws: StorageError.comparisonFailed("missing")) {
                try await backend.commit(.delete("missing", ifAt: 1))
            }
            // Several writes, the second comparison fails: none of the writes applies.
            let mixed = StorageTransaction(
                comparisons: [.init(key: "a", modRevision: 1), .init(key: "b", modRevision: 1)],
                writes: [.put(key: "a", value: bytes("a2")), .put(key: "c", value: bytes("c1")), .delete(key: "b")])
            let error = await #expect(throws: StorageError.self) { try await backend.commit(mixed) }
            #expect(error?.code == .comparisonFailed)
            #expect(error?.key == "b")

            let after = try await backend.snapshot()
            #expect(byKey(after) == byKey(before))
            #expect(after.revision == 2)
            // Refused transactions use no revision.
            #expect(try await backend.commit(.update("a", bytes("a2"), ifAt: 1)) == 3)
            #expect(backend.statistics.comparisonFailures == 4)
            await backend.close()
        }
    }

    @Test("a transaction's writes apply together at one revision, and survive reopening")
    func multiWriteTransactionIsAtomic() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let backend = try SQLiteBackend(path: path)
            _ = try await backend.commit(.create("gone", bytes("x")))     // 1
            _ = try await backend.commit(.create("kept", bytes("k1")))    // 2
            let transaction = StorageTransaction(
                comparisons: [.init(key: "new", modRevision: 0), .init(key: "kept", modRevision: 2), .init(key: "gone", modRevision: 1)],
                writes: [.put(key: "new", value: bytes("n1")), .put(key: "kept", value: bytes("k2")), .delete(key: "gone")])
            #expect(try await backend.commit(transaction) == 3)
            let expected: [String: StoredValue] = [
                "new": StoredValue(key: "new", value: bytes("n1"), createRevision: 3, modRevision: 3),
                "kept": StoredValue(key: "kept", value: bytes("k2"), createRevision: 2, modRevision: 3),
            ]
            #expect(byKey(try await backend.snapshot()) == expected)
            await backend.close()

            let reopened = try SQLiteBackend(path: path)
            let snapshot = try await reopened.snapshot()
            #expect(byKey(snapshot) == expected)
            #expect(snapshot.revision == 3)
            await reopened.close()
        }
    }

    @Test("writes to one key within a transaction apply in order")
    func writesToOneKeyApplyInOrder() async throws {
        try await withTemporaryDirectory { dir in
            let backend = try SQLiteBackend(path: dir + "/store.db")
            _ = try await backend.commit(.create("recreated", bytes("old")))   // 1
            let transaction = StorageTransaction(writes: [
                .put(key: "twice", value: bytes("first")), .put(key: "twice", value: bytes("second")),
                .put(key: "transient", value: bytes("t")), .delete(key: "transient"),
                .delete(key: "recreated"), .put(key: "recreated", value: bytes("new")),
                .delete(key: "never-existed"),
            ])
            #expect(try await backend.commit(transaction) == 2)
            let expected: [String: StoredValue] = [
                "twice": StoredValue(key: "twice", value: bytes("second"), createRevision: 2, modRevision: 2),
                // Deleted and put again: a new key as far as createRevision goes.
                "recreated": StoredValue(key: "recreated", value: bytes("new"), createRevision: 2, modRevision: 2),
            ]
            #expect(byKey(try await backend.snapshot()) == expected)
            // A transaction without writes still takes a revision, as in MemoryBackend.
            #expect(try await backend.commit(StorageTransaction(writes: [])) == 3)
            await backend.close()
        }
    }

    @Test("revisions continue upward after reopening, also when every key was deleted")
    func revisionsContinueAcrossReopen() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            var backend = try SQLiteBackend(path: path)
            for i in 0..<5 {
                _ = try await backend.commit(.create("k\(i)", bytes("v\(i)")))
            }
            for i in 0..<5 {
                _ = try await backend.commit(.delete("k\(i)", ifAt: Int64(i + 1)))
            }
            #expect(backend.revision == 10)
            await backend.close()

            for round in 0..<3 {
                backend = try SQLiteBackend(path: path)
                let snapshot = try await backend.snapshot()
                #expect(snapshot.revision == Int64(10 + round))
                #expect(snapshot.values.map(\.key) == (round == 0 ? [] : ["k0"]))
                let transaction: StorageTransaction = round == 0
                    ? .create("k0", bytes("again"))
                    : .update("k0", bytes("again"), ifAt: Int64(10 + round))
                #expect(try await backend.commit(transaction) == Int64(11 + round))
                await backend.close()
            }
            backend = try SQLiteBackend(path: path)
            let k0 = try #require(byKey(try await backend.snapshot())["k0"])
            #expect(k0.createRevision == 11)
            #expect(k0.modRevision == 13)
            await backend.close()
        }
    }

    @Test("a snapshot holds every value byte for byte, before and after reopening")
    func snapshotContents() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let backend = try SQLiteBackend(path: path)
            var expected: [String: StoredValue] = [:]
            var generator = SystemRandomNumberGenerator()
            let special: [(String, [UInt8])] = [
                ("empty", []),
                ("large", (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
                ("/registry/pods/default/ünïcödé-🚀", bytes("{\"kind\":\"Pod\"}")),
                ("zeros", [0, 0, 0, 0]),
            ]
            for (key, value) in special {
                let revision = try await backend.commit(.create(key, value))
                expected[key] = StoredValue(key: key, value: value, createRevision: revision, modRevision: revision)
            }
            for i in 0..<300 {
                let key = "/registry/configmaps/ns\(i % 7)/cm-\(i)"
                let value = (0..<Int.random(in: 1...4000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let revision = try await backend.commit(.create(key, value))
                expected[key] = StoredValue(key: key, value: value, createRevision: revision, modRevision: revision)
            }
            // Update a third, delete a sixth.
            for i in stride(from: 0, to: 300, by: 3) {
                let key = "/registry/configmaps/ns\(i % 7)/cm-\(i)"
                let old = try #require(expected[key])
                if i % 2 == 0 {
                    _ = try await backend.commit(.delete(key, ifAt: old.modRevision))
                    expected[key] = nil
                } else {
                    let value = bytes("updated \(i)")
                    let revision = try await backend.commit(.update(key, value, ifAt: old.modRevision))
                    expected[key] = StoredValue(key: key, value: value, createRevision: old.createRevision, modRevision: revision)
                }
            }
            let revision = backend.revision
            let snapshot = try await backend.snapshot()
            #expect(snapshot.values.count == expected.count)
            #expect(byKey(snapshot) == expected)
            #expect(snapshot.revision == revision)
            await backend.close()

            let reopened = try SQLiteBackend(path: path)
            let again = try await reopened.snapshot()
            #expect(byKey(again) == expected)
            #expect(again.revision == revision)
            await reopened.close()
        }
    }

    @Test("the file belongs to one backend at a time")
    func exclusiveOpen() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let first = try SQLiteBackend(path: path)
            _ = try await first.commit(.create("a", bytes("1")))
            let error = #expect(throws: StorageError.self) { try SQLiteBackend(path: path) }
            #expect(error?.code == .io)
            #expect(error?.message.contains("in use by another backend or process") == true, "\(String(describing: error))")
            await first.close()

            let second = try SQLiteBackend(path: path)
            #expect(try await second.snapshot().revision == 1)
            await second.close()
        }
    }

    @Test("a file that is not a store, or a path that cannot be created, fails with io")
    func badFiles() async throws {
        try await withTemporaryDirectory { dir in
            let garbage = dir + "/garbage.db"
            try Data(repeating: 0x42, count: 10_000).write(to: URL(fileURLWithPath: garbage))
            let error = #expect(throws: StorageError.self) { try SQLiteBackend(path: garbage) }
            #expect(error?.code == .io)

            let missingDirectory = #expect(throws: StorageError.self) { try SQLiteBackend(path: dir + "/no/such/dir/store.db") }
            #expect(missingDirectory?.code == .io)
        }
    }
}
