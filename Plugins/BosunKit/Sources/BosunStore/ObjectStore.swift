import BosunKit
import Synchronization

/// Kubernetes' object semantics over a ``StorageBackend``: the single source of truth that the
/// API server and in-process clients share.
///
/// The live state is held in memory and written through to the backend; a write returns only
/// after the backend acknowledged it (durably, for a durable backend) and the change is visible
/// to reads and watches — so a caller always reads its own writes. Every change gets the next
/// value of one global resourceVersion, and watches see changes in that order.
public final class ObjectStore: Sendable {
    let backend: any StorageBackend
    let clock: any StoreClock
    let state: Mutex<StoreState>
    let namespaceMirror: NamespaceMirror
    let hooks = Mutex(AdmissionHooks())
    /// The task applying a shared backend's revisions (``StorageBackend/revisions(after:)``).
    let follower = Mutex<Task<Void, Never>?>(nil)
    /// How many changes are kept for watch replay.
    public let historyCapacity: Int
    /// How many events a watcher may fall behind before it is closed.
    public let watchBufferSize: Int

    /// Namespaces that exist from the start, as in every Kubernetes cluster.
    public static let initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Opens a store over `backend`, loading what it holds.
    public static func open(
        backend: any StorageBackend, clock: any StoreClock = SystemStoreClock(),
        historyCapacity: Int = 100_000, watchBufferSize: Int = 10_000
    ) async throws -> ObjectStore {
        let snapshot = try await backend.snapshot()
        let store = ObjectStore(backend: backend, clock: clock, historyCapacity: historyCapacity, watchBufferSize: watchBufferSize)
        try await store.load(snapshot)
        store.follow(after: snapshot.revision)
        try await store.ensureInitialNamespaces()
        return store
    }

    init(backend: any StorageBackend, clock: any StoreClock, historyCapacity: Int, watchBufferSize: Int) {
        self.backend = backend
        self.clock = clock
        self.historyCapacity = historyCapacity
        self.watchBufferSize = watchBufferSize
        namespaceMirror = NamespaceMirror()
        var initial = StoreState(namespaceMirror: namespaceMirror)
        initial.served = ServedResource.builtins
        state = Mutex(initial)
    }

    /// The store's current resourceVersion.
    public var resourceVersion: Int64 { state.withLock { $0.revision } }

    /// Closes every watch and the backend.
    public func close() async {
        let streams = state.withLock { s -> [WatchStream] in
            s.closed = true
            let all = s.watchers.values.map(\.stream)
            s.watchers.removeAll()
            return all
        }
        for stream in streams { stream.finish(throwing: WatchClosedError.storeClosed) }
        let following = follower.withLock { $0.take() }
        following?.cancel()
        await backend.close()
        await following?.value
    }

    // MARK: Loading

    /// Fills memory from the backend. CRDs load first, so their resources are served before their
    /// objects are read; the other objects are parsed in parallel (it dominates restart time) and
    /// then applied in one pass.
    func load(_ snapshot: StorageSnapshot) async throws {
        let crdPrefix = "/registry/apiextensions.k8s.io/customresourcedefinitions/"
        let crds = snapshot.values.filter { $0.key.hasPrefix(crdPrefix) }
        for object in try Self.storedObjects(crds, served: state.withLock { $0.served }) {
            state.withLock { s in
                s.apply(StoreChange(revision: object.resourceVersion, key: object.key, object: object, previous: nil))
                if let crd = try? object.decode(as: CustomResourceDefinition.self) {
                    for served in CRDRegistration.servedResources(for: crd) { s.served[served.groupResource] = served }
                }
            }
        }
        let served = state.withLock { $0.served }
        let others = snapshot.values.filter { !$0.key.hasPrefix(crdPrefix) }
        let chunkSize = max(1, (others.count + 7) / 8)
        let loaded = try await withThrowingTaskGroup(of: [StoredObject].self) { group in
            for start in stride(from: 0, to: others.count, by: chunkSize) {
                let chunk = Array(others[start..<min(start + chunkSize, others.count)])
                group.addTask { try Self.storedObjects(chunk, served: served) }
            }
            return try await group.reduce(into: [StoredObject]()) { $0 += $1 }
        }
        state.withLock { s in
            for object in loaded {
                s.apply(StoreChange(revision: object.resourceVersion, key: object.key, object: object, previous: nil))
            }
            s.revision = snapshot.revision
            s.evictedThrough = snapshot.revision
        }
    }

