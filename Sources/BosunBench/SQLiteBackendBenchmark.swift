import BosunSQLite
import Foundation
import BosunStore
import Synchronization

/// Throughput of the durable SQLite backend, and how long a restart takes.
///
/// 1. Creates `objects` keys of `valueBytes` bytes each, from `concurrency` concurrent writers, in
///    a new database file under `directory`: every create is a durable, acknowledged commit, so
///    the figure is what group commit achieves at that concurrency (`createsPerSecond`).
/// 2. Closes the backend and measures a restart: opening the file (which loads every key's
///    revisions) plus ``SQLiteBackend/snapshot()`` of all values (`reopenSeconds`).
///
/// The database file is removed afterwards.
public struct SQLiteBackendBenchmark: Sendable {
    public var objects: Int
    public var valueBytes: Int
    public var concurrency: Int
    public var directory: String

    public init(objects: Int, valueBytes: Int, concurrency: Int, directory: String) {
        self.objects = objects
        self.valueBytes = valueBytes
        self.concurrency = concurrency
        self.directory = directory
    }

    public func run() async throws -> BenchmarkReport {
        guard objects > 0, valueBytes >= 0, concurrency > 0 else {
            throw BenchmarkError("objects and concurrency must be positive, valueBytes not negative")
        }
        let path = directory + "/sqlite-backend-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).db"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
        }
        let clock = ContinuousClock()
        var report = BenchmarkReport(name: "sqlite-backend")
        report.record("objects", objects)
        report.record("valueBytes", valueBytes)
        report.record("concurrency", concurrency)

        // 1. Creates with group commit.
        let backend = try SQLiteBackend(path: path)
        let value = Self.sampleValue(bytes: valueBytes)
        let next = Counter()
        let objects = self.objects
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let i = next.value.add(1, ordering: .relaxed).oldValue
                        guard i < objects else { return }
                        _ = try await backend.commit(.create(Self.key(i), value))
                    }
                }
            }
            try await group.waitForAll()
        }
        let createSeconds = (clock.now - started).seconds
        let statistics = backend.statistics
        await backend.close()
        report.record("createSeconds", createSeconds, decimals: 3)
        report.record("createsPerSecond", Double(objects) / createSeconds, decimals: 0)
        report.record("sqliteTransactions", statistics.batches)
        report.record("meanBatch", Double(statistics.transactions) / Double(max(1, statistics.batches)), decimals: 1)

        // 2. Restart: open (loads the key index) + snapshot (reads every value).
        let reopenStarted = clock.now
        let reopened = try SQLiteBackend(path: path)
        let openSeconds = (clock.now - reopenStarted).seconds
        let snapshotStarted = clock.now
        let snapshot = try await reopened.snapshot()
        let snapshotSeconds = (clock.now - snapshotStarted).seconds
        let reopenSeconds = (clock.now - reopenStarted).seconds
        await reopened.close()
        guard snapshot.values.count == objects, snapshot.revision == Int64(objects) else {
            throw BenchmarkError("reopened store has \(snapshot.values.count) objects at revision \(snapshot.revision), expected \(objects)")
        }
        report.record("openSeconds", openSeconds, decimals: 3)
        report.record("snapshotSeconds", snapshotSeconds, decimals: 3)
        report.record("reopenSeconds", reopenSeconds, decimals: 3)
        report.record("fileMegabytes", Double(Self.fileSize(path)) / 1_000_000, decimals: 1)
        return report
    }

    /// The index of the next object to create, shared by the writers.
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    static func key(_ i: Int) -> String {
        "/registry/pods/default/bench-\(String(i, radix: 36))"
    }

    /// JSON-like filler, so the bytes resemble a stored object.
    static func sampleValue(bytes: Int) -> [UInt8] {
        let pattern = Array(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bench","labels":{"app":"web"}},"spec":{}}"#.utf8)
        return (0..<bytes).map { pattern[$0 % pattern.count] }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
