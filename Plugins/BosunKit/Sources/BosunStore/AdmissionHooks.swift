import BosunKit
import Synchronization

/// The registered admission hooks, in order.
struct AdmissionHooks {
    var mutating: [any MutatingAdmissionHook] = []
    var validating: [any ValidatingAdmissionHook] = []
}

extension ObjectStore {
    /// Adds a mutating hook; a second hook with the same name is refused.
    public func register(mutating hook: any MutatingAdmissionHook) throws(APIError) {
        try hooks.withLock { (h: inout AdmissionHooks) throws(APIError) in
            guard !h.mutating.contains(where: { $0.name == hook.name }) else {
                throw APIError(code: 409, reason: .alreadyExists, message: "a mutating admission hook named \"\(hook.name)\" is already registered")
            }
            h.mutating.append(hook)
        }
    }

    /// Adds a validating hook; a second hook with the same name is refused.
    public func register(validating hook: any ValidatingAdmissionHook) throws(APIError) {
        try hooks.withLock { (h: inout AdmissionHooks) throws(APIError) in
            guard !h.validating.contains(where: { $0.name == hook.name }) else {
                throw APIError(code: 409, reason: .alreadyExists, message: "a validating admission hook named \"\(hook.name)\" is already registered")
            }
            h.validating.append(hook)
        }
    }

    /// Removes the hooks with this name (a plugin unloading).
    public func unregisterHooks(named name: String) {
        hooks.withLock { h in
            h.mutating.removeAll { $0.name == name }
            h.validating.removeAll { $0.name == name }
        }
    }

    /// The admission chain for one write: built-in defaulting → mutating hooks → built-in
    /// validation → validating hooks. Returns the object to store.
    func admit(
        _ object: JSONObject, old: JSONObject?, served: ServedResource, request: AdmissionRequest, fieldValidation: FieldValidation
    ) async throws(APIError) -> JSONObject {
        let admitted = try await admitEncoded(object, old: old, served: served, request: request, fieldValidation: fieldValidation)
        return admitted.tree ?? Self.parse(admitted.encoded)
    }

    /// What admission produced: for a built-in kind with no mutating hook, the typed value and its
    /// JSON (the JSON tree only when asked for, or when validating hooks needed it); otherwise the
    /// tree.
    struct Admitted {
        var tree: JSONObject?
        var typed: (any Resource)?
        var encoded: [UInt8]
        /// Whether decoding `encoded` gives back exactly `typed`.
        var exact = false
    }

    /// ``admit(_:old:served:request:)``, keeping what the built-in path produced anyway (the
    /// typed value and its JSON), so a write that stores it as is neither encodes it again nor
    /// parses it back. `needsTree` asks for the admitted JSON tree in every case.
    func admitEncoded(
        _ object: JSONObject, old: JSONObject?, served: ServedResource, request: AdmissionRequest,
        fieldValidation: FieldValidation, needsTree: Bool = true
    ) async throws(APIError) -> Admitted {
        // Upstream reads unknown members as it decodes the request, before any hook runs: Strict
        // refuses here. Warn's warnings come from the typed decode below when there is one: a
        // value that encodes exactly carries no unknown member, so the usual write looks no further.
        if fieldValidation == .strict { try UnknownFields.refuse(object, served: served, refusal: UnknownFields.bodyRefusal(served)) }
        let warns = fieldValidation == .warn
        let (mutating, validating) = hooks.withLock { ($0.mutating, $0.validating) }
        var req = request
        let applicable = mutating.filter { hook in
            req.object = UnstructuredObject(object)
            return hook.appliesTo(req)
        }
        var admitted: Admitted
        if applicable.isEmpty, let type = served.builtinType {
            // The common case: decode once, default and validate the typed value.
            let (typed, encoded, exact): (any Resource, [UInt8], Bool)
            do {
                (typed, encoded, exact) = try Self.defaultAndValidateBuiltin(
                    type, object, old: old, subresource: request.subresource, served: served)
            } catch {
                // Upstream warned while decoding, before validation refused the write.
                if warns { UnknownFields.warn(object, served: served) }
                throw error
            }
            if warns && !exact { UnknownFields.warn(object, served: served) }
            admitted = Admitted(tree: nil, typed: typed, encoded: encoded, exact: exact)
            if needsTree || !validating.isEmpty { admitted.tree = Self.parse(encoded) }
        } else {
            if warns { UnknownFields.warn(object, served: served) }
            var current = try defaulted(object, served: served)
            for hook in applicable {
                var unstructured = UnstructuredObject(current)
                req.object = unstructured
                do { try await hook.mutate(&unstructured, request: req) } catch {
                    throw APIError.admissionDenied(hook: hook.name, error)
                }
                current = unstructured.object
            }
            if !applicable.isEmpty { current = try defaulted(current, served: served) }
            try validated(current, old: old, served: served, subresource: request.subresource)
            admitted = Admitted(tree: current, typed: nil, encoded: JSONWriter.encode(JSONValue.object(current)))
        }
        if !validating.isEmpty, let tree = admitted.tree {
            req.object = UnstructuredObject(tree)
            for hook in validating where hook.appliesTo(req) {
                do { try await hook.validate(req) } catch {
                    throw APIError.admissionDenied(hook: hook.name, error)
                }
            }
        }
        return admitted
    }

