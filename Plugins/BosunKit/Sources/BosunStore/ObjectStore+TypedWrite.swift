import BosunKit
import Synchronization

/// What a typed write stored: the store's object, and the same object as a typed value (equal to
/// decoding the stored JSON).
public struct TypedWrite<T: Resource>: Sendable {
    public var stored: StoredObject
    public var object: T

    public init(stored: StoredObject, object: T) {
        self.stored = stored
        self.object = object
    }
}

// Typed writes of built-in kinds: what in-process clients and controllers send. They have the
// semantics of the JSON writes (create, update) in every respect, and are cheaper: the object is
// defaulted, validated and encoded once, as the typed value it already is, and comes back typed
// without being decoded. That holds only while its JSON gives back exactly that value; when it
// would not (a fraction of a second in a Time, unknown fields, ...), and whenever admission hooks
// are registered (they see JSON) or validation finds errors (worded by the JSON path), the write
// goes through JSON as it always did.
extension ObjectStore {
    /// Creates an object from a typed value: ``create(_:namespace:object:options:)`` with the
    /// object's JSON, namespace from its metadata.
    public func create<T: Resource>(_ object: T, options: WriteOptions = WriteOptions()) async throws(APIError) -> TypedWrite<T> {
        let resource = T.resource.groupResourceValue
        let served = try served(resource)
        if let written = try await createTyped(object, served: served, options: options) { return written }
        let stored = try await create(resource, namespace: object.metadata.namespace, object: UnstructuredObject(object), options: options)
        return TypedWrite(stored: stored, object: try Self.decodeWritten(stored))
    }

