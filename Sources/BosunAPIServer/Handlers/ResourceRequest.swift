import BosunKit
import BosunStore

/// A request for a served resource, its path resolved against what the store serves.
struct ResourceRequest: Sendable {
    var request: APIRequest
    var path: ResourcePath
    var descriptor: ResourceDescriptor

    var resource: GroupResource { descriptor.groupResourceValue }
    var query: QueryParameters { request.query }
    /// The namespace of the path; `nil` for cluster-scoped resources and all-namespace lists.
    var namespace: String? { descriptor.namespaced ? path.namespace : nil }
    /// Whether bodies may be Kubernetes protobuf: built-in kinds only, as in kube-apiserver.
    var takesProtobuf: Bool { ProtobufFields.message(apiVersion: descriptor.apiVersion, kind: descriptor.kind) != nil }

    /// Resolves `path` against the served resources: an unknown resource, a version not served,
    /// or a namespace on a cluster-scoped resource is 404, as kube-apiserver's router answers.
    init(_ request: APIRequest, _ path: ResourcePath, store: ObjectStore) throws(APIError) {
        let resource = GroupResource(group: path.group, resource: path.resource)
        guard let descriptor = store.descriptor(for: resource), descriptor.version == path.version,
              path.namespace == nil || descriptor.namespaced
        else { throw RequestRouter.pathNotFound }
        if descriptor.namespaced && path.namespace == nil && path.name != nil { throw RequestRouter.pathNotFound }
        if let subresource = path.subresource, !Self.servedSubresources(of: descriptor).contains(subresource) {
            throw RequestRouter.pathNotFound
        }
        self.request = request
        self.path = path
        self.descriptor = descriptor
    }

    /// The subresources this server answers for a resource (of those the resource declares).
    static func servedSubresources(of descriptor: ResourceDescriptor) -> [String] {
        descriptor.subresources.filter { ["status", "scale", "binding", "eviction", "log"].contains($0) }
    }

    /// A namespaced write must name its namespace in the path.
    func requireNamespace() throws(APIError) {
        if descriptor.namespaced && path.namespace == nil {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }
}
