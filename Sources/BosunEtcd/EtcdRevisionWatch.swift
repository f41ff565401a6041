import BosunKit
import BosunStore
import Synchronization

/// An etcd watch of the whole keyspace that reports every revision after a start, in order,
/// as ``StorageRevision``s: each revision's events arrive together (etcd never splits one
/// revision across watch responses unless asked to fragment), and a broken stream is opened
/// again, on another member if need be, from the revision after the last one reported — so none
/// is lost or repeated.
final class EtcdRevisionWatch: Sendable {
    let client: EtcdClient
    let continuation: AsyncThrowingStream<StorageRevision, any Error>.Continuation
    /// The first revision not reported yet.
    private let next: Mutex<Int64>

    init(client: EtcdClient, after: Int64, continuation: AsyncThrowingStream<StorageRevision, any Error>.Continuation) {
        self.client = client
        self.continuation = continuation
        next = Mutex(after + 1)
    }

    func run() async {
        var delay = Duration.milliseconds(50)
        while !Task.isCancelled {
            do throws(StorageError) {
                // Every key: revisions that change no key of the store still take a number.
                let request = EtcdWatchCreateRequest(key: [0], rangeEnd: [0], startRevision: next.withLock { $0 })
                try await client.watch(request) { [self] response throws(StorageError) in
                    try next.withLock { next throws(StorageError) in try Self.handle(response, next: &next, continuation) }
                }
                delay = .milliseconds(50)
            } catch where error.code == .compacted {
                continuation.finish(throwing: error)
                return
            } catch {
                // The member went away or the stream broke: open it again from `next`.
            }
            if Task.isCancelled { break }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
        continuation.finish()
    }

    /// Reports the revisions of one watch response; throws `compacted` when etcd cancelled the
    /// watch because `next` is older than its history.
    private static func handle(
        _ response: EtcdWatchResponse, next: inout Int64,
        _ continuation: AsyncThrowingStream<StorageRevision, any Error>.Continuation
    ) throws(StorageError) {
        if response.canceled {
            if response.compactRevision > 0 {
                throw StorageError(.compacted, "etcd compacted revisions up to \(response.compactRevision); \(next) is gone")
            }
            throw StorageError(.unavailable, "etcd cancelled the watch: \(response.cancelReason)")
        }
        var current: StorageRevision?
        for event in response.events {
            let value = event.value
            guard value.modRevision >= next else { continue }
            let change: StorageRevision.Change
            switch event {
            case .put(let value): change = .put(value)
            case .delete(let value): change = .delete(key: value.key)
            }
            if current?.revision == value.modRevision {
                current?.changes.append(change)
            } else {
                if let done = current { continuation.yield(done) }
                current = StorageRevision(revision: value.modRevision, changes: [change])
            }
        }
        if let done = current {
            continuation.yield(done)
            next = done.revision + 1
        }
    }
}
