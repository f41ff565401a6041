import BosunKit
import BosunStore

/// The client controllers use: reads come from a shared informer cache when one holds the
/// kind and namespace, writes go to the API and are then shown by the caches at once.
///
/// - A read never starts an informer. Without one covering the kind (unfiltered, in that
///   namespace or all), the read goes to the API server; acquire an informer through the
///   manager (or `owns`/`watches` in a builder) to make reads of a kind cached.
/// - Read-your-writes: after a create, update, patch or delete returns, cached reads return
///   that write or something newer, even before the watch delivers it.
/// - Cached values are shared, immutable Swift values: reading one copies nothing.
/// - Lists with `limit`, `continueToken` or `resourceVersion` options go to the API server, as
///   do reads by descriptor (`getObject`, `listObjects`, `watchObjects`); writes by descriptor
///   are shown by the typed caches of their resource like any other write.
public struct CachedClient: Client {
    /// The uncached client writes (and uncovered reads) go to.
    public let api: any Client
    public let informers: InformerRegistry

    public init(api: any Client, informers: InformerRegistry) {
        self.api = api
        self.informers = informers
    }

    public func get<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T {
        let ns = T.resource.namespaced ? (namespace ?? "") : ""
        if let informer = informers.covering(T.self, namespace: ns), informer.hasSynced {
            guard let object = informer.get(ObjectName(namespace: ns, name: name)) else {
                throw APIError.notFound(T.resource.resourceKey, name)
            }
            return object
        }
        return try await api.get(type, namespace: namespace, name: name)
    }

    public func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ListResult<T> {
        let paged = options.limit > 0 || options.continueToken != nil || options.resourceVersion != nil
        if !paged, options.fieldSelector.isEmpty, let informer = informers.covering(T.self, namespace: namespace),
           informer.hasSynced {
            let items = informer.list(namespace: namespace, labelSelector: options.labelSelector)
            return ListResult(items: items, resourceVersion: informer.lastSyncResourceVersion)
        }
        return try await api.list(type, namespace: namespace, options: options)
    }

    public func listObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try await api.listObjects(resource, namespace: namespace, options: options)
    }

    public func watchObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectEvents {
        try await api.watchObjects(resource, namespace: namespace, options: options)
    }

    public func create<T: Resource>(_ object: T, options: WriteOptions) async throws -> T {
        let created = try await api.create(object, options: options)
        if !options.dryRun { informers.recordWrite(created) }
        return created
    }

    public func update<T: Resource>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        var options = options
        // The version this update is based on, as the cache holds it decoded: the in-process
        // store then need not decode its own copy (the cache's values are the store's writes).
        if let version = object.metadata.resourceVersion,
           let base = informers.covering(T.self, namespace: object.metadata.namespace)?.decodedValue(ObjectName(of: object)),
           base.metadata.resourceVersion == version {
            options.readBase = base
        }
        let updated = try await api.update(object, subresource: subresource, options: options)
        if !options.dryRun { informers.recordWrite(updated) }
        return updated
    }

    public func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> T {
        let patched = try await api.patch(type, namespace: namespace, name: name, patchType: patchType, patch: patch,
                                          subresource: subresource, options: options)
        if !options.dryRun { informers.recordWrite(patched) }
        return patched
    }

    public func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteResult<T> {
        let result = try await api.delete(type, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
        if !writeOptions.dryRun {
            switch result {
            case .deleted(let last):
                informers.recordDelete(T.self, ObjectName(of: last), resourceVersion: last.numericResourceVersion)
            case .pending(let kept):
                informers.recordWrite(kept)
            }
        }
        return result
    }

    public func serverResources() async throws -> [ResourceDescriptor] {
        try await api.serverResources()
    }

    /// Always read from the API server: caches are typed, and this read is not.
    public func getObject(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> StoredObject {
        try await api.getObject(resource, namespace: namespace, name: name)
    }

    public func patchObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> StoredObject {
        let patched = try await api.patchObject(resource, namespace: namespace, name: name, patchType: patchType, patch: patch,
                                                subresource: subresource, options: options)
        if !options.dryRun { informers.recordWrite(patched) }
        return patched
    }

    public func deleteObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteOutcome {
        let outcome = try await api.deleteObject(resource, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
        if !writeOptions.dryRun {
            switch outcome {
            case .deleted(let last):
                informers.recordDelete(resource.resourceKey, last.key.nameKey, resourceVersion: last.resourceVersion)
            case .pending(let kept):
                informers.recordWrite(kept)
            }
        }
        return outcome
    }

    public func bind(_ binding: Binding, namespace: String, options: WriteOptions) async throws -> Pod {
        let pod = try await api.bind(binding, namespace: namespace, options: options)
        if !options.dryRun { informers.recordWrite(pod) }
        return pod
    }

    public func scale<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> Scale {
        try await api.scale(type, namespace: namespace, name: name)
    }

    public func updateScale<T: Resource>(_ type: T.Type, namespace: String?, scale: Scale, options: WriteOptions) async throws -> Scale {
        // The scaled object's new state is not in the response; the watch brings it.
        try await api.updateScale(type, namespace: namespace, scale: scale, options: options)
    }
}
