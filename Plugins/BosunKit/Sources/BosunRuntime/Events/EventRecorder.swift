import BosunKit
import BosunStore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Records core/v1 `Event`s about objects — what `kubectl describe` shows under "Events" —
/// with client-go's `record` package semantics.
///
/// Recording is fire-and-forget: ``event(for:type:reason:message:)`` only enqueues, and one
/// background task correlates and writes. A controller must never slow down or fail because
/// its events could not be stored, so a full queue drops the event and write errors are logged
/// and dropped (client-go retries a failed write a few times; this recorder does not).
/// Repeats become counts on one object and floods are rate-limited; see ``EventRecorderOptions``.
public final class EventRecorder: Sendable {
    /// `Event.type`: the two values Kubernetes accepts.
    public enum EventType: String, Sendable, Hashable {
        case normal = "Normal"
        case warning = "Warning"
    }

    /// `source.component` and `reportingComponent`: who reports, e.g. `deployment-controller`.
    public let component: String
    /// `source.host` and `reportingInstance`: which replica reports.
    public let instance: String
    private let clock: any RuntimeClock
    private let logger: Logger
    private let queue: AsyncStream<Event>.Continuation
    private let progress: EventWriteProgress
    private let writer: Task<Void, Never>
    /// Events dropped because the queue was full; logged at the first and every 1,000th drop,
    /// since a burst that overflows the queue would otherwise log thousands of lines.
    private let drops = Atomic<Int>(0)

    /// Starts the writer task; it runs until ``shutdown()`` or until the recorder is released,
    /// writing whatever is still queued first.
    ///
    /// - Parameter instance: defaults to this host's name, as client-go's recorders use.
    public init(
        client: any Client, clock: any RuntimeClock = SystemRuntimeClock(), component: String,
        instance: String? = nil, options: EventRecorderOptions = EventRecorderOptions(),
        logger: Logger = Logger(label: "bosun.events")
    ) {
        self.component = component
        self.instance = instance ?? Self.hostName()
        self.clock = clock
        var logger = logger
        logger[metadataKey: "component"] = "\(component)"
        self.logger = logger
        let (stream, queue) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingOldest(max(1, options.queueCapacity)))
        self.queue = queue
        let progress = EventWriteProgress()
        self.progress = progress
        writer = Task { [logger] in
            var correlator = EventCorrelator(options: options)
            for await event in stream {
                await Self.write(event, correlator: &correlator, client: client, logger: logger)
                progress.completeOne()
            }
            progress.close()
        }
    }

    deinit {
        queue.finish()
    }

    /// Records that `reason` happened to `object`. Never blocks and never fails: the event is
    /// written in the background, or dropped with a log message if it cannot be.
    ///
    /// `reason` is a short UpperCamelCase word for machines (`FailedCreate`); `message` is for
    /// people. Events about cluster-scoped objects go to the `default` namespace, as in Kubernetes.
    public func event<T: Resource>(for object: T, type: EventType, reason: String, message: String) {
        let involved = ObjectReference(
            apiVersion: T.apiVersion, kind: T.kind, name: object.metadata.name ?? "",
            namespace: object.metadata.namespace.flatMap { $0.isEmpty ? nil : $0 },
            resourceVersion: object.metadata.resourceVersion, uid: object.metadata.uid)
        event(about: involved, type: type, reason: reason, message: message)
    }

    /// Records that `reason` happened to the object `involved` names: for controllers that handle
    /// objects of any kind without a Swift type for it (the garbage collector).
    public func event(about involved: ObjectReference, type: EventType, reason: String, message: String) {
        let now = clock.now()
        let name = involved.name ?? ""
        var involved = involved
        involved.namespace = involved.namespace.flatMap { $0.isEmpty ? nil : $0 }
        let event = Event(
            metadata: ObjectMeta(name: EventNames.unique(for: name, at: now), namespace: involved.namespace ?? "default"),
            involvedObject: involved,
            count: 1, firstTimestamp: now, lastTimestamp: now, message: message, reason: reason,
            reportingComponent: component, reportingInstance: instance,
            source: EventSource(component: component, host: instance), type: type.rawValue)
        if !progress.enqueue(event, on: queue) {
            let dropped = drops.add(1, ordering: .relaxed).newValue
            if dropped == 1 || dropped % 1_000 == 0 {
                let path = involved.namespace.map { $0 + "/" + name } ?? name
                logger.warning("dropped event \(reason) for \(involved.kind ?? "") \(path): queue full or recorder shut down",
                               metadata: ["droppedSoFar": "\(dropped)"])
            }
        }
    }

    /// Waits until every event recorded before this call has been written or dropped.
    public func flush() async {
        await progress.waitForCompletion()
    }

    /// Stops accepting events, writes the queued ones, and ends the writer task.
    public func shutdown() async {
        queue.finish()
        await writer.value
    }

    /// `gethostname` rather than Foundation's `hostName`, which may wait on DNS.
    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func write(
        _ event: Event, correlator: inout EventCorrelator, client: any Client, logger: Logger
    ) async {
        let decision = correlator.correlate(event)
        do {
            switch decision {
            case .skip:
                logger.debug("event \(event.reason ?? "") for \(event.involvedObject.name ?? "") rate-limited")
            case .create(let event, let key):
                correlator.written(try await client.create(event), key: key)
            case .patch(var event, let patch, let key):
                do {
                    let patched = try await client.patch(
                        Event.self, namespace: event.metadata.namespace, name: event.metadata.name ?? "", .merge, patch)
                    correlator.written(patched, key: key)
                } catch let error as APIError where error.code == 404 {
                    // Events expire on the server (after an hour by default); start a new one.
                    event.metadata.resourceVersion = nil
                    correlator.written(try await client.create(event), key: key)
                }
            }
        } catch {
            logger.warning("""
                dropped event \(event.reason ?? "") for \(event.involvedObject.kind ?? "") \
                \(event.involvedObject.namespace.map { $0 + "/" } ?? "")\(event.involvedObject.name ?? ""): \(error)
                """)
        }
    }
}

