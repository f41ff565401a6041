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
    @discardableResult
    public func create<T: Resource>(_ object: T, options: WriteOptions = WriteOptions()) async throws(APIError) -> TypedWrite<T> {
        let resource = T.resource.groupResourceValue
        let served = try served(resource)
        if let written = try await createTyped(object, served: served, options: options) { return written }
        let stored = try await create(resource, namespace: object.metadata.namespace, object: UnstructuredObject(object), options: options)
        return TypedWrite(stored: stored, object: try Self.decodeWritten(stored))
    }

    /// Replaces an object (or its status) from a typed value: ``update(_:namespace:object:subresource:options:)``
    /// with the object's JSON, namespace from its metadata.
    @discardableResult
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
            guard let admitted = Self.admitTyped(object, old: nil, statusOnly: false),
                  let encoded = Self.exactJSON(admitted)
            else { return nil }
            let key = ObjectKey(resource, namespace: namespace, name: admitted.metadata.name ?? "")
            if options.dryRun {
                if state.withLock({ $0.object(key) }) != nil { throw APIError.alreadyExists(resource, key.name) }
                let stored = StoredObject(key: key, typed: admitted, encodedWithoutVersion: encoded, resourceVersion: 0)
                return TypedWrite(stored: stored, object: admitted)
            }
            let txn = StorageTransaction.create(key.storageKey, encoded)
            do throws(APIError) {
                let (stored, written) = try await commit(txn, key: key, typed: admitted, encoded: encoded, previous: nil)
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
        // Namespaces keep their spec's finalizers apart from /finalize: the JSON path has the rules.
        guard admitsTypedWrites(T.self, served), served.groupResource != Self.namespaces else { return nil }
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
        guard let old = Self.base(options.readBase, for: current) ?? (try? current.decode(as: T.self)) else { return nil }

        var object: T
        if subresource == "status" {
            object = old.withStatus(of: input)
            if served.statusWritesMetadata {
                object.metadata = input.metadata
                object.metadata.labels = old.metadata.labels
                object.metadata.name = old.metadata.name
            }
        } else {
            object = served.hasStatus ? input.withStatus(of: old) : input
        }
        Self.carrySystemMetadata(into: &object.metadata, from: old.metadata)
        guard var admitted = Self.admitTyped(object, old: old, statusOnly: subresource == "status") else { return nil }
        try Self.checkFinalizersWhileDeleting(admitted.metadata.finalizers, old: old.metadata, name: name, served: served)
        let annotationsBumpGeneration = subresource == nil && served.annotationsBumpGeneration
            && admitted.metadata.annotations != old.metadata.annotations
        if served.tracksGeneration, Self.specChanged(admitted, old) || annotationsBumpGeneration {
            admitted.metadata.generation = (old.metadata.generation ?? 0) + 1
        }
        admitted.metadata.resourceVersion = nil
        guard let encoded = Self.exactJSON(admitted, capacity: current.byteCount + 64) else { return nil }
        var unchanged = admitted
        unchanged.metadata.resourceVersion = old.metadata.resourceVersion
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
        return TypedWrite(stored: stored, object: written)
    }

    /// The caller's copy of the stored object (``WriteOptions/readBase``), if it is of this
    /// very version: a status write after a read would otherwise decode the object it just read.
    static func base<T: Resource>(_ base: (any Sendable)?, for current: StoredObject) -> T? {
        guard let base = base as? T, base.metadata.uid == current.uid,
              base.metadata.resourceVersion == String(current.resourceVersion) else { return nil }
        return base
    }

    /// Built-in defaulting and validation of a typed value; `nil` if validation found errors
    /// (the JSON path reports them, so paths need not be recorded here).
    private static func admitTyped<T: Resource>(_ object: T, old: T?, statusOnly: Bool) -> T? {
        var typed = object
        BuiltinAdmission.applyDefaults(&typed)
        let errors = FieldPath.withoutRecording { () -> FieldErrorList in
            guard let old else { return BuiltinAdmission.validate(typed) }
            return statusOnly
                ? BuiltinAdmission.validateStatusUpdate(typed, old: old)
                : BuiltinAdmission.validateUpdate(typed, old: old)
        }
        return errors.isEmpty ? typed : nil
    }

    /// The object's JSON, if decoding it gives back exactly `object`. `capacity` is a guess at
    /// its size (the backend may keep the buffer as it is).
    private static func exactJSON<T: Resource>(_ object: T, capacity: Int = 1024) -> [UInt8]? {
        var writer = JSONWriter(reservingCapacity: capacity)
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
            if !(namespace.spec.finalizers ?? []).contains(kubernetesFinalizer) {
                namespace.spec.finalizers = (namespace.spec.finalizers ?? []) + [kubernetesFinalizer]
            }
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


