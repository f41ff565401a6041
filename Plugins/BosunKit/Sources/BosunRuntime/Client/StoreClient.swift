import BosunKit
import BosunStore

/// The in-process ``Client``: calls the ``ObjectStore`` directly, through the same admission
/// chain the HTTP API uses. Creates and updates stay typed (see ``ObjectStore/create(_:options:)``):
/// the object is encoded once and comes back without being decoded.
public struct StoreClient: Client {
    public let store: ObjectStore

    public init(store: ObjectStore) {
        self.store = store
    }

    public func get<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T {
        try decode(store.get(T.resource.resourceKey, namespace: namespace, name: name))
    }

    public func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ListResult<T> {
        let page = try store.list(T.resource.resourceKey, namespace: namespace, options: options)
        var items: [T] = []
        items.reserveCapacity(page.items.count)
        for object in page.items { items.append(try decode(object)) }
        return ListResult(items: items, resourceVersion: String(page.resourceVersion), continueToken: page.continueToken)
    }

    public func listObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try store.list(resource.resourceKey, namespace: namespace, options: options)
    }

    public func watchObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectEvents {
        // Informers take typed values from events rather than decode the JSON.
        ObjectEvents(try store.watch(resource.resourceKey, namespace: namespace, options: options, typedObjects: true))
    }

    public func create<T: Resource>(_ object: T, options: WriteOptions) async throws -> T {
        try await store.create(object, options: options).object
    }

    public func update<T: Resource>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        try await store.update(object, subresource: subresource, options: options).object
    }

    public func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> T {
        try decode(await store.patch(T.resource.resourceKey, namespace: namespace, name: name, type: patchType,
                                     patch: patch, subresource: subresource, options: options))
    }

    public func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteResult<T> {
        switch try await store.delete(T.resource.resourceKey, namespace: namespace, name: name, options: options,
                                      writeOptions: writeOptions) {
        case .deleted(let last): .deleted(try decode(last))
        case .pending(let kept): .pending(try decode(kept))
        }
    }

    public func bind(_ binding: Binding, namespace: String, options: WriteOptions) async throws -> Pod {
        try decode(await store.bind(namespace: namespace, binding: binding, options: options))
    }

    public func scale<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> Scale {
        try store.scale(T.resource.resourceKey, namespace: namespace, name: name)
    }

    public func updateScale<T: Resource>(_ type: T.Type, namespace: String?, scale: Scale, options: WriteOptions) async throws -> Scale {
        try await store.updateScale(T.resource.resourceKey, namespace: namespace, scale: scale, options: options)
    }

    public func serverResources() async throws -> [ResourceDescriptor] {
        store.servedResources
    }

    public func getObject(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> StoredObject {
        try store.get(resource.resourceKey, namespace: namespace, name: name)
    }

    public func patchObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> StoredObject {
        try await store.patch(resource.resourceKey, namespace: namespace, name: name, type: patchType, patch: patch,
                              subresource: subresource, options: options)
    }

    public func deleteObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteOutcome {
        try await store.delete(resource.resourceKey, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
    }

    private func decode<T: Resource>(_ object: StoredObject) throws -> T {
        do {
            return try object.decode(as: T.self)
        } catch {
            throw APIError.internal("decoding \(T.kind) \(object.key.path): \(error)")
        }
    }
}
