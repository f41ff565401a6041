import BosunKit

extension ObjectStore {
    /// The `pods/binding` subresource: assigns a pod to a node, as kube-apiserver's BindingREST.
    ///
    /// - The target must be a Node (kind `Node` or empty) with a name; 400 otherwise.
    /// - A uid or resourceVersion in the binding's metadata must match the pod's (409).
    /// - A pod already assigned, or being deleted, is a 409 Conflict with Kubernetes' message.
    /// - Sets `spec.nodeName`, copies the binding's annotations onto the pod, and sets the
    ///   `PodScheduled` condition to True. It bypasses the pod update validation (which forbids
    ///   changing `spec.nodeName`), as the binding storage does upstream.
    @discardableResult
    public func bind(namespace: String, binding: Binding, options: WriteOptions = WriteOptions()) async throws(APIError) -> StoredObject {
        let pods = GroupResource(group: "", resource: "pods")
        let name = binding.metadata.name ?? ""
        let node = binding.target.name ?? ""
        var errors = FieldErrorList()
        if name.isEmpty { errors.append(.required("metadata.name", "")) }
        if node.isEmpty { errors.append(.required("target.name", "")) }
        if let kind = binding.target.kind, !kind.isEmpty, kind != "Node" {
            errors.append(.notSupported("target.kind", kind, supported: ["Node"]))
        }
        guard errors.isEmpty else { throw APIError.invalid(kind: "Binding", group: "", name: name, errors) }

        let served = try served(pods)
        for _ in 0..<8 {
            let current = try get(pods, namespace: namespace, name: name)
            if let uid = binding.metadata.uid, !uid.isEmpty, uid != current.uid {
                throw APIError.conflict(pods, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            if let rv = binding.metadata.resourceVersion, !rv.isEmpty, rv != String(current.resourceVersion) {
                throw APIError.conflict(pods, name)
            }
            var object = current.unstructured().object
            if current.isDeleting {
                throw APIError.conflict(pods, name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            var spec = object["spec"]?.objectValue ?? JSONObject()
            if let assigned = spec["nodeName"]?.stringValue, !assigned.isEmpty {
                throw APIError.conflict(pods, name, "pod \(name) is already assigned to node \"\(assigned)\"")
            }
            spec["nodeName"] = .string(node)
            object["spec"] = .object(spec)
            if let annotations = binding.metadata.annotations, !annotations.isEmpty {
                var meta = object.metadataObject
                var merged = meta["annotations"]?.objectValue ?? JSONObject()
                for (key, value) in annotations.sorted(by: { $0.key < $1.key }) { merged[key] = .string(value) }
                meta["annotations"] = .object(merged)
                object.metadataObject = meta
            }
            Self.setPodScheduled(&object, now: clock.now())
            if options.dryRun {
                return StoredObject(key: current.key, object: object, resourceVersion: current.resourceVersion, kind: "Pod")
            }
            object.metadataObject["resourceVersion"] = nil
            let txn = StorageTransaction.update(current.key.storageKey, JSONWriter.encode(JSONValue.object(object)), ifAt: current.resourceVersion)
            do throws(APIError) {
                guard let stored = try await commit(txn, key: current.key, object: object, previous: current, kind: served.descriptor.kind).0 else {
                    throw APIError.internal("binding returned no pod")
                }
                return stored
            } catch where error.code == 409 && (binding.metadata.resourceVersion ?? "").isEmpty {
                continue  // another writer got in between; bind against what is stored now
            }
        }
        throw APIError.conflict(pods, name)
    }

    /// Sets `PodScheduled=True`, moving its transition time only if its status changes.
    private static func setPodScheduled(_ object: inout JSONObject, now: Time) {
        var status = object["status"]?.objectValue ?? JSONObject()
        var conditions = status["conditions"]?.arrayValue ?? []
        let scheduled: JSONValue = [
            "type": "PodScheduled", "status": "True", "lastProbeTime": .null, "lastTransitionTime": now.jsonValue(),
        ]
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == "PodScheduled" }) {
            if conditions[index]["status"]?.stringValue != "True" { conditions[index] = scheduled }
        } else {
            conditions.append(scheduled)
        }
        status["conditions"] = .array(conditions)
        object["status"] = .object(status)
    }
}
