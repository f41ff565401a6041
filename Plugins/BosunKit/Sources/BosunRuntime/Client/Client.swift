import BosunKit
import BosunStore

/// Reads and writes objects of any ``Resource`` kind, with kube-apiserver's semantics.
///
/// Two implementations share this contract: ``StoreClient`` in-process over an ``ObjectStore``,
/// and a remote client over HTTP to any Kubernetes API server. Failures are ``APIError``s with
/// Kubernetes' codes and reasons (404 NotFound, 409 Conflict, 410 Expired, 422 Invalid, ...);
/// a closed watch throws whatever ended it.
///
/// Controllers get a ``CachedClient`` from their manager: the same protocol, with reads served
/// from the shared informer caches where one exists.
public protocol Client: Sendable {
    /// One object, or 404.
    func get<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T

    /// Objects in one namespace (or all, with `nil`), filtered by `options`' selectors, paged by
    /// `options.limit` and `options.continueToken`.
    func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ListResult<T>

    /// A page of objects as stored: their JSON bytes and the facts selectors and indexes need,
    /// without decoding them. Informers list with this.
    func listObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectList

    /// Changes after `options.resourceVersion` (or the current objects as ADDED first, when it
    /// is unset), in order, undecoded; bookmarks when `options.allowWatchBookmarks`.
    func watchObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectEvents

    /// Creates `object` (in `object.metadata.namespace` for namespaced kinds).
    func create<T: Resource>(_ object: T, options: WriteOptions) async throws -> T

    /// Replaces `object`; with `subresource: "status"`, only its status. A set
    /// `metadata.resourceVersion` must be current (409 otherwise).
    func update<T: Resource>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T

    /// Patches an object or its subresource with any of the four patch types.
    func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> T

    /// Deletes an object; the result says whether it is gone or kept by finalizers.
    func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteResult<T>

    /// Assigns a pod to a node through `pods/binding`: sets `spec.nodeName` and `PodScheduled`.
    /// 409 if the pod is already assigned or being deleted. What a scheduler's binder calls.
    func bind(_ binding: Binding, namespace: String, options: WriteOptions) async throws -> Pod

    /// The `/scale` subresource.
    func scale<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> Scale

    /// Writes the `/scale` subresource.
    func updateScale<T: Resource>(_ type: T.Type, namespace: String?, scale: Scale, options: WriteOptions) async throws -> Scale

    // MARK: Any resource, by descriptor (the dynamic client)

    /// Every resource the server serves, built-in and custom, one descriptor per group and
    /// resource: what discovery reports. Controllers that handle every kind (the garbage
    /// collector, the namespace controller) start from this.
    func serverResources() async throws -> [ResourceDescriptor]

    /// One object of any served resource, undecoded, or 404.
    func getObject(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> StoredObject

    /// Patches an object of any served resource (JSON Patch or JSON Merge Patch for custom
    /// resources; strategic merge too for built-in ones).
    func patchObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> StoredObject

    /// Deletes an object of any served resource; the outcome says whether it is gone or kept by
    /// finalizers (or a grace period).
    func deleteObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteOutcome
}

/// A page of a typed list.
public struct ListResult<T: Resource>: Sendable {
    public var items: [T]
    /// The list's resourceVersion: watch from here to see every later change.
    public var resourceVersion: String
    /// Pass as `ListOptions.continueToken` for the next page; `nil` on the last page.
    public var continueToken: String?

