import BosunKit
import BosunRuntime
import BosunStore
import NIOHTTP1

extension ResourceHandler {
    /// The most event bytes gathered into one chunk when a watcher has a backlog: bursts are
    /// written in few writes, and a chunk never grows without bound.
    static let maxWatchChunkBytes = 256 * 1024

    /// A watch: chunked JSON, one event per line, each chunk flushed. It ends at `timeoutSeconds`
    /// (by default at a random point between 30 and 60 minutes, as kube-apiserver's
    /// `minRequestTimeout` gives), when the client goes away, or when the server shuts down.
    /// A resourceVersion older than the store's history is answered as kube-apiserver does: 200
    /// with one ERROR event carrying the 410 Expired Status.
    func watch(_ r: ResourceRequest) throws(APIError) -> APIResponse {
        var options = try RequestOptions.list(r.query, kind: r.descriptor.kind)
        if let name = r.path.name {
            // A watch on one object's path is a watch of the collection narrowed to that name.
            options.fieldSelector = FieldSelector(options.fieldSelector.requirements + [
                FieldRequirement(field: "metadata.name", operator: .equals, value: name)
            ])
        }
        let timeout = try RequestOptions.timeoutSeconds(r.query).map { Duration.seconds($0) }
            ?? .seconds(Int64.random(in: 1800..<3600))
        let stream: WatchStream
        do {
            stream = try store.watch(r.resource, namespace: r.namespace, options: options)
        } catch where error.code == 410 {
            return .json(ObjectEncoding.watchError(error))
        }
        let descriptor = r.descriptor
        let clock = self.clock
        let table = try tableEncoding(r)
        let encode: @Sendable (StoreEvent, inout [UInt8]) -> Void = { event, bytes in
            if let table {
                ObjectEncoding.tableWatchEvent(event, table: table, now: clock.now(), into: &bytes)
            } else {
                ObjectEncoding.watchEvent(event, descriptor: descriptor, into: &bytes)
            }
        }
        return APIResponse(status: .ok, contentType: table?.contentType ?? MediaType.json, body: .stream { writer in
            writer.onEnd { stream.cancel() }
            let deadline = Task {
                try? await clock.sleep(for: timeout)
                stream.cancel()
            }
            defer {
                deadline.cancel()
                stream.cancel()
            }
            var events = stream.makeAsyncIterator()
            do {
                while let event = try await events.next() {
                    var chunk: [UInt8] = []
                    encode(event, &chunk)
                    while stream.backlog > 0, chunk.count < Self.maxWatchChunkBytes, let more = try await events.next() {
                        encode(more, &chunk)
                    }
                    try await writer.write(chunk)
                }
            } catch is WatchClosedError {
                // Too slow, or the store closed: the stream ends and the client watches again
                // from the last resourceVersion it saw, as after any closed watch.
            }
        })
    }
}