    /// Parses stored values into store objects; values of resources no longer served are skipped.
    private static func storedObjects(_ values: [StoredValue], served: [GroupResource: ServedResource]) throws -> [StoredObject] {
        var result: [StoredObject] = []
        result.reserveCapacity(values.count)
        for value in values {
            if let object = try storedObject(value, served: served) { result.append(object) }
        }
        return result
    }

    /// Parses one stored value; `nil` when its key is not one of a served resource.
    static func storedObject(_ value: StoredValue, served: [GroupResource: ServedResource]) throws(APIError) -> StoredObject? {
        guard let (key, servedResource) = parseStorageKey(value.key, served: served) else { return nil }
        guard var object = (try? JSONParser.parse(value.value))?.objectValue else {
            throw APIError.internal("stored object \(value.key) is not valid JSON")
        }
        let kind = servedResource.descriptor.kind
        if object.metadataObject["resourceVersion"] == nil {
            // The tree gives the indexed facts; the stored bytes, with the version spliced
            // in, are the object's JSON as it was written, without encoding the tree again.
            return StoredObject(key: key, object: object, encodedWithoutVersion: value.value,
                                resourceVersion: value.modRevision, kind: kind)
        }
        object.setResourceVersion(value.modRevision)
        return StoredObject(key: key, object: object, resourceVersion: value.modRevision, kind: kind)
    }

