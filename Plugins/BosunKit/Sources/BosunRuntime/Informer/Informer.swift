import BosunKit
import BosunStore
import Logging
import Synchronization

/// A cache of the objects of one kind in one scope (namespace, selectors), kept current by a list
/// and then a watch, and a fan-out of their changes to handlers.
///
/// Informers are made and shared by an ``InformerRegistry``: every controller that asks for the
/// same kind and scope gets the same informer, and it stops when the last of them lets go.
///
/// Guarantees:
/// - Handlers see every change after the initial list, in resourceVersion order. After a watch
///   error they see the changes they missed; after 410 Expired a relist delivers what changed
///   and deletes what vanished.
/// - A handler added at any moment — before the list, half-way through it, or later — first
///   gets every cached object as an initial add, then every later change: none missed, none
///   twice. (Informers are shared: a controller registered after another has started the list
///   must still see the whole of it.)
/// - A relist pages through the objects (``pageSize`` at a time) and updates the cache in
///   place, so memory never holds two copies of the cache.
/// - A watch that stays silent (not even a bookmark) for ``inactivityTimeout`` is restarted from
///   the last resourceVersion: a dead connection cannot freeze the cache.
/// - Reads hand out the cached values themselves: no deep copies.
/// - A write made through a ``CachedClient`` is visible to reads as soon as the write returns,
///   before the watch delivers it (read-your-writes).
public final class Informer<T: Resource>: Sendable {
    public let namespace: String?
    public let labelSelector: Selector
    public let fieldSelector: FieldSelector
    /// Objects per list page during a (re)list.
    public let pageSize: Int
    /// How long a watch may stay silent before it is restarted.
    public let inactivityTimeout: Duration

    private let client: any Client
    private let clock: any RuntimeClock
    private let logger: Logger
    private let state: Mutex<State>
    /// Handlers, behind their own lock so delivery is ordered without holding the cache's.
    private let handlers = Mutex(Handlers())
    private let eventsSeen = Atomic<Int>(0)

    private struct State {
        var cache: InformerCache<T>
        var synced = false
        var syncWaiters: [CheckedContinuation<Void, Never>] = []
        var resourceVersion = ""
        var task: Task<Void, Never>?
        var stopped = false
    }

    private struct Handlers {
        var byID: [Int: InformerHandler<T>] = [:]
        var nextID = 0
    }

    init(
        client: any Client, clock: any RuntimeClock, logger: Logger, namespace: String?,
        labelSelector: Selector, fieldSelector: FieldSelector, pageSize: Int = 500,
        inactivityTimeout: Duration = .seconds(300), decodedCapacity: Int = 8192
    ) {
        self.client = client
        self.clock = clock
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.inactivityTimeout = inactivityTimeout
        var logger = logger
        logger[metadataKey: "informer"] = "\(T.resource.groupResource)"
        self.logger = logger
        state = Mutex(State(cache: InformerCache(decodedCapacity: decodedCapacity)))
    }

    // MARK: Reads

    /// The cached object, or `nil`.
    public func get(_ name: ObjectName) -> T? {
        resolve(state.withLock { $0.cache.lookup(name) })
    }

    public func get(namespace: String? = nil, name: String) -> T? {
        get(ObjectName(namespace: namespace ?? "", name: name))
    }

    /// The uid of the cached object named `name`, or `nil` when none is cached: what an owner
    /// reference is checked against ("is it still that object?"), without decoding or copying
    /// the object, as ``get(_:)`` would.
    public func uid(_ name: ObjectName) -> String? {
        state.withLock { $0.cache.uid(name) }
    }

    /// Cached objects in `namespace` (or all) whose labels match `selector`.
    public func list(namespace: String? = nil, labelSelector selector: Selector = .everything) -> [T] {
        let found = state.withLock { s in
            s.cache.lookups(namespace: namespace) { selector.isEmpty || selector.matches($0) }
        }
        return found.compactMap(resolve)
    }

    /// Cached objects whose index `index` maps them to `value`.
    public func byIndex(_ index: String, _ value: String) -> [T] {
        state.withLock { $0.cache.lookups(index: index, value: value) }.compactMap(resolve)
    }

    /// Adds an index (a no-op if one with this name exists), indexing what is cached already.
    public func addIndexer(_ name: String, _ function: @escaping IndexFunction<T>) {
        state.withLock { $0.cache.addIndexer(name, function, decode: { self.decode($0) }) }
    }

    /// How many cached objects are also held decoded.
    public var decodedCount: Int { state.withLock { $0.cache.decodedCount } }

