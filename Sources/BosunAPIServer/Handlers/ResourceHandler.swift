import BosunKit
import BosunRuntime
import BosunStore
import NIOHTTP1

/// Every verb on a served resource, as a thin HTTP face of the ``ObjectStore``: the store does
/// the semantics (admission, patches, deletion, subresources); this decodes requests, picks the
/// store call and encodes its answer.
struct ResourceHandler: Sendable {
    let store: ObjectStore
    let clock: any RuntimeClock
    /// The local node's container logs, for `pods/log`.
    var podLogs: PodLogSource?

    func handle(_ r: ResourceRequest) async throws(APIError) -> APIResponse {
        let method = r.request.method
        if r.path.legacyWatch {
            guard method == .GET, r.path.subresource == nil else { throw notAllowed }
            return try watch(r)
        }
        switch (r.path.name, r.path.subresource) {
        case (nil, _):
            switch method {
            case .GET: return try RequestOptions.isWatch(r.query) ? try watch(r) : try list(r)
            case .POST: return try await create(r)
            case .DELETE: return try await deleteCollection(r)
            default: throw notAllowed
            }
        case (let name?, nil):
            switch method {
            case .GET: return try RequestOptions.isWatch(r.query) ? try watch(r) : try get(r, name)
            case .PUT: return try await update(r, name, subresource: nil)
            case .PATCH: return try await patch(r, name, subresource: nil)
            case .DELETE: return try await delete(r, name)
            default: throw notAllowed
            }
        case (let name?, "status"?):
            switch method {
            case .GET: return try get(r, name)
            case .PUT: return try await update(r, name, subresource: "status")
            case .PATCH: return try await patch(r, name, subresource: "status")
            default: throw notAllowed
            }
        case (let name?, "scale"?):
            switch method {
            case .GET: return try getScale(r, name)
            case .PUT: return try await updateScale(r, name)
            case .PATCH: return try await patchScale(r, name)
            default: throw notAllowed
            }
        case (let name?, "binding"?):
            guard method == .POST else { throw notAllowed }
            return try await bind(r, name)
        case (let name?, "eviction"?):
            guard method == .POST else { throw notAllowed }
            return try await evict(r, name)
        case (let name?, "log"?):
            guard method == .GET else { throw notAllowed }
            return try log(r, name)
        default:
            throw RequestRouter.pathNotFound
        }
    }

    var notAllowed: APIError {
        APIError.methodNotAllowed("the server does not allow this method on the requested resource")
    }

    // MARK: Reads

    func get(_ r: ResourceRequest, _ name: String) throws(APIError) -> APIResponse {
        let object = try store.get(r.resource, namespace: r.namespace, name: name)
        if r.path.subresource == nil, let table = try tableEncoding(r) {
            return .json(table.encode([object], resourceVersion: object.resourceVersion, now: clock.now()),
                         contentType: table.contentType)
        }
        return .json(object.bytes)
    }

    func list(_ r: ResourceRequest) throws(APIError) -> APIResponse {
        let options = try RequestOptions.list(r.query, kind: r.descriptor.kind)
        let page = try store.list(r.resource, namespace: r.namespace, options: options)
        if let table = try tableEncoding(r) {
            return .json(table.encode(page.items, resourceVersion: page.resourceVersion, continueToken: page.continueToken,
                                      remainingItemCount: page.remainingItemCount, now: clock.now()),
                         contentType: table.contentType)
        }
        return .json(ObjectEncoding.list(page, descriptor: r.descriptor))
    }

    // MARK: Writes

    func create(_ r: ResourceRequest) async throws(APIError) -> APIResponse {
        try r.requireNamespace()
        let options = try RequestOptions.write(r.query, kind: "CreateOptions")
        let object = try BodyDecoding.object(r.request, protobuf: r.takesProtobuf)
        let created = try await store.create(r.resource, namespace: r.namespace, object: object, options: options)
        return .json(created.bytes, status: .created)
    }