    static func parseStorageKey(_ key: String, served: [GroupResource: ServedResource]) -> (ObjectKey, ServedResource)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 4, parts[0] == "registry" else { return nil }
        let group = parts[1] == "core" ? "" : String(parts[1])
        let resource = GroupResource(group: group, resource: String(parts[2]))
        guard let servedResource = served[resource] else { return nil }
        if parts.count == 5 {
            return (ObjectKey(resource, namespace: String(parts[3]), name: String(parts[4])), servedResource)
        }
        return (ObjectKey(resource, name: String(parts[3])), servedResource)
    }

    private func ensureInitialNamespaces() async throws {
        for name in Self.initialNamespaces {
            let key = ObjectKey(GroupResource(group: "", resource: "namespaces"), name: name)
            if state.withLock({ $0.object(key) }) != nil { continue }
            let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            var failure: APIError?
            do {
                _ = try await create(key.resource, object: UnstructuredObject(namespace.objectValue!))
            } catch {
                failure = error
            }
            // 409: another control plane sharing the backend made it first; its revision arrives.
            if let failure, failure.code != 409 { throw failure }
        }
    }

    // MARK: Served resources

    func served(_ resource: GroupResource) throws(APIError) -> ServedResource {
        // Every request looks its resource up: built-in ones without taking the store's lock,
        // unless a CRD ever claimed a built-in resource's name.
        if !CRDRegistration.claimedBuiltin.load(ordering: .acquiring), let builtin = ServedResource.builtins[resource] {
            return builtin
        }
        guard let served = state.withLock({ $0.served[resource] }) else {
            throw APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource",
                           details: StatusDetails(group: resource.group, kind: resource.resource))
        }
        return served
    }

    /// The resources this store serves, built-in and custom.
    public var servedResources: [ResourceDescriptor] {
        state.withLock { $0.served.values.map(\.descriptor) }.sorted { $0.groupResource < $1.groupResource }
    }

    /// The descriptor of a served resource, or `nil`.
    public func descriptor(for resource: GroupResource) -> ResourceDescriptor? {
        state.withLock { $0.served[resource]?.descriptor }
    }

    // MARK: Committing

    /// Writes through to the backend, then applies the change in revision order and announces it
    /// to watchers. Returns once the change (and all before it) is visible, with the stored object
    /// (`nil` for a delete) and the change's revision.
    func commit(_ transaction: StorageTransaction, key: ObjectKey, object: JSONObject?, previous: StoredObject?, kind: String) async throws(APIError) -> (StoredObject?, Int64) {
        let revision = try await commitToBackend(transaction, key: key, creating: previous == nil && object != nil)
        var stored: StoredObject?
        if let object {
            // Every write path encodes the object without its resourceVersion for the backend;
            // the stored form reuses those bytes with the version spliced in.
            if case .put(_, let encoded)? = transaction.writes.first, object.metadataObject["resourceVersion"] == nil {
                stored = StoredObject(key: key, object: object, encodedWithoutVersion: encoded, resourceVersion: revision, kind: kind)
            } else {
                var object = object
                object.setResourceVersion(revision)
                stored = StoredObject(key: key, object: object, resourceVersion: revision, kind: kind)
            }
        }
        await publish(StoreChange(revision: revision, key: key, object: stored, previous: previous))
        return (stored, revision)
    }

    /// ``commit(_:key:object:previous:kind:)`` for a typed write: `encoded` is `object`'s JSON
    /// without its resourceVersion (the transaction's value). Returns the stored object and
    /// `object` with its new resourceVersion, which watchers receive along with the JSON when
    /// it is `exact` (decoding the JSON gives it back).
    func commit<R: Resource>(
        _ transaction: StorageTransaction, key: ObjectKey, typed object: consuming R, encoded: [UInt8],
        previous: StoredObject?, exact: Bool = true
    ) async throws(APIError) -> (StoredObject, R) {
        let revision = try await commitToBackend(transaction, key: key, creating: previous == nil)
        let stored = StoredObject(key: key, typed: object, encodedWithoutVersion: encoded, resourceVersion: revision)
        // Taken over, not copied: setting the version then copies no metadata the writer still holds.
        var written = consume object
        written.metadata.resourceVersion = String(revision)
        await publish(StoreChange(revision: revision, key: key, object: stored, previous: previous, typed: exact ? written : nil))
        return (stored, written)
    }

    /// Commits to the backend and returns the transaction's revision, with backend failures as
    /// API errors: a failed comparison is AlreadyExists for a create, Conflict otherwise.
    private func commitToBackend(_ transaction: StorageTransaction, key: ObjectKey, creating: Bool) async throws(APIError) -> Int64 {
        do {
            return try await backend.commit(transaction)
        } catch {
            switch error.code {
            case .comparisonFailed:
                throw creating ? APIError.alreadyExists(key.resource, key.name) : APIError.conflict(key.resource, key.name)
            case .closed: throw APIError(code: 503, reason: .serviceUnavailable, message: "the store is closed")
            case .io: throw APIError.internal("storage: \(error.message)")
            case .unavailable: throw APIError(code: 503, reason: .serviceUnavailable, message: "storage: \(error.message)")
            case .compacted: throw APIError.expired("storage: \(error.message)")
            }
        }
    }

    /// Applies a committed change in revision order and returns once it, and every change
    /// before it, is visible to reads and watches.
    private func publish(_ change: StoreChange) async {
        let revision = change.revision
        let (applied, wakeups) = state.withLock { s -> (Bool, Wakeups) in
            var wakeups = Wakeups()
            if revision <= s.revision {
                // A shared backend's revision feed applied it first (ObjectStore+SharedBackend).
            } else if revision == s.revision + 1 {
                // The usual case: next in order, so it need not wait among the pending ones.
                applyInOrder(change, &s, wakeups: &wakeups)
            } else {
                s.pending[revision] = change
            }
            drainPending(&s, wakeups: &wakeups)
            return (s.revision >= revision, wakeups)
        }
        wakeups.resume()
        if !applied {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if s.revision >= revision { return true }
                    s.waiters[revision, default: []].append(c)
                    return false
                }
                if ready { c.resume() }
            }
        }
    }

    /// Applies pending changes that are next in revision order, fanning each out to watchers.
    func drainPending(_ s: inout StoreState, wakeups: inout Wakeups) {
        while !s.pending.isEmpty, let change = s.pending.removeValue(forKey: s.revision + 1) {
            applyInOrder(change, &s, wakeups: &wakeups)
        }
    }

    /// Applies the change after the store's current revision and fans it out to watchers.
    func applyInOrder(_ change: StoreChange, _ s: inout StoreState, wakeups: inout Wakeups) {
        s.apply(change)
        s.record(change, capacity: historyCapacity)
        deliver(change, in: &s, wakeups: &wakeups)
        if !s.waiters.isEmpty, let waiting = s.waiters.removeValue(forKey: change.revision) {
            wakeups.writers += waiting
        }
    }
}

/// Tasks to resume once a commit has let go of the store's lock: watch consumers waiting for
/// an event, and writers waiting for their change to become visible.
struct Wakeups {
    var consumers: [(CheckedContinuation<StoreEvent?, any Error>, StoreEvent)] = []
    var writers: [CheckedContinuation<Void, Never>] = []

    func resume() {
        for (consumer, event) in consumers { consumer.resume(returning: event) }
        for writer in writers { writer.resume() }
    }
}

extension JSONObject {
    mutating func setResourceVersion(_ revision: Int64) {
        var meta = self["metadata"]?.objectValue ?? JSONObject()
        meta["resourceVersion"] = .string(String(revision))
        self["metadata"] = .object(meta)
    }

    var metadataObject: JSONObject {
        get { self["metadata"]?.objectValue ?? JSONObject() }
        set { self["metadata"] = .object(newValue) }
    }
}

extension GroupResource: Comparable {
    public static func < (a: GroupResource, b: GroupResource) -> Bool {
        a.group != b.group ? a.group < b.group : a.resource < b.resource
    }
}