    /// The typed value of a lookup, decoding (and remembering) it if needed.
    private func resolve(_ lookup: InformerCache<T>.Lookup) -> T? {
        switch lookup {
        case .value(let value): return value
        case .missing: return nil
        case .stored(let stored):
            guard let value = decode(stored) else { return nil }
            state.withLock { $0.cache.memoize(value, stored) }
            return value
        }
    }

    private func decode(_ stored: StoredObject) -> T? {
        do {
            return try stored.decode(as: T.self)
        } catch {
            logger.error("cached object does not decode", metadata: ["object": "\(stored.key.path)", "error": "\(error)"])
            return nil
        }
    }

    /// How many objects are cached.
    public var count: Int { state.withLock { $0.cache.count } }

    /// Whether the initial list has been loaded.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// The last resourceVersion the cache caught up with.
    public var lastSyncResourceVersion: String { state.withLock { $0.resourceVersion } }

    /// Waits for the initial list.
    public func waitForSync() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.synced || s.stopped { return true }
                s.syncWaiters.append(c)
                return false
            }
            if ready { c.resume() }
        }
    }

    // MARK: Handlers

    /// Registers `handler`. It first receives every cached object as an initial add — also
    /// while the initial list is still loading: the handler then gets what the list delivered so
    /// far, and the rest as it comes. Returns an id for ``removeHandler(_:)``.
    ///
    /// Every change to the cache is made and delivered under the handlers' lock (see
    /// ``change(_:)``), so the snapshot taken here holds exactly what the other handlers have
    /// seen: nothing is missed and nothing is delivered twice.
    @discardableResult
    public func addHandler(_ handler: @escaping InformerHandler<T>) -> Int {
        handlers.withLock { h in
            let id = h.nextID
            h.nextID += 1
            h.byID[id] = handler
            let current = state.withLock { $0.cache.lookups(namespace: nil) { _ in true } }
            for object in current.compactMap(resolve) { handler(InformerEvent(.added(object), isInitial: true)) }
            return id
        }
    }

    public func removeHandler(_ id: Int) {
        handlers.withLock { _ = $0.byID.removeValue(forKey: id) }
    }

    /// Changes the cache with `body` and delivers the event it returns, as one step for
    /// ``addHandler(_:)``: a handler registered meanwhile sees the object either in its initial
    /// snapshot or in this event, never neither (a shared informer's list was half delivered when
    /// a later controller's handler came, and that controller never saw the first half) and
    /// never both.
    private func change(_ body: () -> InformerEvent<T>?) {
        handlers.withLock { h in
            guard let event = body() else { return }
            for handler in h.byID.values { handler(event) }
        }
    }

    /// The object's value if the cache holds it decoded (a recent change, read or own write);
    /// `nil` rather than decoding.
    func decodedValue(_ name: ObjectName) -> T? {
        state.withLock { s in
            if case .value(let value) = s.cache.lookup(name) { return value }
            return nil
        }
    }

    // MARK: Own writes

    func recordWrite(_ object: T) {
        guard admits(object) else { return }
        state.withLock { $0.cache.recordWrite(object) }
    }

    /// ``recordWrite(_:)`` for a write that returned the object undecoded.
    func recordWrite(stored: StoredObject) {
        guard let value = decode(stored) else { return }
        recordWrite(value)
    }

    func recordDelete(_ name: ObjectName, resourceVersion: Int64) {
        state.withLock { $0.cache.recordDelete(name, resourceVersion: resourceVersion) }
    }

    /// Whether `object` is in this informer's scope, as far as the object itself tells.
    func admits(_ object: T) -> Bool {
        if let namespace, namespace != (object.metadata.namespace ?? "") { return false }
        return labelSelector.isEmpty || labelSelector.matches(object.metadata.labels ?? [:])
    }

    // MARK: Running

    /// Starts listing and watching in a task of its own.
    func start() {
        state.withLock { s in
            guard s.task == nil, !s.stopped else { return }
            s.task = Task { await self.run() }
        }
    }

    /// Stops the watch and wakes anyone waiting for the sync. The cache stays readable.
    func stop() {
        let (task, waiters) = state.withLock { s -> (Task<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            s.stopped = true
            defer { s.syncWaiters.removeAll() }
            return (s.task, s.syncWaiters)
        }
        task?.cancel()
        for waiter in waiters { waiter.resume() }
    }

    private func run() async {
        var needsList = true
        var retry = InformerRetry()
        while !Task.isCancelled {
            var seenBeforeWatch: Int?
            do {
                if needsList {
                    try await relist()
                    needsList = false
                }
                seenBeforeWatch = eventsSeen.load(ordering: .relaxed)
                try await watchOnce()
                retry.succeeded()
            } catch is CancellationError {
                return
            } catch let error as APIError where error.code == 410 {
                logger.debug("watch expired; relisting", metadata: ["error": "\(error.message)"])
                needsList = true
            } catch {
                let progressed = seenBeforeWatch.map { eventsSeen.load(ordering: .relaxed) != $0 } ?? false
                let delay = retry.delay(afterFailureWithProgress: progressed)
                logger.warning("list/watch failed; retrying", metadata: ["error": "\(error)", "failures": "\(retry.failures)"])
                if delay > .zero {
                    do { try await clock.sleep(for: delay) } catch { return }
                }
            }
        }
    }

    /// Loads every object page by page, updating the cache in place, then drops what is gone.
    /// Objects whose resourceVersion did not change are neither decoded nor delivered again.
    private func relist() async throws {
        var options = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize)
        var seen = Set<ObjectName>()
        var listVersion: Int64?
        repeat {
            try Task.checkCancellation()
            let page = try await client.listObjects(T.resource, namespace: namespace, options: options)
            if listVersion == nil { listVersion = page.resourceVersion }
            for stored in page.items {
                let name = stored.key.nameKey
                seen.insert(name)
                let unchanged = state.withLock { $0.cache.objects[name]?.resourceVersion == stored.resourceVersion }
                if unchanged { continue }
                guard let value = decode(stored) else { continue }
                change {
                    guard let old = state.withLock({ $0.cache.upsert(stored, value) }) else {
                        return InformerEvent(.added(value), isInitial: true)
                    }
                    return InformerEvent(.updated(old: old.value ?? decode(old.stored) ?? value, new: value), isInitial: true)
                }
            }
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        let version = listVersion ?? 0
        let vanished = state.withLock { s in s.cache.objects.keys.filter { !seen.contains($0) } }
        for name in vanished {
            change {
                guard let old = state.withLock({ $0.cache.remove(name, resourceVersion: version) }),
                      let value = old.value ?? decode(old.stored) else { return nil }
                return InformerEvent(.deleted(value))
            }
        }
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.resourceVersion = String(version)
            s.cache.advance(to: version)
            s.synced = true
            defer { s.syncWaiters.removeAll() }
            return s.syncWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Watches from the last resourceVersion until the watch ends or goes silent.
    private func watchOnce() async throws {
        let options = ListOptions(
            labelSelector: labelSelector, fieldSelector: fieldSelector,
            resourceVersion: state.withLock { $0.resourceVersion }, allowWatchBookmarks: true)
        let watch = try await client.watchObjects(T.resource, namespace: namespace, options: options)
        let watchdog = Task { [clock, inactivityTimeout] in
            while true {
                let before = self.eventsSeen.load(ordering: .relaxed)
                do { try await clock.sleep(for: inactivityTimeout) } catch { return }
                if self.eventsSeen.load(ordering: .relaxed) == before {
                    watch.cancel()
                    return
                }
            }
        }
        defer {
            watchdog.cancel()
            watch.cancel()
        }
        for try await event in watch {
            eventsSeen.add(1, ordering: .relaxed)
            apply(event)
        }
        try Task.checkCancellation()
    }

    private func apply(_ event: StoreEvent) {
        let version = String(event.resourceVersion)
        switch event.type {
        case .bookmark:
            state.withLock { s in
                s.resourceVersion = version
                s.cache.advance(to: event.resourceVersion)
            }
        case .added, .modified:
            guard let stored = event.object else { return }
            guard let value = event.typed(as: T.self) ?? decode(stored) else {
                state.withLock { s in
                    s.resourceVersion = version
                    s.cache.advance(to: event.resourceVersion)
                }
                return
            }
            change {
                let old = state.withLock { s -> (stored: StoredObject, value: T?)? in
                    s.resourceVersion = version
                    s.cache.advance(to: event.resourceVersion)
                    return s.cache.upsert(stored, value)
                }
                guard let old else { return InformerEvent(.added(value)) }
                return InformerEvent(.updated(old: old.value ?? decode(old.stored) ?? value, new: value))
            }
        case .deleted:
            guard let stored = event.object else { return }
            change {
                let old = state.withLock { s -> (stored: StoredObject, value: T?)? in
                    s.resourceVersion = version
                    s.cache.advance(to: event.resourceVersion)
                    return s.cache.remove(stored.key.nameKey, resourceVersion: event.resourceVersion)
                }
                return (old?.value ?? decode(old?.stored ?? stored)).map { InformerEvent(.deleted($0)) }
            }
        }
    }
}
