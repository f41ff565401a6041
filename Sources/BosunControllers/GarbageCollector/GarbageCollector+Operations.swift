import BosunRuntime
import Synchronization

// The collector's writes, by descriptor so that any kind can be handled.
extension GarbageCollector {
    /// Deletes the object on the condition that it is still `latest` (uid and resourceVersion);
    /// if only its resourceVersion moved and its owners are the same, again on the uid alone.
    func delete(_ item: NodeSnapshot, _ resource: ResourceDescriptor, at latest: StoredObject, policy: String) async throws {
        let namespace = resource.namespaced ? item.namespace : nil
        var options = DeleteOptions(
            preconditions: Preconditions(resourceVersion: String(latest.resourceVersion), uid: latest.uid), propagationPolicy: policy)
        logger.debug("deleting", metadata: ["item": "\(item.kind.kind) \(item.namespace)/\(item.name)", "propagationPolicy": "\(policy)"])
        do {
            _ = try await client.deleteObject(resource, namespace: namespace, name: item.name, options: options, writeOptions: WriteOptions())
        } catch let error as APIError where error.code == 404 {
            throw virtualDelete(item)
        } catch let error as APIError where error.code == 409 {
            let live: StoredObject
            do {
                live = try await client.getObject(resource, namespace: namespace, name: item.name)
            } catch let missing as APIError where missing.code == 404 {
                throw virtualDelete(item)
            }
            guard live.uid == latest.uid, live.resourceVersion != latest.resourceVersion,
                  ObservedObject.ownerReferences(of: live) == ObservedObject.ownerReferences(of: latest)
            else { throw error }
            options.preconditions?.resourceVersion = nil
            do {
                _ = try await client.deleteObject(resource, namespace: namespace, name: item.name, options: options, writeOptions: WriteOptions())
            } catch let error as APIError where error.code == 404 {
                throw virtualDelete(item)
            }
        }
    }

    /// Removes the references to `owners` from the object.
    func removeOwnerReferences(_ owners: Set<CompactUID>, from object: StoredObject, _ resource: ResourceDescriptor) async throws {
        let strategic: JSONValue = ["metadata": [
            "ownerReferences": .array(owners.sorted().map { ["$patch": "delete", "uid": .string($0.description)] }),
            "uid": .string(object.uid),
        ]]
        try await patch(object, resource, strategic: strategic) { latest in
            let remaining = ObservedObject.ownerReferences(of: latest).filter { !owners.contains(CompactUID($0.uid)) }
            return remaining.isEmpty ? .null : .array(remaining.map { $0.jsonValue() })
        }
    }

    /// Makes every blocking reference of the object non-blocking; returns the object after.
    func unblockOwnerReferences(of object: StoredObject, _ resource: ResourceDescriptor) async throws -> StoredObject {
        let blocking = ObservedObject.ownerReferences(of: object).filter { $0.blockOwnerDeletion == true }.map { reference in
            var unblocked = reference
            unblocked.blockOwnerDeletion = false
            return unblocked.jsonValue()
        }
        let strategic: JSONValue = ["metadata": ["ownerReferences": .array(blocking), "uid": .string(object.uid)]]
        return try await patch(object, resource, strategic: strategic) { latest in
            .array(ObservedObject.ownerReferences(of: latest).map { reference in
                var unblocked = reference
                unblocked.blockOwnerDeletion = false
                return unblocked.jsonValue()
            })
        }
    }

    /// A strategic merge patch, which matches ownerReferences by uid and needs no
    /// resourceVersion; for custom resources, which take no strategic merge patches, a JSON
    /// merge patch of the whole ownerReferences list computed from the object as it is now and
    /// conditioned on its resourceVersion (upstream's `patch`).
    @discardableResult
    private func patch(
        _ object: StoredObject, _ resource: ResourceDescriptor, strategic: JSONValue,
        ownerReferences: (StoredObject) -> JSONValue
    ) async throws -> StoredObject {
        let namespace = resource.namespaced ? object.key.namespace : nil
        do {
            return try await client.patchObject(resource, namespace: namespace, name: object.key.name, patchType: .strategic,
                                                patch: strategic, subresource: nil, options: WriteOptions())
        } catch let error as APIError where error.code == 415 {
            let latest = try await client.getObject(resource, namespace: namespace, name: object.key.name)
            guard latest.uid == object.uid else { throw APIError.notFound(resource.resourceKey, object.key.name) }
            let merge: JSONValue = ["metadata": [
                "resourceVersion": .string(String(latest.resourceVersion)), "ownerReferences": ownerReferences(latest),
            ]]
            return try await client.patchObject(resource, namespace: namespace, name: object.key.name, patchType: .merge,
                                                patch: merge, subresource: nil, options: WriteOptions())
        }
    }

