import BosunKit
import Synchronization

extension ObjectStore {
    /// Replaces an object (or, with `subresource: "status"`, only its status; a namespace's
    /// `spec.finalizers` only through `subresource: "finalize"`).
    ///
    /// - A `metadata.resourceVersion` that is not the stored one → 409 Conflict; an empty one
    ///   updates whatever is stored.
    /// - For kinds with a status subresource, the main resource ignores `status` and `/status`
    ///   changes nothing but `status`.
    /// - `generation` increments only when something outside metadata and status changed (or,
    ///   for Deployments, the annotations, which their ReplicaSets copy).
    /// - A Deployment's `/status` also writes its metadata but labels: the deployment controller
    ///   records the `revision` annotation that way.
    /// - An update that changes nothing returns the stored object: no new resourceVersion, no event.
    /// - Removing the last finalizer of an object being deleted deletes it (for a namespace, the
    ///   last of `metadata.finalizers` and `spec.finalizers`).
    @discardableResult
    public func update(
        _ resource: GroupResource, namespace: String? = nil, object input: UnstructuredObject,
        subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(APIError) -> StoredObject {
        let served = try served(resource)
        let finalize = subresource == "finalize" && resource == Self.namespaces
        if let subresource, !finalize, subresource != "status" || !served.hasStatus {
            throw APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")
        }
        var object = input.object
        try checkTypeMeta(&object, served.descriptor)
        let name = object.metadataObject["name"]?.stringValue ?? ""
        let ns = try resolveNamespace(request: namespace, body: object.metadataObject["namespace"]?.stringValue, served.descriptor, creating: false)
        let key = ObjectKey(resource, namespace: ns, name: name)
        guard let current = state.withLock({ $0.object(key) }) else { throw APIError.notFound(resource, name) }
        if let rv = object.metadataObject["resourceVersion"]?.stringValue, !rv.isEmpty, rv != String(current.resourceVersion) {
            throw APIError.conflict(resource, name)
        }
        return try await replace(current, with: object, served: served, subresource: subresource, options: options)
    }

    /// The update path shared by update, patch and delete bookkeeping: merges system fields from
    /// the stored object, admits, and commits with compare-and-swap on the stored revision.
    func replace(
        _ current: StoredObject, with input: JSONObject, served: ServedResource, subresource: String?,
        options: WriteOptions
    ) async throws(APIError) -> StoredObject {
        let old = current.unstructured().object
        var object = input
        if subresource == "status" {
            var merged = old
            merged["status"] = object["status"]
            if served.statusWritesMetadata {
                var meta = object.metadataObject
                meta["labels"] = old.metadataObject["labels"]
                meta["name"] = old.metadataObject["name"]
                merged.metadataObject = meta
            }
            object = merged
        } else if served.hasStatus {
            object["status"] = old["status"]
        }
        Self.carrySystemMetadata(into: &object, from: old)
        let isNamespace = current.key.resource == Self.namespaces
        if isNamespace && subresource == nil { Self.keepSpecFinalizers(&object, old: old) }

        let request = AdmissionRequest(
            operation: .update, resource: current.key.resource, kind: served.descriptor.groupVersionKind,
            subresource: subresource, namespace: current.key.namespace, name: current.key.name,
            object: UnstructuredObject(object), oldObject: UnstructuredObject(old), dryRun: options.dryRun)
        var admitted = try await admit(object, old: old, served: served, request: request, fieldValidation: options.fieldValidation)
        try Self.checkFinalizersWhileDeleting(admitted, old: old, served: served)
        let annotationsBumpGeneration = subresource == nil && served.annotationsBumpGeneration
            && admitted.metadataObject["annotations"] != old.metadataObject["annotations"]
        if served.tracksGeneration, Self.specChanged(admitted, old) || annotationsBumpGeneration {
            let generation = old.metadataObject["generation"]?.int64Value ?? 0
            admitted.metadataObject["generation"] = .number(.int(generation + 1))
        }
        admitted.metadataObject["resourceVersion"] = old.metadataObject["resourceVersion"]
        if admitted == old { return current }
        if options.dryRun {
            return StoredObject(key: current.key, object: admitted, resourceVersion: current.resourceVersion, kind: served.descriptor.kind)
        }

        let finalizers = admitted.metadataObject["finalizers"]?.arrayValue ?? []
        let deleting = admitted.metadataObject["deletionTimestamp"].map { !$0.isNull } ?? false
        let grace = admitted.metadataObject["deletionGracePeriodSeconds"]?.int64Value ?? 0
        let finalized = !isNamespace || Self.specFinalizers(of: admitted).isEmpty
        if deleting && finalizers.isEmpty && grace == 0 && finalized {
            return try await remove(current, lastState: admitted, served: served)
        }
        admitted.metadataObject["resourceVersion"] = nil
        let txn = StorageTransaction.update(current.key.storageKey, JSONWriter.encode(JSONValue.object(admitted)), ifAt: current.resourceVersion)
        guard let stored = try await commit(txn, key: current.key, object: admitted, previous: current, kind: served.descriptor.kind).0 else {
            throw APIError.internal("update returned no object")
        }
        return stored
    }

    /// Fields only the system sets survive any update (rest.BeforeUpdate): uid and
    /// resourceVersion when omitted,
    /// creationTimestamp, generation, deletionTimestamp and the deletion grace period.
    static func carrySystemMetadata(into object: inout JSONObject, from old: JSONObject) {
        var meta = object.metadataObject
        let oldMeta = old.metadataObject
        if (meta["uid"]?.stringValue ?? "").isEmpty { meta["uid"] = oldMeta["uid"] }
        // An unconditional update (no resourceVersion) applies to what is stored.
        if (meta["resourceVersion"]?.stringValue ?? "").isEmpty { meta["resourceVersion"] = oldMeta["resourceVersion"] }
        meta["creationTimestamp"] = oldMeta["creationTimestamp"]
        meta["generation"] = oldMeta["generation"]
        if let deletion = oldMeta["deletionTimestamp"], !deletion.isNull { meta["deletionTimestamp"] = deletion }
        if meta["deletionGracePeriodSeconds"] == nil { meta["deletionGracePeriodSeconds"] = oldMeta["deletionGracePeriodSeconds"] }
        if meta["namespace"] == nil { meta["namespace"] = oldMeta["namespace"] }
        object.metadataObject = meta
    }

    /// Whether anything outside `metadata` and `status` differs.
    static func specChanged(_ a: JSONObject, _ b: JSONObject) -> Bool {
        func body(_ o: JSONObject) -> JSONObject {
            var copy = o
            copy["metadata"] = nil
            copy["status"] = nil
            return copy
        }
        return body(a) != body(b)
    }

    /// No finalizer may be added to an object that is being deleted.
    static func checkFinalizersWhileDeleting(_ object: JSONObject, old: JSONObject, served: ServedResource) throws(APIError) {
        guard let deletion = old.metadataObject["deletionTimestamp"], !deletion.isNull else { return }
        let before = (try? [String](json: old.metadataObject["finalizers"] ?? .null)) ?? []
        let after = (try? [String](json: object.metadataObject["finalizers"] ?? .null)) ?? []
        try finalizersNotAdded(after, before: before, name: object.metadataObject["name"]?.stringValue ?? "", served: served)
    }

    /// ``checkFinalizersWhileDeleting(_:old:served:)`` for typed metadata.
    static func checkFinalizersWhileDeleting(_ finalizers: [String]?, old: ObjectMeta, name: String, served: ServedResource) throws(APIError) {
        guard old.deletionTimestamp != nil else { return }
        try finalizersNotAdded(finalizers ?? [], before: old.finalizers ?? [], name: name, served: served)
    }

    private static func finalizersNotAdded(_ after: [String], before: [String], name: String, served: ServedResource) throws(APIError) {
        let before = Set(before)
        let added = after.filter { !before.contains($0) }
        guard !added.isEmpty else { return }
        let rendered = "[]string{" + added.map(\.fieldErrorRendering).joined(separator: ", ") + "}"
        throw APIError.invalid(kind: served.descriptor.kind, group: served.descriptor.group, name: name, [
            FieldError(.forbidden, "metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers \(rendered)")
        ])
    }
}
