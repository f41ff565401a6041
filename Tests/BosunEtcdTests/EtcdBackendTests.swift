import BosunEtcd
import BosunStore
import Testing

@Suite("etcd backend: transactions, revisions, snapshots, errors")
struct EtcdBackendTests {
    @Test("create, update and delete each get the next revision, as etcd numbers them")
    func createUpdateDelete() async throws {
        try await withBackend { backend, _ in
            let start = try await backend.snapshot().revision
            let created = try await backend.commit(.create("/registry/core/configmaps/default/a", bytes("one")))
            #expect(created == start + 1)
            var a = try #require(byKey(try await backend.snapshot())["/registry/core/configmaps/default/a"])
            #expect(a == StoredValue(key: a.key, value: bytes("one"), createRevision: created, modRevision: created))

            #expect(try await backend.commit(.update(a.key, bytes("two"), ifAt: created)) == created + 1)
            a = try #require(byKey(try await backend.snapshot())[a.key])
            #expect(a == StoredValue(key: a.key, value: bytes("two"), createRevision: created, modRevision: created + 1))

            #expect(try await backend.commit(.delete(a.key, ifAt: created + 1)) == created + 2)
            let snapshot = try await backend.snapshot()
            #expect(snapshot.values.isEmpty)
            #expect(snapshot.revision == created + 2)
        }
    }

