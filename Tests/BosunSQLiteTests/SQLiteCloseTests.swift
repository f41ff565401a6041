import BosunSQLite
import BosunStore
import Testing

@Suite("SQLite backend: closing")
struct SQLiteCloseTests {
    @Test("a closed backend refuses commits and snapshots; closing twice is harmless")
    func closedBackend() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let backend = try SQLiteBackend(path: path)
            _ = try await backend.commit(.create("a", bytes("1")))
            await backend.close()
            await #expect(throws: StorageError.closed) { try await backend.commit(.create("b", bytes("2"))) }
            await #expect(throws: StorageError.closed) { try await backend.snapshot() }
            await backend.close()

            let reopened = try SQLiteBackend(path: path)
            #expect(try await reopened.snapshot().values.map(\.key) == ["a"])
            await reopened.close()
        }
    }

    @Test("commits racing with close either apply or fail with closed, never vanish")
    func commitsRacingClose() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/store.db"
            let backend = try SQLiteBackend(path: path)
            let acknowledged = await withTaskGroup(of: String?.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        do throws(StorageError) {
                            _ = try await backend.commit(.create("k\(i)", bytes("v")))
                            return "k\(i)"
                        } catch {
                            #expect(error == .closed)
                            return nil
                        }
                    }
                }
                group.addTask {
                    await backend.close()
                    return nil
                }
                var keys = Set<String>()
                for await key in group {
                    if let key { keys.insert(key) }
                }
                return keys
            }
            let reopened = try SQLiteBackend(path: path)
            let snapshot = try await reopened.snapshot()
            #expect(Set(snapshot.values.map(\.key)) == acknowledged)
            #expect(snapshot.revision == Int64(acknowledged.count))
            await reopened.close()
        }
    }

    @Test("snapshots racing with close either complete or fail with closed")
    func snapshotsRacingClose() async throws {
        try await withTemporaryDirectory { dir in
            for round in 0..<20 {
                let backend = try SQLiteBackend(path: dir + "/store.db")
                _ = try await backend.commit(StorageTransaction(writes: [.put(key: "k\(round)", value: bytes("v"))]))
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            do throws(StorageError) {
                                let snapshot = try await backend.snapshot()
                                #expect(snapshot.values.count == round + 1)
                                #expect(snapshot.revision == Int64(round + 1))
                            } catch {
                                #expect(error == .closed)
                            }
                        }
                    }
                    group.addTask { await backend.close() }
                }
            }
        }
    }
}
