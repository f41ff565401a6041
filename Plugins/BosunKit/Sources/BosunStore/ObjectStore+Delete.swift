import BosunKit
import Synchronization

/// What a delete did.
public enum DeleteOutcome: Sendable {
    /// The object is gone; this was its last state.
    case deleted(StoredObject)
    /// The object is being deleted: finalizers or a grace period keep it for now.
    case pending(StoredObject)

    public var object: StoredObject {
        switch self {
        case .deleted(let o), .pending(let o): o
        }
    }
}

extension ObjectStore {
    /// Deletes an object as kube-apiserver does.
    ///
    /// - `preconditions` on uid or resourceVersion that do not hold → 409 Conflict.
    /// - Propagation: `Orphan` adds the `orphan` finalizer, `Foreground` adds
    ///   `foregroundDeletion`, `Background` adds neither; the default is orphan for core/v1
    ///   ReplicationControllers and batch/v1 Jobs, background otherwise.
    /// - Pods are deleted gracefully: `deletionTimestamp` is set `gracePeriodSeconds` (default:
    ///   the pod's `terminationGracePeriodSeconds`) ahead, and the object stays until deleted
    ///   again with grace 0 (what a kubelet does). Unscheduled and finished pods go at once.
    /// - With finalizers, the object stays with `deletionTimestamp` set until the last one is
    ///   removed.
    /// - A namespace's first delete only marks it `Terminating`; it goes once its
    ///   `spec.finalizers` (the namespace controller's `kubernetes`) and its finalizers are removed.
    /// - A write that lands between reading the object and committing the delete makes it read
    ///   and try again, as kube-apiserver's `GuaranteedUpdate` does: the caller sees Conflict
    ///   only for preconditions that no longer hold, never for a controller's status write.
    @discardableResult
    public func delete(
        _ resource: GroupResource, namespace: String? = nil, name: String, options: DeleteOptions = DeleteOptions(),
        writeOptions: WriteOptions = WriteOptions()
    ) async throws(APIError) -> DeleteOutcome {
        let served = try served(resource)
        let key = ObjectKey(resource, namespace: served.descriptor.namespaced ? (namespace ?? "") : "", name: name)
        var attempts = 0
        while true {
            guard let current = state.withLock({ $0.object(key) }) else { throw APIError.notFound(resource, name) }
            try checkPreconditions(options.preconditions, current)
            do {
                return try await delete(current, key: key, served: served, options: options, writeOptions: writeOptions)
            } catch where error.reason == .conflict && attempts < Self.deleteRetries {
                attempts += 1
            }
        }
    }

    /// Concurrent writes a delete reads past before it gives up with Conflict.
    static let deleteRetries = 64

