import BosunKit
import BosunStore

/// One change seen by a typed watch.
public struct WatchEvent<T: Resource>: Sendable {
    /// ADDED, MODIFIED, DELETED or BOOKMARK, as the store and the API server name them.
    public typealias EventType = StoreEvent.EventType

    public var type: EventType
    /// The object after the change; for DELETED its last state; `nil` for BOOKMARK.
    public var object: T?
    /// The resourceVersion to watch from to see only later changes.
    public var resourceVersion: String

    public init(type: EventType, object: T?, resourceVersion: String) {
        self.type = type
        self.object = object
        self.resourceVersion = resourceVersion
    }
}

/// The events of one watch, whatever carries them (the store in-process, a chunked HTTP
/// response remotely). Iterate it once; ``cancel()`` ends it from the consumer's side.
///
/// Buffers are bounded by the implementation: a consumer that falls too far behind gets an
/// error and watches again from the last resourceVersion it saw.
public struct WatchEvents<T: Resource>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<T>

    private let nextEvent: @Sendable () async throws -> WatchEvent<T>?
    private let stop: @Sendable () -> Void

    /// A watch whose events come from `next` (returning `nil` at the end) and that `cancel` stops.
    public init(next: @escaping @Sendable () async throws -> WatchEvent<T>?, cancel: @escaping @Sendable () -> Void) {
        nextEvent = next
        stop = cancel
    }

    public func cancel() { stop() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let produce: @Sendable () async throws -> WatchEvent<T>?
        public mutating func next() async throws -> WatchEvent<T>? { try await produce() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(produce: nextEvent) }
}

/// The undecoded events of one watch: what informers consume. Iterate it once; ``cancel()`` ends
/// it from the consumer's side.
public struct ObjectEvents: AsyncSequence, Sendable {
    public typealias Element = StoreEvent

    private let nextEvent: @Sendable () async throws -> StoreEvent?
    private let stop: @Sendable () -> Void

    public init(next: @escaping @Sendable () async throws -> StoreEvent?, cancel: @escaping @Sendable () -> Void) {
        nextEvent = next
        stop = cancel
    }

    /// The events of a store watch.
    public init(_ stream: WatchStream) {
        let iterator = SharedIterator(stream.makeAsyncIterator())
        self.init(next: { try await iterator.next() }, cancel: { stream.cancel() })
    }

    public func cancel() { stop() }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let produce: @Sendable () async throws -> StoreEvent?
        public mutating func next() async throws -> StoreEvent? { try await produce() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(produce: nextEvent) }
}

/// A store watch iterator behind a reference, so a `Sendable` closure can advance it. Only one
/// task iterates a watch, so the iterator is never advanced concurrently.
private final class SharedIterator: @unchecked Sendable {
    private var iterator: WatchStream.AsyncIterator

    init(_ iterator: WatchStream.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> StoreEvent? { try await iterator.next() }
}
