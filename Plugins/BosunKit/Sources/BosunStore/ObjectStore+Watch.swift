import BosunKit
import Synchronization

extension ObjectStore {
    /// Watches a resource (in one namespace, or all when `namespace` is `nil`).
    ///
    /// - `options.resourceVersion` unset or `"0"`: ADDED events for the current matching objects,
    ///   then every later change.
    /// - a specific resourceVersion: every change after it, replayed from history in order with
    ///   no gap and no duplicate; older than the history → 410 Expired.
    ///
    /// With selectors, an object entering the selection arrives as ADDED and one leaving it as
    /// DELETED, as kube-apiserver's watch cache does.
    ///
    /// With `typedObjects`, ADDED and MODIFIED events of typed writes also carry the typed value
    /// the write stored (``StoreEvent/typed(as:)``), for consumers that would otherwise decode
    /// the object (in-process clients' informers). Events hold that value until consumed, so
    /// watchers that only pass the JSON on (the API server's) go without.
    public func watch(
        _ resource: GroupResource, namespace: String? = nil, options: ListOptions = ListOptions(), typedObjects: Bool = false
    ) throws(APIError) -> WatchStream {
        _ = try served(resource)
        let requested: Int64?
        switch options.resourceVersion {
        case nil, "", "0": requested = nil
        case let text?:
            guard let v = Int64(text), v >= 0 else {
                throw APIError(code: 400, reason: .badRequest, message: "invalid resource version \"\(text)\"")
            }
            requested = v
        }
        return try state.withLock { (s: inout StoreState) throws(APIError) -> WatchStream in
            if s.closed { throw APIError(code: 503, reason: .serviceUnavailable, message: "the store is closed") }
            let id = s.nextWatcherID
            s.nextWatcherID += 1
            let stream = WatchStream(id: id, capacity: watchBufferSize) { [weak self] id in
                self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
            }
            let registration = WatchRegistration(stream: stream, resource: resource, namespace: namespace, options: options, typedObjects: typedObjects)
            if let requested {
                guard requested >= s.evictedThrough else {
                    throw APIError.expired("too old resource version: \(requested) (\(s.evictedThrough + 1))")
                }
                for change in s.changes(after: requested) where change.key.resource == resource {
                    if let event = Self.event(for: change, registration) { _ = stream.offer(event) }
                }
            } else {
                let initial = (s.tables[resource] ?? [:]).values
                    .filter { (namespace == nil || $0.key.namespace == namespace) && options.matches($0) }
                    .sorted { $0.key < $1.key }
                for object in initial {
                    _ = stream.offer(StoreEvent(type: .added, object: object, resourceVersion: object.resourceVersion))
                }
            }
            s.watchers[id] = registration
            return stream
        }
    }

    /// Sends a BOOKMARK with the current resourceVersion to every watch that asked for them.
    /// `bosun up` calls this periodically; tests call it directly.
    public func sendBookmarks() {
        state.withLock { s in
            for (id, w) in s.watchers where w.options.allowWatchBookmarks {
                if !w.stream.offer(StoreEvent(type: .bookmark, object: nil, resourceVersion: s.revision)) {
                    s.watchers[id] = nil
                }
            }
        }
    }

    /// The number of open watches (for metrics and tests).
    public var watchCount: Int { state.withLock { $0.watchers.count } }

    /// Offers a change to every watcher it concerns; consumers waiting for an event are added to
    /// `wakeups`, to be resumed once the store's lock is released.
    func deliver(_ change: StoreChange, in s: inout StoreState, wakeups: inout Wakeups) {
        for (id, w) in s.watchers where w.resource == change.key.resource {
            guard let event = Self.event(for: change, w) else { continue }
            switch w.stream.enqueue(event) {
            case .queued:
                break
            case .handOff(let consumer):
                wakeups.consumers.append((consumer, event))
            case .closed:
                s.watchers[id] = nil
                w.stream.finish(throwing: WatchClosedError.tooSlow(bufferSize: w.stream.capacity))
            }
        }
    }

    /// The event a watcher sees for a change, or `nil` when the change is outside its selection.
    static func event(for change: StoreChange, _ w: WatchRegistration) -> StoreEvent? {
        if let ns = w.namespace, ns != change.key.namespace { return nil }
        let now = change.object.map { w.options.matches($0) } ?? false
        let before = change.previous.map { w.options.matches($0) } ?? false
        switch (before, now) {
        case (false, true):
            var event = StoreEvent(type: .added, object: change.object, resourceVersion: change.revision)
            if w.typedObjects { event.typedObject = change.typed }
            return event
        case (true, true):
            var event = StoreEvent(type: .modified, object: change.object, resourceVersion: change.revision)
            if w.typedObjects { event.typedObject = change.typed }
            return event
        case (true, false):
            // Deleted, or left the selection: the previous content at this change's revision, as
            // kube-apiserver's watch cache sends it.
            let last = change.previous.map { restamp($0, revision: change.revision) }
            return StoreEvent(type: .deleted, object: last, resourceVersion: change.revision)
        case (false, false):
            return nil
        }
    }

    /// The object with `metadata.resourceVersion` set to the revision of its deletion.
    static func restamp(_ object: StoredObject, revision: Int64) -> StoredObject {
        var tree = object.unstructured().object
        tree.setResourceVersion(revision)
        return StoredObject(key: object.key, object: tree, resourceVersion: revision, kind: tree["kind"]?.stringValue ?? "")
    }
}