    public init(items: [T], resourceVersion: String, continueToken: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

/// What a delete did.
public enum DeleteResult<T: Resource>: Sendable {
    /// The object is gone; this was its last state.
    case deleted(T)
    /// Finalizers (or a pod's grace period) keep the object, now with `deletionTimestamp` set.
    case pending(T)

    public var object: T {
        switch self {
        case .deleted(let o), .pending(let o): o
        }
    }
}

// MARK: Conveniences every client gets

extension Client {
    /// Changes after `options.resourceVersion` (or the current objects as ADDED first, when it
    /// is unset), decoded, in order; bookmarks when `options.allowWatchBookmarks`.
    public func watch<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> WatchEvents<T> {
        let events = try await watchObjects(T.resource, namespace: namespace, options: options)
        return WatchEvents(
            next: {
                // The iteration state lives in the watch itself; an iterator is only a handle.
                var iterator = events.makeAsyncIterator()
                guard let event = try await iterator.next() else { return nil }
                let object: T? = try event.object.map { try $0.decode(as: T.self) }
                return WatchEvent(type: event.type, object: object, resourceVersion: String(event.resourceVersion))
            },
            cancel: { events.cancel() })
    }

    public func get<T: Resource>(_ type: T.Type, _ key: ObjectName) async throws -> T {
        try await get(type, namespace: key.namespace, name: key.name)
    }

    /// The object, or `nil` when it does not exist.
    public func getIfPresent<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T? {
        do {
            return try await get(type, namespace: namespace, name: name)
        } catch let error as APIError where error.code == 404 {
            return nil
        }
    }

    /// Every object across all pages.
    public func listAll<T: Resource>(_ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> [T] {
        try await list(type, namespace: namespace, options: options).items
    }

    public func create<T: Resource>(_ object: T) async throws -> T {
        try await create(object, options: WriteOptions())
    }

    public func update<T: Resource>(_ object: T) async throws -> T {
        try await update(object, subresource: nil, options: WriteOptions())
    }

    /// Writes only the status of `object` (its `/status` subresource).
    public func updateStatus<T: Resource>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await update(object, subresource: "status", options: options)
    }

    public func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, _ patchType: PatchType, _ patch: JSONValue,
        subresource: String? = nil
    ) async throws -> T {
        try await self.patch(type, namespace: namespace, name: name, patchType: patchType, patch: patch,
                             subresource: subresource, options: WriteOptions())
    }

    /// Server-side apply of `object` as `fieldManager`.
    public func apply<T: Resource>(_ object: T, fieldManager: String, subresource: String? = nil) async throws -> T {
        try await patch(T.self, namespace: object.metadata.namespace, name: object.name, patchType: .apply,
                        patch: object.jsonValue(), subresource: subresource,
                        options: WriteOptions(fieldManager: fieldManager))
    }

    @discardableResult
    public func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions = DeleteOptions()
    ) async throws -> DeleteResult<T> {
        try await delete(type, namespace: namespace, name: name, options: options, writeOptions: WriteOptions())
    }

    /// Deletes `object`, on the condition that it is still the object with this uid.
    @discardableResult
    public func delete<T: Resource>(_ object: T, options: DeleteOptions = DeleteOptions()) async throws -> DeleteResult<T> {
        var options = options
        if options.preconditions == nil, let uid = object.metadata.uid {
            options.preconditions = Preconditions(uid: uid)
        }
        return try await delete(T.self, namespace: object.metadata.namespace, name: object.name, options: options,
                                writeOptions: WriteOptions())
    }
}

/// A namespace and name: what a reconcile request carries.
public struct ObjectName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String

    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// Parses `namespace/name` or `name`.
    public init(_ key: String) {
        if let slash = key.firstIndex(of: "/") {
            namespace = String(key[..<slash])
            name = String(key[key.index(after: slash)...])
        } else {
            namespace = ""
            name = key
        }
    }

    /// The name of `object`.
    public init(of object: some Resource) {
        self.init(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { namespace.isEmpty ? name : namespace + "/" + name }

    public static func < (a: ObjectName, b: ObjectName) -> Bool {
        a.namespace != b.namespace ? a.namespace < b.namespace : a.name < b.name
    }
}

extension ResourceDescriptor {
    /// The group and plural that name this resource in the store and in URLs.
    public var resourceKey: GroupResource { GroupResource(group: group, resource: plural) }
}
