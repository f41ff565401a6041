import BosunKit
import Synchronization

/// Why a watch ended early.
public enum WatchClosedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The consumer fell more than the buffer behind. Watch again from the last resourceVersion
    /// you saw; if the store's history no longer reaches back that far, the new watch gets 410
    /// Expired and you relist.
    case tooSlow(bufferSize: Int)
    /// The store shut down.
    case storeClosed
    /// The store reloaded its state from a shared backend whose history it could no longer follow
    /// (compacted away): watch again, which gets 410 Expired for older resourceVersions, and relist.
    case storeReloaded

    public var description: String {
        switch self {
        case .tooSlow(let n): "watch closed: the consumer fell more than \(n) events behind; watch again from the last resourceVersion seen"
        case .storeClosed: "watch closed: the store is shutting down"
        case .storeReloaded: "watch closed: the store reloaded its state from storage; relist"
        }
    }
}

/// The events of one watch, in resourceVersion order, with a bounded buffer.
///
/// The store never blocks on a watcher and never drops events silently: a watcher that cannot
/// keep up is closed with ``WatchClosedError/tooSlow(bufferSize:)`` once its buffer is full.
public final class WatchStream: AsyncSequence, Sendable {
    public typealias Element = StoreEvent

    private struct Buffer {
        var events: [StoreEvent] = []
        /// Events moved to the consumer's batch since the stream began.
        var taken = 0
        var waiting: CheckedContinuation<StoreEvent?, any Error>?
        var ending: (any Error)?
        var finished = false
    }

    private let buffer = Mutex(Buffer())
    /// Events taken from the buffer in one go, returned one by one (see ``nextTaken()``).
    private struct Batch {
        var events: [StoreEvent] = []
        var index = 0
    }

    private let batch = Mutex(Batch())
    /// Events returned out of batches; with the buffer's `taken`, how many a batch still holds,
    /// counted apart from the buffer's lock so that the store need not take the batch's.
    private let consumed = Atomic<Int>(0)
    public let capacity: Int
    let id: Int
    private let onCancel: @Sendable (Int) -> Void

    init(id: Int, capacity: Int, onCancel: @escaping @Sendable (Int) -> Void) {
        self.id = id
        self.capacity = capacity
        self.onCancel = onCancel
    }

    /// What ``enqueue(_:)`` did with an event.
    enum Offer {
        case queued
        /// The consumer was waiting for it: resume this with the event. The store does that after
        /// letting go of its lock, so a wake-up never holds up other writers.
        case handOff(CheckedContinuation<StoreEvent?, any Error>)
        /// The stream is over (full, or finished); the store should forget it.
        case closed
    }

    /// Queues an event, or hands it to the waiting consumer.
    func enqueue(_ event: StoreEvent) -> Offer {
        buffer.withLock { b in
            if b.finished || b.ending != nil { return .closed }
            if let waiting = b.waiting {
                b.waiting = nil
                return .handOff(waiting)
            }
            if unconsumed(b) >= capacity {
                b.ending = WatchClosedError.tooSlow(bufferSize: capacity)
                return .closed
            }
            b.events.append(event)
            return .queued
        }
    }

    /// Queues an event; returns `false` when the stream is over (full, or finished) and the
    /// store should forget it.
    func offer(_ event: StoreEvent) -> Bool {
        switch enqueue(event) {
        case .queued: return true
        case .handOff(let consumer):
            consumer.resume(returning: event)
            return true
        case .closed: return false
        }
    }

    /// Ends the stream after the buffered events, with `error` if given.
    func finish(throwing error: (any Error)? = nil) {
        let resume = buffer.withLock { b -> CheckedContinuation<StoreEvent?, any Error>? in
            if b.ending == nil { b.ending = error }
            b.finished = b.finished || error == nil
            let w = b.waiting
            b.waiting = nil
            return w
        }
        if let error { resume?.resume(throwing: error) } else { resume?.resume(returning: nil) }
    }

    /// Stops the watch from the consumer's side.
    public func cancel() {
        finish()
        onCancel(id)
    }

    /// Events buffered and not yet consumed, including those taken into the consumer's batch
    /// and not yet returned.
    public var backlog: Int { buffer.withLock { unconsumed($0) } }

    private func unconsumed(_ b: Buffer) -> Int {
        b.events.count + b.taken - consumed.load(ordering: .relaxed)
    }

    /// The next event from the consumer's batch, which is refilled with everything buffered
    /// when it runs out; `nil` when both are empty.
    ///
    /// Taking the whole buffer at once keeps the consumer from contending with the store for
    /// the buffer's lock once per event: the store appends to it while holding its own lock, so
    /// every wait for it there holds up all writers. The batch is the stream's, not an
    /// iterator's, so an iterator given up early (a `for try await` left with `break`) loses
    /// nothing; its lock is the consumer's alone and is not contended.
    private func nextTaken() -> StoreEvent? {
        batch.withLock { t -> StoreEvent? in
            if t.index == t.events.count {
                t.events.removeAll(keepingCapacity: true)
                t.index = 0
                buffer.withLock { b in
                    b.taken += b.events.count
                    swap(&b.events, &t.events)
                }
                if t.events.isEmpty { return nil }
            }
            let event = t.events[t.index]
            t.index += 1
            consumed.add(1, ordering: .relaxed)
            return event
        }
    }

    fileprivate func next() async throws -> StoreEvent? {
        if let ready = nextTaken() { return ready }
        // Before parking, let the writers on this executor run once: a consumer faster than the
        // store's writers would otherwise be woken for every single event, and a wake-up costs
        // more than handling a batch of them.
        await Task.yield()
        if let ready = nextTaken() { return ready }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<StoreEvent?, any Error>) in
                let action: Result<StoreEvent?, any Error>? = buffer.withLock { b in
                    // Arrived since the look above: few, as the buffer was empty a moment ago.
                    if !b.events.isEmpty { return .success(b.events.removeFirst()) }
                    if let ending = b.ending {
                        b.finished = true
                        b.ending = nil
                        return .failure(ending)
                    }
                    if b.finished { return .success(nil) }
                    if Task.isCancelled { return .success(nil) }
                    b.waiting = continuation
                    return nil
                }
                if let action { continuation.resume(with: action) }
            }
        } onCancel: {
            self.cancel()
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: WatchStream
        public mutating func next() async throws -> StoreEvent? { try await stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