    /// Replaces an object (or its status) from a typed value: ``update(_:namespace:object:subresource:options:)``
    /// with the object's JSON, namespace from its metadata.
    public func update<T: Resource>(
        _ object: T, subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(APIError) -> TypedWrite<T> {
        let resource = T.resource.groupResourceValue
        let served = try served(resource)
        if let written = try await updateTyped(object, served: served, subresource: subresource, options: options) {
            return written
        }
        let stored = try await update(resource, namespace: object.metadata.namespace, object: UnstructuredObject(object),
                                      subresource: subresource, options: options)
        return TypedWrite(stored: stored, object: try Self.decodeWritten(stored))
    }

    static func decodeWritten<T: Resource>(_ stored: StoredObject) throws(APIError) -> T {
        do {
            return try stored.decode(as: T.self)
        } catch {
            throw APIError.internal("decoding \(T.kind) \(stored.key.path): \(error)")
        }
    }

    /// Whether writes of `T` to `served` can stay typed: `T` is the kind's built-in type and no
    /// admission hook is registered.
    private func admitsTypedWrites<T: Resource>(_ type: T.Type, _ served: ServedResource) -> Bool {
        guard let builtin = served.builtinType, ObjectIdentifier(builtin) == ObjectIdentifier(T.self) else { return false }
        return hooks.withLock { $0.mutating.isEmpty && $0.validating.isEmpty }
    }

    /// The typed create, step for step the JSON one; `nil` when the write must go through JSON.
    private func createTyped<T: Resource>(_ input: T, served: ServedResource, options: WriteOptions) async throws(APIError) -> TypedWrite<T>? {
        guard admitsTypedWrites(T.self, served) else { return nil }
        let resource = served.groupResource
        var object = input
        let namespace = try resolveNamespace(request: input.metadata.namespace, body: input.metadata.namespace, served.descriptor)
        object.metadata.namespace = namespace.isEmpty ? nil : namespace
        if !namespace.isEmpty { try checkNamespaceAcceptsContent(namespace, resource: resource, name: object.metadata.name ?? "") }
        if let rv = object.metadata.resourceVersion, !rv.isEmpty {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        object.metadata.uid = UID.random()
        // What the JSON path's timestamp decodes to: whole seconds.
        object.metadata.creationTimestamp = clock.now().truncatedToSeconds
        object.metadata.deletionTimestamp = nil
        object.metadata.deletionGracePeriodSeconds = nil
        object.metadata.generation = served.tracksGeneration ? 1 : nil
        Self.prepareStatusForCreate(&object, served)

        let generateName = object.metadata.generateName ?? ""
        let wantsGeneratedName = (object.metadata.name ?? "").isEmpty && !generateName.isEmpty
        for attempt in 0..<8 {
            if wantsGeneratedName { object.metadata.name = generateName + NameGenerator.suffix() }
            #if DEBUG
            CROSSCHECK_preparedCreate(input, namespace: namespace, served: served, prepared: object)
            #endif
            guard let admitted = Self.admitTyped(object, old: nil, statusOnly: false),
                  let encoded = Self.exactJSON(admitted)
            else { return nil }
            #if DEBUG
            CROSSCHECK_admission(object, old: nil as T?, subresource: nil, admitted: admitted, served: served)
            #endif
            let key = ObjectKey(resource, namespace: namespace, name: admitted.metadata.name ?? "")
            if options.dryRun {
                if state.withLock({ $0.object(key) }) != nil { throw APIError.alreadyExists(resource, key.name) }
                let stored = StoredObject(key: key, typed: admitted, encodedWithoutVersion: encoded, resourceVersion: 0)
                return TypedWrite(stored: stored, object: admitted)
            }
            let txn = StorageTransaction.create(key.storageKey, encoded)
            do throws(APIError) {
                let (stored, written) = try await commit(txn, key: key, typed: admitted, encoded: encoded, previous: nil)
                #if DEBUG
                CROSSCHECK_stored(stored, written, served: served)
                #endif
                if resource == CRDRegistration.resource { await establish(stored) }
                return TypedWrite(stored: stored, object: written)
            } catch let error where error.reason == .alreadyExists && wantsGeneratedName && attempt < 7 {
                continue
            }
        }
        throw APIError.internal("could not generate a unique name from \"\(generateName)\"")
    }

    /// The typed update, step for step ``update(_:namespace:object:subresource:options:)`` and
    /// ``replace(_:with:served:subresource:options:)``; `nil` when the write must go through JSON
    /// (also when it removes the object: the last finalizer of an object being deleted).
    private func updateTyped<T: Resource>(
        _ input: T, served: ServedResource, subresource: String?, options: WriteOptions
    ) async throws(APIError) -> TypedWrite<T>? {
        guard admitsTypedWrites(T.self, served) else { return nil }
        let resource = served.groupResource
        if let subresource, subresource != "status" || !served.hasStatus {
            throw APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")
        }
        let name = input.metadata.name ?? ""
        let namespace = try resolveNamespace(request: input.metadata.namespace, body: input.metadata.namespace,
                                             served.descriptor, creating: false)
        let key = ObjectKey(resource, namespace: namespace, name: name)
        guard let current = state.withLock({ $0.object(key) }) else { throw APIError.notFound(resource, name) }
        if let rv = input.metadata.resourceVersion, !rv.isEmpty, rv != String(current.resourceVersion) {
            throw APIError.conflict(resource, name)
        }
        guard let old = try? current.decode(as: T.self) else { return nil }

        var object = subresource == "status" ? old.withStatus(of: input) : input
        if subresource != "status" && served.hasStatus { object = object.withStatus(of: old) }
        Self.carrySystemMetadata(into: &object.metadata, from: old.metadata)
        #if DEBUG
        CROSSCHECK_preparedUpdate(input, current: current, subresource: subresource, served: served, prepared: object)
        #endif
        guard var admitted = Self.admitTyped(object, old: old, statusOnly: subresource == "status") else { return nil }
        #if DEBUG
        if Self.exactJSON(admitted) != nil { CROSSCHECK_admission(object, old: old, subresource: subresource, admitted: admitted, served: served) }
        #endif
        try Self.checkFinalizersWhileDeleting(admitted.metadata.finalizers, old: old.metadata, name: name, served: served)
        if served.tracksGeneration, Self.specChanged(admitted, old) {
            admitted.metadata.generation = (old.metadata.generation ?? 0) + 1
        }
        admitted.metadata.resourceVersion = nil
        guard let encoded = Self.exactJSON(admitted) else { return nil }
        var unchanged = admitted
        unchanged.metadata.resourceVersion = old.metadata.resourceVersion
        #if DEBUG
        do {
            let oldTree = current.unstructured().object
            var tree = UnstructuredObject(admitted).object
            tree.metadataObject["resourceVersion"] = oldTree.metadataObject["resourceVersion"]
            if (tree == oldTree) != (unchanged == old) { fatalError("CROSSCHECK no-op decision differs for \(T.kind)") }
            var pre = admitted
            pre.metadata.generation = old.metadata.generation
            let preTree = UnstructuredObject(pre).object
            if Self.specChanged(preTree, oldTree) != Self.specChanged(pre, old) { fatalError("CROSSCHECK specChanged differs for \(T.kind)") }
        }
        #endif
        if unchanged == old { return TypedWrite(stored: current, object: old) }
        if options.dryRun {
            let stored = StoredObject(key: key, typed: admitted, encodedWithoutVersion: encoded, resourceVersion: current.resourceVersion)
            return TypedWrite(stored: stored, object: unchanged)
        }
        let meta = admitted.metadata
        if meta.deletionTimestamp != nil && (meta.finalizers ?? []).isEmpty && (meta.deletionGracePeriodSeconds ?? 0) == 0 {
            return nil
        }
        let txn = StorageTransaction.update(key.storageKey, encoded, ifAt: current.resourceVersion)
        let (stored, written) = try await commit(txn, key: key, typed: admitted, encoded: encoded, previous: current)
        #if DEBUG
        CROSSCHECK_stored(stored, written, served: served)
        #endif
        return TypedWrite(stored: stored, object: written)
    }

    /// Built-in defaulting and validation of a typed value; `nil` if validation found errors
    /// (the JSON path reports them).
    private static func admitTyped<T: Resource>(_ object: T, old: T?, statusOnly: Bool) -> T? {
        var typed = object
        BuiltinAdmission.applyDefaults(&typed)
        let errors: FieldErrorList
        if let old {
            errors = statusOnly
                ? Validation.validateObjectMetaUpdate(typed.metadata, old: old.metadata)
                : BuiltinAdmission.validateUpdate(typed, old: old)
        } else {
            errors = BuiltinAdmission.validate(typed)
        }
        return errors.isEmpty ? typed : nil
    }

    /// The object's JSON, if decoding it gives back exactly `object`.
    private static func exactJSON<T: Resource>(_ object: T) -> [UInt8]? {
        var writer = JSONWriter(reservingCapacity: 1024)
        object.encode(to: &writer)
        return writer.isExact ? writer.bytes : nil
    }

    /// ``carrySystemMetadata(into:from:)`` for typed metadata.
    static func carrySystemMetadata(into meta: inout ObjectMeta, from old: ObjectMeta) {
        if (meta.uid ?? "").isEmpty { meta.uid = old.uid }
        if (meta.resourceVersion ?? "").isEmpty { meta.resourceVersion = old.resourceVersion }
        meta.creationTimestamp = old.creationTimestamp
        meta.generation = old.generation
        if let deletion = old.deletionTimestamp { meta.deletionTimestamp = deletion }
        if meta.deletionGracePeriodSeconds == nil { meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds }
        if meta.namespace == nil { meta.namespace = old.namespace }
    }

    /// ``specChanged(_:_:)`` for typed values: whether anything outside metadata and status differs.
    static func specChanged<T: Resource>(_ a: T, _ b: T) -> Bool {
        var probe = a.withStatus(of: b)
        probe.metadata = b.metadata
        return probe != b
    }

    /// ``prepareStatusForCreate(_:_:)`` for typed values.
    static func prepareStatusForCreate<T: Resource>(_ object: inout T, _ served: ServedResource) {
        guard served.hasStatus else { return }
        if T.self == Node.self {
            return
        } else if var pod = BuiltinAdmission.cast(object, to: Pod.self) {
            pod.status = PodStatus(phase: "Pending", qosClass: QOSClass.of(pod))
            object = pod as! T
        } else if var namespace = BuiltinAdmission.cast(object, to: Namespace.self) {
            namespace.status = NamespaceStatus(phase: "Active")
            if namespace.spec.finalizers == nil { namespace.spec.finalizers = ["kubernetes"] }
            object = namespace as! T
        } else if var claim = BuiltinAdmission.cast(object, to: PersistentVolumeClaim.self) {
            claim.status = PersistentVolumeClaimStatus(phase: "Pending")
            object = claim as! T
        } else if var volume = BuiltinAdmission.cast(object, to: PersistentVolume.self) {
            volume.status = PersistentVolumeStatus(phase: "Pending")
            object = volume as! T
        } else {
            object = object.withEmptyStatus()
        }
    }
}

#if DEBUG
// TEMPORARY cross-check of the typed path against the JSON path; removed before committing.
func CROSSCHECK_admission<T: Resource>(_ object: T, old: T?, subresource: String?, admitted: T, served: ServedResource) {
    let tree = UnstructuredObject(object).object
    let oldTree = old.map { UnstructuredObject($0).object }
    guard let (_, bytes) = try? ObjectStore.defaultAndValidateBuiltin(T.self, tree, old: oldTree, subresource: subresource, served: served) else {
        fatalError("CROSSCHECK: JSON admission failed where typed passed: \(T.kind)")
    }
    let a = try! T(jsonBytes: bytes)
    if a != admitted {
        fatalError("CROSSCHECK admission differs for \(T.kind):\nJSON:  \(String(decoding: bytes, as: UTF8.self))\nTYPED: \(admitted.jsonString())")
    }
}

func CROSSCHECK_preparedCreate<T: Resource>(_ input: T, namespace: String, served: ServedResource, prepared: T) {
    var object = UnstructuredObject(input).object
    var meta = object.metadataObject
    meta["namespace"] = namespace.isEmpty ? nil : .string(namespace)
    meta["uid"] = .string(prepared.metadata.uid!)
    meta["creationTimestamp"] = prepared.metadata.creationTimestamp!.jsonValue()
    meta["deletionTimestamp"] = nil
    meta["deletionGracePeriodSeconds"] = nil
    meta["generation"] = served.tracksGeneration ? 1 : nil
    if let name = prepared.metadata.name { meta["name"] = .string(name) }
    object.metadataObject = meta
    ObjectStore.prepareStatusForCreate(&object, served)
    let viaTree = try! T(json: .object(object))
    let canonical = try! T(jsonBytes: prepared.jsonBytes())
    if viaTree != canonical {
        fatalError("CROSSCHECK prepared create differs for \(T.kind):\nJSON:  \(viaTree.jsonString())\nTYPED: \(canonical.jsonString())")
    }
}

func CROSSCHECK_preparedUpdate<T: Resource>(_ input: T, current: StoredObject, subresource: String?, served: ServedResource, prepared: T) {
    let old = current.unstructured().object
    var object = UnstructuredObject(input).object
    if subresource == "status" {
        var merged = old
        merged["status"] = object["status"]
        object = merged
    } else if served.hasStatus {
        object["status"] = old["status"]
    }
    ObjectStore.carrySystemMetadata(into: &object, from: old)
    let viaTree = try! T(json: .object(object))
    let canonical = try! T(jsonBytes: prepared.jsonBytes())
    if viaTree != canonical {
        fatalError("CROSSCHECK prepared update differs for \(T.kind):\nJSON:  \(viaTree.jsonString())\nTYPED: \(canonical.jsonString())")
    }
}

func CROSSCHECK_stored<T: Resource>(_ stored: StoredObject, _ written: T, served: ServedResource) {
    let decoded = try! stored.decode(as: T.self)
    if decoded != written {
        fatalError("CROSSCHECK stored differs for \(T.kind):\nBYTES: \(String(decoding: stored.bytes, as: UTF8.self))\nTYPED: \(written.jsonString())")
    }
    let tree = stored.unstructured().object
    let viaTree = StoredObject(key: stored.key, object: tree, resourceVersion: stored.resourceVersion, kind: served.descriptor.kind)
    guard viaTree.bytes.count > 0, viaTree.uid == stored.uid, viaTree.labels == stored.labels,
          viaTree.ownerUIDs == stored.ownerUIDs, viaTree.finalizers == stored.finalizers,
          viaTree.isDeleting == stored.isDeleting, viaTree.deletionGracePeriodSeconds == stored.deletionGracePeriodSeconds
    else { fatalError("CROSSCHECK facts differ for \(T.kind) \(stored.key)") }
    for field in FieldSelector.supportedFields(forKind: served.descriptor.kind) where viaTree.fields[field] != stored.fields[field] {
        fatalError("CROSSCHECK field \(field) differs for \(T.kind): \(String(describing: viaTree.fields[field])) vs \(String(describing: stored.fields[field]))")
    }
}
#endif

