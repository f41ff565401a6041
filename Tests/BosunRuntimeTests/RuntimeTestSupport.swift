import BosunKit
import BosunRuntime
import BosunStore
import Synchronization
import Testing

/// Yields until `condition` holds; fails the test (instead of hanging) after many tries. Tests
/// wait on state this way, never on wall-clock sleeps.
func eventually(
    _ what: String = "condition", tries: Int = 2_000_000, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async rethrows {
    for _ in 0..<tries {
        if try await condition() { return }
        await Task.yield()
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}

func makeRuntimeStore(clock: ManualClock = ManualClock(), history: Int = 100_000, watchBuffer: Int = 10_000) async throws -> ObjectStore {
    try await ObjectStore.open(backend: MemoryBackend(), clock: clock, historyCapacity: history, watchBufferSize: watchBuffer)
}

func sampleConfigMap(_ name: String, namespace: String = "default", data: [String: String] = [:], labels: [String: String]? = nil,
               owner: ObjectMeta? = nil, ownerKind: String = "ConfigMap") -> ConfigMap {
    var meta = ObjectMeta(labels: labels, name: name, namespace: namespace)
    if let owner {
        meta.ownerReferences = [OwnerReference(apiVersion: "v1", kind: ownerKind, name: owner.name ?? "", uid: owner.uid ?? "",
                                               controller: true)]
    }
    return ConfigMap(metadata: meta, data: data.isEmpty ? nil : data)
}

/// Collects what a handler receives.
final class EventLog<T: Resource>: Sendable {
    private let events = Mutex<[String]>([])

    var handler: InformerHandler<T> {
        { event in
            let entry: String = switch event.change {
            case .added(let o): "added \(o.name)\(event.isInitial ? " (initial)" : "")"
            case .updated(_, let new): "updated \(new.name)\(event.isInitial ? " (initial)" : "")"
            case .deleted(let o): "deleted \(o.name)"
            }
            self.events.withLock { $0.append(entry) }
        }
    }

    var entries: [String] { events.withLock { $0 } }
}

/// A client that can fail its next watch on purpose, hand out a watch that never speaks, or hold
/// a list call until the test lets it answer.
final class FaultyClient: Client {
    enum WatchFault: Sendable {
        case expired(before: @Sendable () async throws -> Void)
        case silent
    }

    let base: StoreClient
    private let faults = Mutex<[WatchFault]>([])
    private let counts = Mutex<(lists: Int, watches: Int)>((0, 0))
    private let listGates = Mutex<[Int: TestGate]>([:])

    init(_ base: StoreClient) { self.base = base }

    /// The `call`-th list call (from 1) waits at `gate` before it answers.
    func holdList(call: Int, at gate: TestGate) { listGates.withLock { $0[call] = gate } }

    func failNextWatch(_ fault: WatchFault) { faults.withLock { $0.append(fault) } }
    var listCalls: Int { counts.withLock { $0.lists } }
    var watchCalls: Int { counts.withLock { $0.watches } }

    func get<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T {
        try await base.get(type, namespace: namespace, name: name)
    }

    func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ListResult<T> {
        try await base.list(type, namespace: namespace, options: options)
    }

    func listObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectList {
        let call = counts.withLock { c in
            c.lists += 1
            return c.lists
        }
        if let gate = listGates.withLock({ $0[call] }) { await gate.wait() }
        return try await base.listObjects(resource, namespace: namespace, options: options)
    }

    func watchObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectEvents {
        counts.withLock { $0.watches += 1 }
        let fault = faults.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch fault {
        case .expired(let before)?:
            try await before()
            throw APIError.expired("too old resource version")
        case .silent?:
            let ended = Mutex(false)
            return ObjectEvents(next: {
                while !ended.withLock({ $0 }) && !Task.isCancelled { await Task.yield() }
                return nil
            }, cancel: { ended.withLock { $0 = true } })
        case nil:
            return try await base.watchObjects(resource, namespace: namespace, options: options)
        }
    }

    func create<T: Resource>(_ object: T, options: WriteOptions) async throws -> T { try await base.create(object, options: options) }

    func update<T: Resource>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        try await base.update(object, subresource: subresource, options: options)
    }

    func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, patchType: PatchType, patch: JSONValue, subresource: String?,
        options: WriteOptions
    ) async throws -> T {
        try await base.patch(type, namespace: namespace, name: name, patchType: patchType, patch: patch, subresource: subresource, options: options)
    }

    func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteResult<T> {
        try await base.delete(type, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
    }

    func bind(_ binding: Binding, namespace: String, options: WriteOptions) async throws -> Pod {
        try await base.bind(binding, namespace: namespace, options: options)
    }

    func scale<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> Scale {
        try await base.scale(type, namespace: namespace, name: name)
    }

    func updateScale<T: Resource>(_ type: T.Type, namespace: String?, scale: Scale, options: WriteOptions) async throws -> Scale {
        try await base.updateScale(type, namespace: namespace, scale: scale, options: options)
    }

    func serverResources() async throws -> [ResourceDescriptor] { try await base.serverResources() }

    func getObject(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> StoredObject {
        try await base.getObject(resource, namespace: namespace, name: name)
    }

    func patchObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> StoredObject {
        try await base.patchObject(resource, namespace: namespace, name: name, patchType: patchType, patch: patch, subresource: subresource, options: options)
    }

    func deleteObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteOutcome {
        try await base.deleteObject(resource, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
    }
}
