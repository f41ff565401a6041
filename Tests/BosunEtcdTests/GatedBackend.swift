import BosunEtcd
import BosunStore
import Synchronization

/// An etcd backend whose first snapshot runs `afterFirstSnapshot` before returning, and whose
/// revisions are held back until ``gate`` opens: lets a test change etcd between a store's
/// snapshot and the start of its watch.
final class GatedBackend: StorageBackend {
    let inner: EtcdBackend
    let gate = Gate()
    private let afterFirstSnapshot: @Sendable () async throws -> Void
    private let snapshots = Atomic<Int>(0)

    init(_ inner: EtcdBackend, afterFirstSnapshot: @escaping @Sendable () async throws -> Void) {
        self.inner = inner
        self.afterFirstSnapshot = afterFirstSnapshot
    }

    func snapshot() async throws(StorageError) -> StorageSnapshot {
        let snapshot = try await inner.snapshot()
        if snapshots.add(1, ordering: .relaxed).oldValue == 0 {
            do { try await afterFirstSnapshot() } catch { throw StorageError(.io, "test hook: \(error)") }
        }
        return snapshot
    }

    func commit(_ transaction: StorageTransaction) async throws(StorageError) -> Int64 {
        try await inner.commit(transaction)
    }

    func revisions(after revision: Int64) -> AsyncThrowingStream<StorageRevision, any Error>? {
        let gate = gate
        let inner = inner
        return AsyncThrowingStream { continuation in
            let task = Task {
                await gate.wait()
                guard let revisions = inner.revisions(after: revision) else { return continuation.finish() }
                do {
                    for try await next in revisions { continuation.yield(next) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func close() async {
        gate.open()
        await inner.close()
    }
}

/// Closed until opened once; then open for good.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiting = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiting = [] }
            return s.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let open = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiting.append(c)
                return false
            }
            if open { c.resume() }
        }
    }
}
