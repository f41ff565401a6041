import BosunKit
import Synchronization

extension ObjectStore {
    /// The `/scale` subresource: an autoscaling/v1 `Scale` view of a Deployment, ReplicaSet,
    /// StatefulSet, ReplicationController, or a custom resource whose CRD declares one.
    public func scale(_ resource: GroupResource, namespace: String? = nil, name: String) throws(APIError) -> Scale {
        let served = try served(resource)
        guard let paths = served.scalePaths else { throw Self.noScale(resource) }
        return Self.scale(of: try get(resource, namespace: namespace, name: name), paths: paths)
    }

    /// Sets the replicas through `/scale`. A `resourceVersion` in the Scale must be current.
    @discardableResult
    public func updateScale(
        _ resource: GroupResource, namespace: String? = nil, scale: Scale, options: WriteOptions = WriteOptions()
    ) async throws(APIError) -> Scale {
        let served = try served(resource)
        guard let paths = served.scalePaths else { throw Self.noScale(resource) }
        let name = scale.metadata.name ?? ""
        let replicas = scale.spec.replicas ?? 0
        if replicas < 0 {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, [
                .invalid("spec.replicas", replicas, "must be greater than or equal to 0")
            ])
        }
        let current = try get(resource, namespace: namespace, name: name)
        if let rv = scale.metadata.resourceVersion, !rv.isEmpty, rv != String(current.resourceVersion) {
            throw APIError.conflict(resource, name)
        }
        var object = JSONValue.object(current.unstructured().object)
        Self.set(&object, at: paths.specReplicas, to: .number(.int(Int64(replicas))))
        guard case .object(let updated) = object else { throw APIError.internal("scale target is not an object") }
        let stored = try await replace(current, with: updated, served: served, subresource: nil, options: options)
        return Self.scale(of: stored, paths: paths)
    }

    static func scale(of object: StoredObject, paths: ServedResource.ScalePaths) -> Scale {
        let tree = JSONValue.object(object.unstructured().object)
        let meta = (try? ObjectMeta(json: tree["metadata"] ?? .null)) ?? ObjectMeta()
        let selector: String?
        if let path = paths.labelSelector {
            selector = tree[path: path]?.stringValue
        } else if let structured = try? LabelSelector(json: tree[path: ["spec", "selector"]] ?? .null),
                  tree[path: ["spec", "selector", "matchLabels"]] != nil || tree[path: ["spec", "selector", "matchExpressions"]] != nil {
            selector = (try? structured.compiled())?.description
        } else {
            // ReplicationControllers select with a plain map.
            let map = (try? [String: String](json: tree[path: ["spec", "selector"]] ?? .null)) ?? [:]
            selector = map.isEmpty ? nil : Selector(set: map).description
        }
        return Scale(
            metadata: ObjectMeta(creationTimestamp: meta.creationTimestamp, name: meta.name, namespace: meta.namespace,
                                 resourceVersion: meta.resourceVersion, uid: meta.uid),
            spec: ScaleSpec(replicas: tree[path: paths.specReplicas]?.int64Value.flatMap { Int32(exactly: $0) } ?? 0),
            status: ScaleStatus(replicas: tree[path: paths.statusReplicas]?.int64Value.flatMap { Int32(exactly: $0) } ?? 0,
                                selector: selector))
    }

    static func set(_ value: inout JSONValue, at path: [String], to newValue: JSONValue) {
        guard let first = path.first else {
            value = newValue
            return
        }
        var child = value[first] ?? .object(JSONObject())
        set(&child, at: Array(path.dropFirst()), to: newValue)
        if case .object(var o) = value {
            o[first] = child
            value = .object(o)
        }
    }

    static func noScale(_ resource: GroupResource) -> APIError {
        APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource",
                 details: StatusDetails(group: resource.group, kind: resource.resource))
    }
}
