import BosunKit
import BosunRuntime
import Foundation
import NIOCore
import NIOHTTP1

/// BosunRuntime's ``Client`` over HTTPS to any Kubernetes API server — `bosun up`'s or a real
/// cluster's — configured from a kubeconfig. A ``Manager`` built on it runs controllers exactly
/// as on the in-process ``StoreClient``: the same calls, the same objects, and failures as the
/// same ``APIError``s (the server's `Status`), so a controller sees Conflict or NotFound alike.
///
/// ```swift
/// let client = try RemoteClient(kubeconfig: "/path/to/kubeconfig")
/// let manager = Manager(client: client)
/// ...
/// try await client.shutdown()
/// ```
///
/// Call ``shutdown()`` when done: it closes the pooled connections.
public final class RemoteClient: Client {
    public let configuration: RemoteConfiguration
    let transport: HTTPTransport
    /// Watches end on the server's side after a random 5 to 10 minutes, as client-go's reflector
    /// asks (`timeoutSeconds`), so that watchers spread over the servers they talk to; informers
    /// watch again from their last resourceVersion.
    let watchTimeout: ClosedRange<Int64>
    /// How many events a watch holds for a consumer that has not taken them; beyond that the
    /// watch ends with ``WatchClosedError/tooSlow(bufferSize:)`` and the consumer watches again.
    let watchBuffer: Int