    /// Our writer's output always parses.
    private static func parse(_ encoded: [UInt8]) -> JSONObject {
        (try? JSONParser.parse(encoded))?.objectValue ?? JSONObject()
    }

    private static func defaultAndValidateBuiltin<R: Resource>(
        _ type: R.Type, _ object: JSONObject, old: JSONObject?, subresource: String?, served: ServedResource
    ) throws(APIError) -> (R, [UInt8], exact: Bool) {
        var typed = try decodeBuiltin(type, object)
        BuiltinAdmission.applyDefaults(&typed)
        let errors: FieldErrorList
        if let old {
            let oldTyped = try decodeBuiltin(type, old)
            errors = subresource == "status"
                ? BuiltinAdmission.validateStatusUpdate(typed, old: oldTyped)
                : BuiltinAdmission.validateUpdate(typed, old: oldTyped)
        } else {
            errors = BuiltinAdmission.validate(typed)
        }
        guard errors.isEmpty else {
            let name = typed.metadata.name ?? typed.metadata.generateName ?? ""
            throw APIError.invalid(kind: served.descriptor.kind, group: served.descriptor.group, name: name, errors)
        }
        var writer = JSONWriter(reservingCapacity: 1024)
        writer.dropsUnknownFields = true
        typed.encode(to: &writer)
        return (typed, writer.bytes, writer.isExact)
    }

    /// Runs validating hooks for a delete.
    func admitDelete(_ request: AdmissionRequest) async throws(APIError) {
        let validating = hooks.withLock { $0.validating }
        for hook in validating where hook.appliesTo(request) {
            do { try await hook.validate(request) } catch {
                throw APIError.admissionDenied(hook: hook.name, error)
            }
        }
    }

    private func defaulted(_ object: JSONObject, served: ServedResource) throws(APIError) -> JSONObject {
        guard let type = served.builtinType else {
            return CustomResourceAdmission.defaulted(object, served: served)
        }
        return try Self.defaultBuiltin(type, object)
    }

    private static func defaultBuiltin<R: Resource>(_ type: R.Type, _ object: JSONObject) throws(APIError) -> JSONObject {
        var typed = try decodeBuiltin(type, object)
        BuiltinAdmission.applyDefaults(&typed)
        return (try? JSONParser.parse(knownJSON(typed)))?.objectValue ?? object
    }

    /// The value's JSON without the members its type does not define: what the store keeps.
    static func knownJSON<R: Resource>(_ typed: R) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1024)
        writer.dropsUnknownFields = true
        typed.encode(to: &writer)
        return writer.bytes
    }

    static func decodeBuiltin<R: Resource>(_ type: R.Type, _ object: JSONObject) throws(APIError) -> R {
        do { return try R(json: .object(object)) } catch {
            throw APIError.badRequest("\(R.kind) in version \"\(R.version)\" cannot be handled as a \(R.kind): \(error)")
        }
    }

    private func validated(_ object: JSONObject, old: JSONObject?, served: ServedResource, subresource: String?) throws(APIError) {
        let errors: FieldErrorList
        if let type = served.builtinType {
            errors = try Self.validateBuiltin(type, object, old: old, statusOnly: subresource == "status")
        } else {
            errors = CustomResourceAdmission.validate(object, old: old, served: served)
        }
        guard errors.isEmpty else {
            let meta = object["metadata"]?.objectValue
            let name = meta?["name"]?.stringValue ?? meta?["generateName"]?.stringValue ?? ""
            throw APIError.invalid(kind: served.descriptor.kind, group: served.descriptor.group, name: name, errors)
        }
    }

    private static func validateBuiltin<R: Resource>(_ type: R.Type, _ object: JSONObject, old: JSONObject?, statusOnly: Bool) throws(APIError) -> FieldErrorList {
        let typed = try decodeBuiltin(type, object)
        guard let old else { return BuiltinAdmission.validate(typed) }
        let oldTyped = try decodeBuiltin(type, old)
        if statusOnly {
            // Status writes keep the spec of the stored object; the metadata rules and the
            // status' own apply to them.
            return BuiltinAdmission.validateStatusUpdate(typed, old: oldTyped)
        }
        return BuiltinAdmission.validateUpdate(typed, old: oldTyped)
    }
}