    /// One attempt at ``delete(_:namespace:name:options:writeOptions:)`` on `current`: Conflict
    /// when the object changed since.
    private func delete(
        _ current: StoredObject, key: ObjectKey, served: ServedResource, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws(APIError) -> DeleteOutcome {
        let resource = key.resource, name = key.name
        let propagation = try propagationPolicy(options, served)

        let request = AdmissionRequest(
            operation: .delete, resource: resource, kind: served.descriptor.groupVersionKind, namespace: key.namespace,
            name: name, object: nil, oldObject: current.unstructured(), dryRun: writeOptions.dryRun)
        try await admitDelete(request)

        var object = current.unstructured().object
        var meta = object.metadataObject
        let grace = gracePeriod(for: object, served: served, requested: options.gracePeriodSeconds)
        var finalizers = (try? [String](json: meta["finalizers"] ?? .null)) ?? []
        switch propagation {
        case .orphan:
            finalizers.removeAll { $0 == "foregroundDeletion" }
            if !finalizers.contains("orphan") { finalizers.append("orphan") }
        case .foreground:
            finalizers.removeAll { $0 == "orphan" }
            if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
        case .background:
            break
        }
        // kube-apiserver's namespace storage: the first delete only starts termination; later
        // ones wait while spec.finalizers remain.
        let isNamespace = resource == Self.namespaces
        let heldNamespace = isNamespace && (!current.isDeleting || !Self.specFinalizers(of: object).isEmpty)
        if finalizers.isEmpty && grace == 0 && !heldNamespace {
            if writeOptions.dryRun { return .deleted(current) }
            return .deleted(try await remove(current, lastState: object, served: served))
        }

        if current.isDeleting {
            // Already being deleted: a shorter grace period may bring the deletion forward.
            let remaining = meta["deletionGracePeriodSeconds"]?.int64Value ?? 0
            guard grace < remaining else { return .pending(current) }
        } else if served.tracksGeneration, let generation = meta["generation"]?.int64Value, generation > 0 {
            meta["generation"] = .number(.int(generation + 1))
        }
        let now = clock.now()
        meta["deletionTimestamp"] = Time(secondsSinceEpoch: now.secondsSinceEpoch + grace).jsonValue()
        meta["deletionGracePeriodSeconds"] = .number(.int(grace))
        meta["finalizers"] = finalizers.isEmpty ? nil : finalizers.jsonValue()
        object.metadataObject = meta
        if isNamespace {
            var status = object["status"]?.objectValue ?? JSONObject()
            status["phase"] = "Terminating"
            object["status"] = .object(status)
        }
        if writeOptions.dryRun {
            return .pending(StoredObject(key: key, object: object, resourceVersion: current.resourceVersion, kind: served.descriptor.kind))
        }
        if finalizers.isEmpty && grace == 0 && !heldNamespace {
            return .deleted(try await remove(current, lastState: object, served: served))
        }
        object.metadataObject["resourceVersion"] = nil
        let txn = StorageTransaction.update(key.storageKey, JSONWriter.encode(JSONValue.object(object)), ifAt: current.resourceVersion)
        guard let stored = try await commit(txn, key: key, object: object, previous: current, kind: served.descriptor.kind).0 else {
            throw APIError.internal("delete returned no object")
        }
        return .pending(stored)
    }

    /// Deletes every object of a resource in a namespace (or all) that the selectors match.
    public func deleteCollection(
        _ resource: GroupResource, namespace: String? = nil, listOptions: ListOptions = ListOptions(),
        options: DeleteOptions = DeleteOptions(), writeOptions: WriteOptions = WriteOptions()
    ) async throws(APIError) -> [DeleteOutcome] {
        var outcomes: [DeleteOutcome] = []
        for object in try list(resource, namespace: namespace, options: listOptions).items {
            do {
                outcomes.append(try await delete(resource, namespace: object.key.namespace, name: object.key.name,
                                                 options: options, writeOptions: writeOptions))
            } catch where error.reason == .notFound {
                continue
            }
        }
        return outcomes
    }

    /// Removes the object from storage; its last state gets the deletion's resourceVersion.
    func remove(_ current: StoredObject, lastState: JSONObject, served: ServedResource) async throws(APIError) -> StoredObject {
        let txn = StorageTransaction.delete(current.key.storageKey, ifAt: current.resourceVersion)
        let (_, revision) = try await commit(txn, key: current.key, object: nil, previous: current, kind: served.descriptor.kind)
        var last = lastState
        last.setResourceVersion(revision)
        let final = StoredObject(key: current.key, object: last, resourceVersion: revision, kind: served.descriptor.kind)
        if current.key.resource == CRDRegistration.resource { await unserve(final) }
        return final
    }

    private func checkPreconditions(_ preconditions: Preconditions?, _ current: StoredObject) throws(APIError) {
        guard let preconditions else { return }
        if let uid = preconditions.uid, uid != current.uid {
            throw APIError.conflict(current.key.resource, current.key.name,
                "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
        }
        if let rv = preconditions.resourceVersion, rv != String(current.resourceVersion) {
            throw APIError.conflict(current.key.resource, current.key.name,
                "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)")
        }
    }

    private func propagationPolicy(_ options: DeleteOptions, _ served: ServedResource) throws(APIError) -> ServedResource.Propagation {
        if let policy = options.propagationPolicy {
            if options.orphanDependents != nil {
                throw APIError.invalid(kind: "DeleteOptions", group: "", name: "", [
                    FieldError(.invalid, "propagationPolicy", value: policy.fieldErrorRendering, "orphanDependents and deletionPropagation cannot be both set")
                ])
            }
            guard let parsed = ServedResource.Propagation(rawValue: policy) else {
                throw APIError.invalid(kind: "DeleteOptions", group: "", name: "", [
                    .notSupported("propagationPolicy", policy, supported: ["Foreground", "Background", "Orphan", "nil"])
                ])
            }
            return parsed
        }
        if let orphan = options.orphanDependents { return orphan ? .orphan : .background }
        return served.defaultPropagation
    }

    /// The grace period a delete gets: only pods have one. Unscheduled or finished pods, and a
    /// requested 0, mean immediate deletion.
    private func gracePeriod(for object: JSONObject, served: ServedResource, requested: Int64?) -> Int64 {
        guard served.descriptor.group.isEmpty, served.descriptor.plural == "pods" else { return 0 }
        let nodeName = object[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let phase = object[path: ["status", "phase"]]?.stringValue ?? ""
        if nodeName.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        let grace = requested ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.int64Value ?? 30
        return max(0, grace)
    }
}