/// Event object names: `<object name>.<hex nanoseconds>` as client-go, made strictly increasing
/// within the process so that two events in the same nanosecond (routine on a manual clock) do
/// not collide.
enum EventNames {
    private static let last = Mutex<UInt64>(0)

    static func unique(for objectName: String, at time: Time) -> String {
        let nanos = UInt64(clamping: time.secondsSinceEpoch) &* 1_000_000_000 &+ UInt64(time.nanoseconds)
        let suffix = last.withLock { last -> UInt64 in
            last = max(nanos, last &+ 1)
            return last
        }
        return objectName + "." + String(suffix, radix: 16)
    }
}

/// Counts events in and out of the writer, so ``EventRecorder/flush()`` can wait for exactly
/// the events recorded before it.
final class EventWriteProgress: Sendable {
    private struct State {
        var enqueued: UInt64 = 0
        var completed: UInt64 = 0
        var closed = false
        var waiters: [(target: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Enqueues under the lock, so the count only includes events the writer will see.
    func enqueue(_ event: Event, on queue: AsyncStream<Event>.Continuation) -> Bool {
        state.withLock { s in
            guard case .enqueued = queue.yield(event) else { return false }
            s.enqueued += 1
            return true
        }
    }

    func completeOne() {
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.completed += 1
            let completed = s.completed
            let ready = s.waiters.filter { $0.target <= completed }.map(\.continuation)
            s.waiters.removeAll { $0.target <= completed }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    func close() {
        let waiting = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.closed = true
            defer { s.waiters = [] }
            return s.waiters.map(\.continuation)
        }
        for waiter in waiting { waiter.resume() }
    }

    func waitForCompletion() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.closed || s.completed >= s.enqueued { return true }
                s.waiters.append((s.enqueued, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }
}