    @Test("a failed comparison fails with comparisonFailed on the key that changed, and applies nothing")
    func failedComparisonAppliesNothing() async throws {
        try await withBackend { backend, _ in
            let a1 = try await backend.commit(.create("/registry/a", bytes("a1")))
            let b1 = try await backend.commit(.create("/registry/b", bytes("b1")))
            let before = try await backend.snapshot()

            await #expect(throws: StorageError.comparisonFailed("/registry/a")) {
                try await backend.commit(.create("/registry/a", bytes("again")))
            }
            await #expect(throws: StorageError.comparisonFailed("/registry/a")) {
                try await backend.commit(.update("/registry/a", bytes("stale"), ifAt: b1))
            }
            await #expect(throws: StorageError.comparisonFailed("/registry/missing")) {
                try await backend.commit(.delete("/registry/missing", ifAt: a1))
            }
            // Several writes, the second comparison fails: none of the writes applies.
            let mixed = StorageTransaction(
                comparisons: [.init(key: "/registry/a", modRevision: a1), .init(key: "/registry/b", modRevision: a1)],
                writes: [.put(key: "/registry/a", value: bytes("a2")), .put(key: "/registry/c", value: bytes("c1")),
                         .delete(key: "/registry/b")])
            let error = await #expect(throws: StorageError.self) { try await backend.commit(mixed) }
            #expect(error?.code == .comparisonFailed)
            #expect(error?.key == "/registry/b")

            let after = try await backend.snapshot()
            #expect(byKey(after) == byKey(before))
            // Refused transactions take no revision.
            #expect(after.revision == b1)
            #expect(try await backend.commit(.update("/registry/a", bytes("a2"), ifAt: a1)) == b1 + 1)
        }
    }

    @Test("a transaction's writes apply together at one revision")
    func multiWriteTransactionIsAtomic() async throws {
        try await withBackend { backend, _ in
            let gone = try await backend.commit(.create("/registry/gone", bytes("x")))
            let kept = try await backend.commit(.create("/registry/kept", bytes("k1")))
            let transaction = StorageTransaction(
                comparisons: [.init(key: "/registry/new", modRevision: 0), .init(key: "/registry/kept", modRevision: kept),
                              .init(key: "/registry/gone", modRevision: gone)],
                writes: [.put(key: "/registry/new", value: bytes("n1")), .put(key: "/registry/kept", value: bytes("k2")),
                         .delete(key: "/registry/gone")])
            let revision = try await backend.commit(transaction)
            #expect(revision == kept + 1)
            let expected: [String: StoredValue] = [
                "/registry/new": StoredValue(key: "/registry/new", value: bytes("n1"), createRevision: revision, modRevision: revision),
                "/registry/kept": StoredValue(key: "/registry/kept", value: bytes("k2"), createRevision: kept, modRevision: revision),
            ]
            #expect(byKey(try await backend.snapshot()) == expected)
        }
    }

    @Test("a snapshot reads every value under the prefix byte for byte, across pages, at one revision")
    func snapshotContentsAcrossPages() async throws {
        try await withEtcd { cluster in
            // Seven values a page: the 60 keys below take nine pages.
            let backend = try EtcdBackend(endpoints: cluster.endpoints, pageSize: 7)
            let outside = try EtcdBackend(endpoints: cluster.endpoints, prefix: "/other/")
            _ = try await outside.commit(.create("/other/x", bytes("not the store's")))
            _ = try await outside.commit(.create("/registry0", bytes("just past the prefix")))
            var expected: [String: StoredValue] = [:]
            var generator = SystemRandomNumberGenerator()
            var values: [(String, [UInt8])] = [
                ("/registry/empty", []),
                ("/registry/large", (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
                ("/registry/core/pods/default/ünïcödé-🚀", bytes("{\"kind\":\"Pod\"}")),
                ("/registry/zeros", [0, 0, 0, 0]),
            ]
            for i in 0..<56 {
                values.append(("/registry/core/configmaps/ns\(i % 7)/cm-\(i)",
                               (0..<Int.random(in: 1...4000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            }
            for (key, value) in values {
                let revision = try await backend.commit(.create(key, value))
                expected[key] = StoredValue(key: key, value: value, createRevision: revision, modRevision: revision)
            }
            let snapshot = try await backend.snapshot()
            #expect(snapshot.values.count == expected.count)
            #expect(byKey(snapshot) == expected)
            #expect(snapshot.revision == expected.values.map(\.modRevision).max())
            await backend.close()
            await outside.close()
        }
    }

    @Test("revisions(after:) reports every later revision in order: the backend's own, another writer's, keys outside the store")
    func revisionsReportEveryRevision() async throws {
        try await withBackend { backend, cluster in
            let other = try EtcdBackend(endpoints: cluster.endpoints, prefix: "/elsewhere/")
            let start = try await backend.snapshot().revision
            let revisions = try #require(backend.revisions(after: start))
            let r1 = try await backend.commit(.create("/registry/a", bytes("1")))
            let r2 = try await other.commit(.create("/elsewhere/lock", bytes("held")))
            let r3 = try await other.commit(StorageTransaction(
                comparisons: [.init(key: "/registry/a", modRevision: r1)],
                writes: [.put(key: "/registry/a", value: bytes("2")), .put(key: "/registry/b", value: bytes("b"))]))
            let r4 = try await backend.commit(.delete("/registry/b", ifAt: r3))
            let received = try await within(.seconds(20), "four revisions") {
                var received: [StorageRevision] = []
                for try await revision in revisions {
                    received.append(revision)
                    if received.count == 4 { break }
                }
                return received
            }
            #expect(received == [
                StorageRevision(revision: r1, changes: [.put(StoredValue(key: "/registry/a", value: bytes("1"), createRevision: r1, modRevision: r1))]),
                StorageRevision(revision: r2, changes: [.put(StoredValue(key: "/elsewhere/lock", value: bytes("held"), createRevision: r2, modRevision: r2))]),
                StorageRevision(revision: r3, changes: [
                    .put(StoredValue(key: "/registry/a", value: bytes("2"), createRevision: r1, modRevision: r3)),
                    .put(StoredValue(key: "/registry/b", value: bytes("b"), createRevision: r3, modRevision: r3)),
                ]),
                StorageRevision(revision: r4, changes: [.delete(key: "/registry/b")]),
            ])
            #expect([r1, r2, r3, r4] == [start + 1, start + 2, start + 3, start + 4])
            await other.close()
        }
    }

    @Test("the revisions of a member that dies arrive from another, with none lost or repeated")
    func revisionsSurviveAMemberDying() async throws {
        try await expectRevisionsSurvive(losing: { $0.kill(0) })
    }

    @Test("the revisions of a member that freezes (sockets open, nothing answered) arrive from another once a PING goes unanswered")
    func revisionsSurviveAFrozenMember() async throws {
        // Without the keepalive the watch would wait on member 0's open socket for good.
        try await expectRevisionsSurvive(losing: { $0.pause(0) }, restoring: { $0.resume(0) }, keepaliveInterval: .seconds(1))
    }

    /// Five revisions, then member 0 (the watch's) is lost, then five more: the watch reports all
    /// ten, in order, once.
    private func expectRevisionsSurvive(
        losing lose: (LocalEtcdCluster) -> Void, restoring restore: (LocalEtcdCluster) -> Void = { _ in },
        keepaliveInterval: Duration = .seconds(10)
    ) async throws {
        try await withEtcd(size: 3) { cluster in
            // Each backend prefers its first endpoint: the watch is on member 0, writes go to 1.
            let watcher = try EtcdBackend(endpoints: cluster.endpoints, requestTimeout: .seconds(2), keepaliveInterval: keepaliveInterval)
            let writer = try EtcdBackend(endpoints: Array(cluster.endpoints[1...]))
            let start = try await watcher.snapshot().revision
            let revisions = try #require(watcher.revisions(after: start))
            let collector = Task {
                var seen: [Int64] = []
                for try await next in revisions {
                    seen.append(next.revision)
                    if seen.count == 10 { break }
                }
                return seen
            }
            for i in 0..<5 { _ = try await writer.commit(.create("/registry/before-\(i)", bytes("x"))) }
            lose(cluster)
            defer { restore(cluster) }
            // If member 0 led, the others elect a leader before taking writes.
            try await cluster.waitUntilHealthy()
            for i in 0..<5 { _ = try await writer.commit(.create("/registry/after-\(i)", bytes("x"))) }
            let seen = try await within(.seconds(30), "ten revisions") { try await collector.valueCancellingTask() }
            #expect(seen == Array((start + 1)...(start + 10)))
            restore(cluster)
            await watcher.close()
            await writer.close()
        }
    }

    @Test("revisions compacted away end the stream with compacted; compaction does not touch current values")
    func compactedRevisions() async throws {
        try await withBackend { backend, _ in
            let first = try await backend.commit(.create("/registry/a", bytes("1")))
            let second = try await backend.commit(.update("/registry/a", bytes("2"), ifAt: first))
            try await backend.compact(through: second)
            let revisions = try #require(backend.revisions(after: first - 1))
            let error = await #expect(throws: StorageError.self) {
                try await within(.seconds(20), "the stream to end") { for try await _ in revisions {} }
            }
            #expect(error?.code == .compacted)
            #expect(byKey(try await backend.snapshot())["/registry/a"]?.value == bytes("2"))
        }
    }

    @Test("an etcd that cannot be reached fails requests as unavailable, naming the endpoints")
    func unreachable() async throws {
        try await withEtcd { cluster in
            let endpoint = cluster.endpoints[0]
            cluster.kill(0)
            let backend = try EtcdBackend(endpoints: [endpoint], requestTimeout: .seconds(2))
            let snapshotError = await #expect(throws: StorageError.self) { try await backend.snapshot() }
            #expect(snapshotError?.code == .unavailable)
            #expect(snapshotError?.message.contains(endpoint) == true, "\(String(describing: snapshotError))")
            let commitError = await #expect(throws: StorageError.self) { try await backend.commit(.create("/registry/a", bytes("1"))) }
            #expect(commitError?.code == .unavailable)
            await backend.close()
            await #expect(throws: StorageError.closed) { try await backend.commit(.create("/registry/a", bytes("1"))) }
        }
    }

    @Test("endpoints must be http URLs")
    func badEndpoints() {
        #expect(throws: StorageError.self) { try EtcdBackend(endpoints: []) }
        let error = #expect(throws: StorageError.self) { try EtcdBackend(endpoints: ["127.0.0.1:2379"]) }
        #expect(error?.message.contains("not an http://HOST:PORT URL") == true)
    }
}
