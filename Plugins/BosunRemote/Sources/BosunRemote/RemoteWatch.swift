import AsyncHTTPClient
import BosunKit
import BosunRuntime
import NIOCore

/// A watch over HTTP: `?watch=1` answered by a chunked stream of one JSON event per line,
/// read by a task of its own into a bounded buffer that the consumer iterates.
enum RemoteWatch {
    static func open(
        _ resource: ResourceDescriptor, path: String, options: ListOptions, transport: HTTPTransport,
        timeoutSeconds: Int64, buffer: Int
    ) async throws -> ObjectEvents {
        var query = ResourcePaths.listQuery(options)
        query.append(("watch", "1"))
        query.append(("timeoutSeconds", String(timeoutSeconds)))
        // The server ends the watch at timeoutSeconds; the deadline is only a safety net.
        let response = try await transport.open(path, query: query, deadline: .now() + .seconds(timeoutSeconds + 60))
        let (stream, continuation) = AsyncThrowingStream<StoreEvent, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(buffer))
        let reader = Task {
            var lines = LineBuffer()
            do {
                for try await chunk in response.body {
                    for line in lines.append(chunk) {
                        guard let event = try WatchLine.event(line, resource: resource) else { continue }
                        if case .dropped = continuation.yield(event) {
                            // The consumer fell behind: what it has not taken stays in the buffer,
                            // and it watches again from the last event it saw.
                            continuation.finish(throwing: WatchClosedError.tooSlow(bufferSize: buffer))
                            return
                        }
                    }
                }
                continuation.finish()
            } catch {
                // Cancelled from the consumer's side: the watch just ends, as a store watch does
                // when cancelled (an informer that cancelled it for silence watches again).
                if Task.isCancelled { continuation.finish() } else { continuation.finish(throwing: error) }
            }
        }
        continuation.onTermination = { _ in reader.cancel() }
        let iterator = StreamIterator(stream.makeAsyncIterator())
        return ObjectEvents(
            next: { try await iterator.next() },
            cancel: {
                // Finished first, so that the reader's own ending cannot turn into an error.
                continuation.finish()
                reader.cancel()
            })
    }
}

/// One line of a watch: `{"type":"ADDED","object":{...}}`.
enum WatchLine {
    /// The event, `nil` for a blank line; an ERROR event throws the `Status` it carries (a 410
    /// Expired tells the informer to list again).
    static func event(_ line: ArraySlice<UInt8>, resource: ResourceDescriptor) throws -> StoreEvent? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let event = try ReceivedObjects.tree(Array(line))
        let object = event["object"]?.objectValue ?? JSONObject()
        let version = ReceivedObjects.resourceVersion(object["metadata"]?["resourceVersion"])
        switch event["type"]?.stringValue {
        case "ADDED"?: return StoreEvent(type: .added, object: ReceivedObjects.object(object, resource: resource), resourceVersion: version)
        case "MODIFIED"?: return StoreEvent(type: .modified, object: ReceivedObjects.object(object, resource: resource), resourceVersion: version)
        case "DELETED"?: return StoreEvent(type: .deleted, object: ReceivedObjects.object(object, resource: resource), resourceVersion: version)
        case "BOOKMARK"?: return StoreEvent(type: .bookmark, object: nil, resourceVersion: version)
        case "ERROR"?:
            if let status = try? Status(json: .object(object)) { throw APIError(status: status) }
            throw APIError.internal("the watch ended with an error the server did not describe")
        case let other:
            throw APIError.internal("the watch sent an event of unknown type \(other ?? "(none)")")
        }
    }
}

/// Bytes of a stream cut into lines.
struct LineBuffer {
    private var pending: [UInt8] = []

    /// The lines completed by `chunk`, without their newline.
    mutating func append(_ chunk: ByteBuffer) -> [ArraySlice<UInt8>] {
        chunk.withUnsafeReadableBytes { pending.append(contentsOf: $0) }
        guard let last = pending.lastIndex(of: 0x0A) else { return [] }
        let complete = Array(pending[...last])
        pending.removeSubrange(...last)
        return complete.split(separator: 0x0A, omittingEmptySubsequences: true)
    }
}

/// An async stream's iterator behind a reference, so the `Sendable` closure of ``ObjectEvents``
/// can advance it. Only the watch's one consumer iterates it.
private final class StreamIterator: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<StoreEvent, any Error>.AsyncIterator

    init(_ iterator: AsyncThrowingStream<StoreEvent, any Error>.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> StoreEvent? { try await iterator.next() }
}
