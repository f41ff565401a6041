import BosunKit
import Synchronization

/// The four patch formats of a Kubernetes PATCH request, by media type.
public enum PatchType: String, Sendable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

extension ObjectStore {
    /// Patches an object (or its status), retrying internally when another writer got in
    /// between, as kube-apiserver does — unless the patch itself names a `resourceVersion`, which
    /// then must still be current.
    ///
    /// - JSON Patch (RFC 6902): a failed `test` or an operation that does not apply is 422.
    /// - JSON Merge Patch (RFC 7386): `null` deletes.
    /// - Strategic merge patch: built-in kinds only (415 for custom resources), with Kubernetes'
    ///   merge keys and directives.
    /// - Apply: creates the object if it is absent, otherwise merges the applied configuration
    ///   (strategic merge for built-in kinds, merge patch for custom resources). A field manager
    ///   is required. Field ownership (`managedFields`) is not tracked yet: conflicts between
    ///   managers are not detected.
    @discardableResult
    public func patch(
        _ resource: GroupResource, namespace: String? = nil, name: String, type: PatchType, patch: JSONValue,
        subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(APIError) -> StoredObject {
        let served = try served(resource)
        if type == .strategic && served.builtinType == nil {
            throw Self.apiError(PatchError.unsupportedForCustomResources())
        }
        if type == .apply && (options.fieldManager ?? "").isEmpty {
            throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", [
                .required("fieldManager", "is required for apply patch")
            ])
        }
        let key = ObjectKey(resource, namespace: served.descriptor.namespaced ? (namespace ?? "") : "", name: name)
        let pinnedVersion = patch[path: ["metadata", "resourceVersion"]]?.stringValue
        for _ in 0..<8 {
            guard let current = state.withLock({ $0.object(key) }) else {
                if type == .apply {
                    guard case .object(var object) = patch else { throw APIError.badRequest("an applied configuration must be an object") }
                    object.metadataObject["name"] = .string(name)
                    if !key.namespace.isEmpty { object.metadataObject["namespace"] = .string(key.namespace) }
                    return try await create(resource, namespace: key.namespace, object: UnstructuredObject(object), options: options)
                }
                throw APIError.notFound(resource, name)
            }
            if let pinnedVersion, !pinnedVersion.isEmpty, pinnedVersion != String(current.resourceVersion) {
                throw APIError.conflict(resource, name)
            }
            let document = JSONValue.object(current.unstructured().object)
            let patched: JSONValue
            do {
                switch type {
                case .json: patched = try JSONPatch.apply(patch, to: document)
                case .merge:
                    try JSONMergePatch.validate(patch)
                    patched = JSONMergePatch.apply(patch, to: document)
                case .strategic, .apply:
                    if let builtin = served.builtinType {
                        patched = try StrategicMergePatch.apply(patch, to: document, type: String(describing: builtin))
                    } else {
                        try JSONMergePatch.validate(patch)
                        patched = JSONMergePatch.apply(patch, to: document)
                    }
                }
            } catch {
                throw Self.apiError(error)
            }
            guard case .object(var object) = Self.withoutPatchDirectives(patched) else {
                throw APIError.badRequest("the patched object is not a JSON object")
            }
            // A patch that leaves resourceVersion alone means "whatever is stored".
            object.metadataObject["resourceVersion"] = .string(String(current.resourceVersion))
            var replaceOptions = options
            if type != .apply {
                // Upstream decodes the patched object strictly, and its refusal names the patch.
                try UnknownFields.check(object, served: served, fieldValidation: options.fieldValidation) { text in
                    APIError.invalid(kind: "", group: "", name: "", [
                        .invalid("patch", String(decoding: JSONWriter.encode(JSONValue.object(object)), as: UTF8.self), text)
                    ])
                }
                replaceOptions.fieldValidation = .ignore
            }
            do {
                return try await replace(current, with: object, served: served, subresource: subresource, options: replaceOptions)
            } catch where error.reason == .conflict && pinnedVersion == nil {
                continue
            }
        }
        throw APIError.conflict(resource, name, "the object kept changing while the patch was applied; try again")
    }

    /// Strategic-merge directives (`$patch`, `$retainKeys`, `$setElementOrder/…`,
    /// `$deleteFromPrimitiveList/…`) left inside newly added fields are not data: Kubernetes
    /// drops them when it decodes into typed objects, and so must the store.
    static func withoutPatchDirectives(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            var out = JSONObject()
            out.members.reserveCapacity(o.count)
            for m in o.members where !isDirective(m.key) {
                out.members.append(JSONObject.Member(key: m.key, value: withoutPatchDirectives(m.value)))
            }
            return .object(out)
        case .array(let a):
            return .array(a.map(withoutPatchDirectives))
        default:
            return value
        }
    }

    private static func isDirective(_ key: String) -> Bool {
        key == "$patch" || key == "$retainKeys" || key.hasPrefix("$setElementOrder/")
            || key.hasPrefix("$deleteFromPrimitiveList/")
    }

    static func apiError(_ error: PatchError) -> APIError {
        let reason = APIError.Reason(rawValue: error.reason) ?? .unknown
        return APIError(code: Int32(error.code), reason: reason, message: error.statusMessage)
    }
}
