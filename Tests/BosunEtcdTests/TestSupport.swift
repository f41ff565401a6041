import BosunEtcd
import BosunStore
import Testing

/// Runs `body` with a fresh single-member etcd (or `size` members) that is stopped afterwards.
func withEtcd<T>(size: Int = 1, _ body: (LocalEtcdCluster) async throws -> T) async throws -> T {
    let cluster = try await LocalEtcdCluster.start(size: size)
    defer { cluster.stop() }
    return try await body(cluster)
}

/// Runs `body` with a backend on a fresh etcd, closed and stopped afterwards.
func withBackend<T>(_ body: (EtcdBackend, LocalEtcdCluster) async throws -> T) async throws -> T {
    try await withEtcd { cluster in
        let backend = try EtcdBackend(endpoints: cluster.endpoints)
        do {
            let result = try await body(backend, cluster)
            await backend.close()
            return result
        } catch {
            await backend.close()
            throw error
        }
    }
}

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

func byKey(_ snapshot: StorageSnapshot) -> [String: StoredValue] {
    Dictionary(uniqueKeysWithValues: snapshot.values.map { ($0.key, $0) })
}

/// Waits until `condition` holds, polling; fails the test after `seconds`.
func waitUntil(
    _ what: String, within seconds: Int = 10, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out after \(seconds) s waiting until \(what)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// `body`'s result, or a test failure once `limit` has passed: a hang waiting for a stream (a
/// watch that never delivers) fails the test instead of the whole run. `body` must end when
/// cancelled (``Task/valueCancellingTask()`` makes waiting for a task's value do so).
func within<T: Sendable>(
    _ limit: Duration, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        guard let first else {
            Issue.record("timed out after \(limit) waiting for \(what)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return first
    }
}

extension Task where Failure == any Error {
    /// The task's value; if the waiting is cancelled (``within(_:_:sourceLocation:_:)`` ran out
    /// of time), the task is cancelled too, so that the wait ends.
    func valueCancellingTask() async throws -> Success {
        try await withTaskCancellationHandler { try await value } onCancel: { cancel() }
    }
}