    func update(_ r: ResourceRequest, _ name: String, subresource: String?) async throws(APIError) -> APIResponse {
        let options = try RequestOptions.write(r.query, kind: "UpdateOptions")
        var object = try BodyDecoding.object(r.request, protobuf: r.takesProtobuf)
        var meta = object.object["metadata"]?.objectValue ?? JSONObject()
        switch meta["name"]?.stringValue {
        case nil, ""?: meta["name"] = .string(name)
        case let bodyName? where bodyName != name:
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        default: break
        }
        object.object["metadata"] = .object(meta)
        let updated = try await store.update(r.resource, namespace: r.namespace, object: object, subresource: subresource,
                                             options: options)
        return .json(updated.bytes)
    }

    func patch(_ r: ResourceRequest, _ name: String, subresource: String?) async throws(APIError) -> APIResponse {
        let options = try RequestOptions.write(r.query, kind: "PatchOptions")
        let (type, patch) = try BodyDecoding.patch(r.request)
        _ = try RequestOptions.force(r.query, patchType: type)
        if type == .apply, options.fieldManager == nil {
            throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", [
                .required("fieldManager", "is required for apply patch")
            ])
        }
        // An apply patch creates an absent object: that answer is 201, as a create's.
        let creating = type == .apply && (try? store.get(r.resource, namespace: r.namespace, name: name)) == nil
        let patched = try await store.patch(r.resource, namespace: r.namespace, name: name, type: type, patch: patch,
                                            subresource: subresource, options: options)
        return .json(patched.bytes, status: creating ? .created : .ok)
    }

    // MARK: Deletes

    func delete(_ r: ResourceRequest, _ name: String) async throws(APIError) -> APIResponse {
        let (options, writeOptions) = try RequestOptions.delete(r.request)
        switch try await deleteRetryingConflicts(r, name, options, writeOptions) {
        case .deleted(let last):
            if Self.returnsDeletedObject(r.descriptor) { return .json(last.bytes) }
            return .json(ObjectEncoding.deletedStatus(last, descriptor: r.descriptor))
        case .pending(let kept):
            // Still there (finalizers, grace period): kube-apiserver answers 202 only when the
            // client asked for cascading with the deprecated orphanDependents=false.
            return .json(kept.bytes, status: options.orphanDependents == false ? .accepted : .ok)
        }
    }

    /// A delete that keeps the object (finalizers, foreground propagation, a grace period) writes
    /// it, and the store compares against the object it read: a controller writing in between is
    /// a conflict the client did not ask for. kube-apiserver's GuaranteedUpdate retries it; so
    /// does this, unless the client pinned a resourceVersion in the preconditions.
    private func deleteRetryingConflicts(
        _ r: ResourceRequest, _ name: String, _ options: DeleteOptions, _ writeOptions: WriteOptions
    ) async throws(APIError) -> DeleteOutcome {
        let pinned = options.preconditions?.resourceVersion != nil
        var attempt = 0
        while true {
            do {
                return try await store.delete(r.resource, namespace: r.namespace, name: name, options: options,
                                              writeOptions: writeOptions)
            } catch where error.reason == .conflict && !pinned && attempt < 8 {
                attempt += 1
            }
        }
    }

    func deleteCollection(_ r: ResourceRequest) async throws(APIError) -> APIResponse {
        try r.requireNamespace()
        let listOptions = try RequestOptions.list(r.query, kind: r.descriptor.kind)
        let (options, writeOptions) = try RequestOptions.delete(r.request)
        let outcomes = try await store.deleteCollection(r.resource, namespace: r.namespace, listOptions: listOptions,
                                                        options: options, writeOptions: writeOptions)
        let list = ObjectList(items: outcomes.map(\.object), resourceVersion: store.resourceVersion)
        return .json(ObjectEncoding.list(list, descriptor: r.descriptor))
    }

    /// Registries that answer a finished delete with the object rather than a `Status`
    /// (`ReturnDeletedObject` upstream).
    static func returnsDeletedObject(_ descriptor: ResourceDescriptor) -> Bool {
        switch (descriptor.group, descriptor.plural) {
        case ("", "pods"), ("", "serviceaccounts"), ("storage.k8s.io", "storageclasses"): true
        default: false
        }
    }

    // MARK: Subresources

    func getScale(_ r: ResourceRequest, _ name: String) throws(APIError) -> APIResponse {
        .json(JSONWriter.encode(try store.scale(r.resource, namespace: r.namespace, name: name)))
    }

    func updateScale(_ r: ResourceRequest, _ name: String) async throws(APIError) -> APIResponse {
        let options = try RequestOptions.write(r.query, kind: "UpdateOptions")
        let scale = try decodeScale(try RequestBody.patch(r.request.body), name: name)
        return .json(JSONWriter.encode(try await writeScale(r, scale, options: options)))
    }

    /// Writes a Scale. One without a resourceVersion is unconditional, as kube-apiserver's
    /// GuaranteedUpdate makes it: the store compares against the object it read, so a controller
    /// writing the status in between is a conflict the client did not ask for — retried here.
    private func writeScale(_ r: ResourceRequest, _ scale: Scale, options: WriteOptions) async throws(APIError) -> Scale {
        let pinned = !(scale.metadata.resourceVersion ?? "").isEmpty
        var attempt = 0
        while true {
            do {
                return try await store.updateScale(r.resource, namespace: r.namespace, scale: scale, options: options)
            } catch where error.reason == .conflict && !pinned && attempt < 8 {
                attempt += 1
            }
        }
    }

    /// A patch of `/scale` applies to the Scale view (what kubectl scale sends: a merge patch of
    /// `spec.replicas`), and the patched Scale is then written as an update of `/scale`.
    func patchScale(_ r: ResourceRequest, _ name: String) async throws(APIError) -> APIResponse {
        let options = try RequestOptions.write(r.query, kind: "PatchOptions")
        let (type, patch) = try BodyDecoding.patch(r.request)
        let current = JSONWriter.encode(try store.scale(r.resource, namespace: r.namespace, name: name))
        let document: JSONValue
        do { document = try JSONParser.parse(current) } catch { throw APIError.internal("scale: \(error)") }
        let patched: JSONValue
        do throws(PatchError) {
            switch type {
            case .json: patched = try JSONPatch.apply(patch, to: document)
            case .merge, .apply:
                try JSONMergePatch.validate(patch)
                patched = JSONMergePatch.apply(patch, to: document)
            case .strategic: patched = try StrategicMergePatch.apply(patch, to: document, type: "Scale")
            }
        } catch {
            throw APIError(code: Int32(error.code), reason: APIError.Reason(rawValue: error.reason) ?? .unknown,
                           message: error.statusMessage)
        }
        var scale = try decodeScale(patched, name: name)
        // The patch applies to the current Scale; only a resourceVersion the patch names pins it.
        if patch[path: ["metadata", "resourceVersion"]] == nil { scale.metadata.resourceVersion = nil }
        return .json(JSONWriter.encode(try await writeScale(r, scale, options: options)))
    }

    private func decodeScale(_ value: JSONValue, name: String) throws(APIError) -> Scale {
        var scale: Scale
        do { scale = try Scale(json: value) } catch {
            throw APIError.badRequest("the body of the request could not be decoded as Scale: \(error)")
        }
        switch scale.metadata.name {
        case nil, ""?: scale.metadata.name = name
        case let bodyName? where bodyName != name:
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        default: break
        }
        return scale
    }

    /// `pods/<name>/binding`: answers `Status` Success with code 201, as kube-apiserver's
    /// BindingREST does.
    func bind(_ r: ResourceRequest, _ name: String) async throws(APIError) -> APIResponse {
        let options = try RequestOptions.write(r.query, kind: "CreateOptions")
        let body = try BodyDecoding.options(r.request)
        var binding: Binding
        do { binding = try Binding(json: body) } catch {
            throw APIError.badRequest("the body of the request could not be decoded as Binding: \(error)")
        }
        if let bodyName = binding.metadata.name, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("name in URL does not match name in Binding object")
        }
        binding.metadata.name = name
        _ = try await store.bind(namespace: r.path.namespace ?? "", binding: binding, options: options)
        return .json(JSONWriter.encode(Status(status: "Success", code: 201)), status: .created)
    }
}