    /// Removes `finalizer` from the object, reading it again after a conflict (a few times, then
    /// the item is retried with its backoff).
    func removeFinalizer(_ finalizer: String, from item: NodeSnapshot, _ resource: ResourceDescriptor) async throws {
        let namespace = resource.namespaced ? item.namespace : nil
        var attempt = 0
        while true {
            attempt += 1
            let object: StoredObject
            do {
                object = try await client.getObject(resource, namespace: namespace, name: item.name)
            } catch let error as APIError where error.code == 404 {
                return
            }
            guard CompactUID(object.uid) == item.uid, object.finalizers.contains(finalizer) else { return }
            let remaining = object.finalizers.filter { $0 != finalizer }
            let patch: JSONValue = ["metadata": [
                "resourceVersion": .string(String(object.resourceVersion)),
                "finalizers": remaining.isEmpty ? .null : .array(remaining.map { .string($0) }),
            ]]
            do {
                _ = try await client.patchObject(resource, namespace: namespace, name: item.name, patchType: .merge, patch: patch,
                                                 subresource: nil, options: WriteOptions())
                logger.debug("removed finalizer", metadata: ["finalizer": "\(finalizer)", "item": "\(item.namespace)/\(item.name)"])
                return
            } catch let error as APIError where error.code == 409 && attempt < 4 {
                continue
            } catch let error as APIError where error.code == 404 {
                return
            }
        }
    }

    // MARK: Orphaning

    /// The attempt-to-orphan worker: removes the owner from its dependents' ownerReferences,
    /// then its `orphan` finalizer.
    func processAttemptToOrphan(_ uid: CompactUID) async -> Outcome {
        guard let owner = graph.withLock({ $0.snapshot(uid) }) else { return .forget }
        let dependents = graph.withLock { $0.dependents(of: uid) }
        do {
            try await orphan(dependents, of: owner)
            try await removeFinalizer(PropagationFinalizer.orphan, from: owner, try resource(for: owner.kind))
            return .forget
        } catch {
            logger.warning("orphaning dependents failed; retrying", metadata: [
                "owner": "\(owner.kind.kind) \(owner.namespace)/\(owner.name)", "error": "\(error)",
            ])
            return .requeue
        }
    }

    private func orphan(_ dependents: [DependentSnapshot], of owner: NodeSnapshot) async throws {
        // A bounded number of patches at a time: an owner may have thousands of dependents.
        let failures = await withTaskGroup(of: String?.self) { group -> [String] in
            var failures: [String] = []
            var pending = dependents[...]
            func next() {
                guard let dependent = pending.popFirst() else { return }
                group.addTask { await self.orphan(dependent, of: owner.uid) }
            }
            for _ in 0..<min(50, dependents.count) { next() }
            for await failure in group {
                if let failure { failures.append(failure) }
                next()
            }
            return failures
        }
        if !failures.isEmpty {
            throw APIError.internal("failed to orphan dependents of owner \(owner.name): \(failures.sorted().joined(separator: ", "))")
        }
    }

    /// Removes `owner` from one dependent's references; returns why it failed, if it did.
    private func orphan(_ dependent: DependentSnapshot, of owner: CompactUID) async -> String? {
        do {
            let resource = try resource(for: dependent.kind)
            let namespace = resource.namespaced ? dependent.namespace : nil
            let object = try await client.getObject(resource, namespace: namespace, name: dependent.name)
            guard CompactUID(object.uid) == dependent.uid else { return nil }
            try await removeOwnerReferences([owner], from: object, resource)
            return nil
        } catch let error as APIError where error.code == 404 {
            return nil
        } catch {
            return "orphaning \(dependent.kind.kind) \(dependent.namespace)/\(dependent.name) failed, \(error)"
        }
    }
}
