import AsyncHTTPClient
import BosunKit
import BosunStore
import NIOCore
import NIOHTTP1

/// An etcd watch of the whole keyspace that reports every revision after a start, in order,
/// as ``StorageRevision``s: each revision's events arrive together (etcd never splits one
/// revision across watch responses), and a broken stream is opened again, on another member if
/// need be, from the revision after the last one reported — so none is lost or repeated.
struct EtcdRevisionWatch: Sendable {
    let client: EtcdClient
    let after: Int64
    let continuation: AsyncThrowingStream<StorageRevision, any Error>.Continuation

    func run() async {
        var next = after + 1
        var delay = Duration.milliseconds(50)
        while !Task.isCancelled {
            do {
                // Every key: revisions that change no key of the store still take a number.
                let body = #"{"create_request":{"key":"AA==","range_end":"AA==","start_revision":"\#(next)"}}"#
                let response = try await client.stream("/v3/watch", body)
                var pending: [UInt8] = []
                for try await chunk in response.body {
                    pending += chunk.readableBytesView
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = pending[..<newline]
                        defer { pending.removeSubrange(...newline) }
                        guard !line.isEmpty else { continue }
                        try handle(Array(line), next: &next)
                        delay = .milliseconds(50)
                    }
                }
            } catch let error as StorageError where error.code == .compacted {
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
    private func handle(_ line: [UInt8], next: inout Int64) throws(StorageError) {
        guard let message = (try? JSONParser.parse(line))?.objectValue else { return }
        if let error = message["error"]?.objectValue {
            let failure = EtcdClient.failure(status: .ok, json: error, raw: [])
            throw failure.code == .compacted ? failure : StorageError(.unavailable, failure.message)
        }
        guard let result = message["result"]?.objectValue else { return }
        if result["canceled"]?.boolValue == true {
            let compacted = EtcdJSON.int(result["compact_revision"])
            if compacted > 0 {
                throw StorageError(.compacted, "etcd compacted revisions up to \(compacted); \(next) is gone")
            }
            throw StorageError(.unavailable, "etcd cancelled the watch: \(result["cancel_reason"]?.stringValue ?? "")")
        }
        var current: StorageRevision?
        for event in result["events"]?.arrayValue ?? [] {
            guard let event = event.objectValue, let kv = event["kv"]?.objectValue else { continue }
            let value = EtcdJSON.storedValue(kv)
            guard value.modRevision >= next else { continue }
            let change: StorageRevision.Change = event["type"]?.stringValue == "DELETE" ? .delete(key: value.key) : .put(value)
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