    /// A client for `configuration`. `connectTimeout` bounds how long a request keeps trying to
    /// open a connection (a refused connection is retried with backoff until then) before it
    /// fails as 503; `requestTimeout` bounds a whole ordinary request.
    public init(
        _ configuration: RemoteConfiguration, connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60),
        watchTimeout: ClosedRange<Int64> = 300...600, watchBuffer: Int = 10_000
    ) throws {
        self.configuration = configuration
        transport = try HTTPTransport(
            configuration, connectTimeout: Self.timeAmount(connectTimeout), requestTimeout: Self.timeAmount(requestTimeout))
        self.watchTimeout = watchTimeout
        self.watchBuffer = watchBuffer
    }

    /// A client for `context` (the current one when `nil`) of the kubeconfig at `path`.
    public convenience init(kubeconfig path: String, context: String? = nil) throws {
        try self.init(RemoteConfiguration.kubeconfig(at: path, context: context))
    }

    /// Closes every pooled connection; the client serves no request after this.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: Typed

    public func get<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T {
        try decode(try await getObject(T.resource, namespace: namespace, name: name))
    }

    public func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ListResult<T> {
        let page = try await listObjects(T.resource, namespace: namespace, options: options)
        var items: [T] = []
        items.reserveCapacity(page.items.count)
        for object in page.items { items.append(try decode(object)) }
        return ListResult(items: items, resourceVersion: String(page.resourceVersion), continueToken: page.continueToken)
    }

    public func create<T: Resource>(_ object: T, options: WriteOptions) async throws -> T {
        let d = T.resource
        let namespace = d.namespaced ? (object.metadata.namespace ?? configuration.namespace) : nil
        let (_, body) = try await transport.send(
            .POST, ResourcePaths.path(d, namespace: namespace), query: ResourcePaths.writeQuery(options),
            body: object.jsonBytes())
        return try decode(body, as: T.self)
    }

    public func update<T: Resource>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        let d = T.resource
        let path = ResourcePaths.path(d, namespace: object.metadata.namespace, name: object.name, subresource: subresource)
        let (_, body) = try await transport.send(.PUT, path, query: ResourcePaths.writeQuery(options), body: object.jsonBytes())
        return try decode(body, as: T.self)
    }

    public func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> T {
        try decode(try await patchObject(T.resource, namespace: namespace, name: name, patchType: patchType, patch: patch,
                                         subresource: subresource, options: options))
    }

    public func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteResult<T> {
        switch try await deleteObject(T.resource, namespace: namespace, name: name, options: options, writeOptions: writeOptions) {
        case .deleted(let last): .deleted(try decode(last))
        case .pending(let kept): .pending(try decode(kept))
        }
    }

    /// Posts the binding to `pods/<name>/binding`, then reads the pod: the subresource answers
    /// only a `Status`, and callers want the bound pod.
    public func bind(_ binding: Binding, namespace: String, options: WriteOptions) async throws -> Pod {
        let name = binding.metadata.name ?? ""
        _ = try await transport.send(
            .POST, ResourcePaths.path(Pod.resource, namespace: namespace, name: name, subresource: "binding"),
            query: ResourcePaths.writeQuery(options), body: binding.jsonBytes())
        return try await get(Pod.self, namespace: namespace, name: name)
    }

    public func scale<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> Scale {
        let (_, body) = try await transport.send(
            .GET, ResourcePaths.path(T.resource, namespace: namespace, name: name, subresource: "scale"))
        return try decode(body, as: Scale.self)
    }

    public func updateScale<T: Resource>(_ type: T.Type, namespace: String?, scale: Scale, options: WriteOptions) async throws -> Scale {
        let path = ResourcePaths.path(T.resource, namespace: namespace, name: scale.metadata.name ?? "", subresource: "scale")
        let (_, body) = try await transport.send(.PUT, path, query: ResourcePaths.writeQuery(options), body: scale.jsonBytes())
        return try decode(body, as: Scale.self)
    }

    // MARK: Any resource

    public func serverResources() async throws -> [ResourceDescriptor] {
        try await RemoteDiscovery(transport: transport).resources()
    }

    public func getObject(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> StoredObject {
        let (_, body) = try await transport.send(.GET, ResourcePaths.path(resource, namespace: namespace, name: name))
        return try ReceivedObjects.object(body, resource: resource)
    }

    public func listObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectList {
        let (_, body) = try await transport.send(
            .GET, ResourcePaths.path(resource, namespace: namespace), query: ResourcePaths.listQuery(options))
        return try ReceivedObjects.list(body, resource: resource)
    }

    public func watchObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectEvents {
        try await RemoteWatch.open(
            resource, path: ResourcePaths.path(resource, namespace: namespace), options: options, transport: transport,
            timeoutSeconds: Int64.random(in: watchTimeout), buffer: watchBuffer)
    }

    public func patchObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> StoredObject {
        let path = ResourcePaths.path(resource, namespace: namespace, name: name, subresource: subresource)
        let (_, body) = try await transport.send(
            .PATCH, path, query: ResourcePaths.writeQuery(options), body: JSONWriter.encode(patch),
            contentType: patchType.rawValue)
        return try ReceivedObjects.object(body, resource: resource)
    }

    /// Deletes through `DELETE` with the options as the body, as kubectl sends them.
    ///
    /// kube-apiserver answers a delete that removed the object with a `Status` for most kinds,
    /// not the object; so the object is read first, and the delete is conditioned on its uid
    /// (unless the caller set preconditions) so that what is returned as the last state is at
    /// least the same object. A delete that left the object (finalizers, a grace period) is
    /// answered with the object, which is returned as pending.
    public func deleteObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteOutcome {
        let before = try await getObject(resource, namespace: namespace, name: name)
        var options = options
        options.kind = "DeleteOptions"
        options.apiVersion = "v1"
        if options.preconditions == nil, !before.uid.isEmpty { options.preconditions = Preconditions(uid: before.uid) }
        if writeOptions.dryRun { options.dryRun = ["All"] }
        let (_, body) = try await transport.send(
            .DELETE, ResourcePaths.path(resource, namespace: namespace, name: name), body: options.jsonBytes())
        let answer = try ReceivedObjects.tree(body)
        if answer["kind"]?.stringValue == "Status" { return .deleted(before) }
        let object = ReceivedObjects.object(answer, resource: resource)
        return ReceivedObjects.isStillStored(answer) ? .pending(object) : .deleted(object)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    // MARK: Decoding

    private func decode<T: TypedObject>(_ object: StoredObject) throws -> T {
        do { return try object.decode(as: T.self) } catch {
            throw APIError.internal("decoding \(T.kind) \(object.key.path): \(error)")
        }
    }

    private func decode<T: TypedObject>(_ bytes: [UInt8], as type: T.Type) throws -> T {
        do { return try T(jsonBytes: bytes) } catch {
            throw APIError.internal("decoding \(T.kind) from the server's answer: \(error)")
        }
    }
}
