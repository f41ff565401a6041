import BosunRuntime
import Synchronization

// The attempt-to-delete worker (upstream's `attemptToDeleteItem`).
extension GarbageCollector {
    func processAttemptToDelete(_ uid: CompactUID) async -> Outcome {
        guard let item = graph.withLock({ $0.snapshot(uid) }) else { return .forget }
        do {
            try await attemptToDeleteItem(item)
        } catch GarbageCollectorError.virtualDeleteQueued, GarbageCollectorError.namespacedOwnerOfClusterScopedObject {
            return .forget
        } catch {
            logger.warning("garbage collecting failed; retrying", metadata: [
                "item": "\(ObjectCoordinates(kind: item.kind, namespace: item.namespace, name: item.name, uid: item.uidText))",
                "error": "\(error)",
            ])
            return .requeue
        }
        // An owner known only from references: look again until a monitor observes it.
        let observed = graph.withLock { $0.snapshot(uid)?.isObserved } ?? true
        return observed ? .forget : .requeue
    }

    /// Reads the object from the API server and deletes it if all its owners are absent, strips
    /// its references to absent and foreground-deleting owners if some owner lives, and drives
    /// the foreground deletion of an owner waiting for its dependents.
    private func attemptToDeleteItem(_ item: NodeSnapshot) async throws {
        // Being deleted is a one-way trip: wait for the final deletion, then see to the dependents.
        if item.isBeingDeleted && !item.isDeletingDependents { return }
        let resource = try resource(for: item.kind)
        let latest = try await latestObject(item, resource)
        if item.isDeletingDependents {
            processDeletingDependents(item)
            try await removeFinalizerIfUnblocked(item, resource)
            return
        }
        let references = ObservedObject.ownerReferences(of: latest)
        if references.isEmpty { return }

        let owners = try await classify(references, of: item)
        if !owners.solid.isEmpty {
            let stale = owners.dangling + owners.waitingForDependentsDeletion
            guard !stale.isEmpty else { return }
            // Keep the object; references to owners that are gone, or that wait for their
            // dependents' deletion (which would otherwise wait for this one forever), go.
            try await removeOwnerReferences(Set(stale.map { CompactUID($0.uid) }), from: latest, resource)
            return
        }
        let current = graph.withLock { $0.snapshot(item.uid) } ?? item
        if !owners.waitingForDependentsDeletion.isEmpty && current.dependentCount > 0 {
            // An owner waits for this object, which has dependents of its own: delete it in the
            // foreground too. If one of its dependents waits for its own dependents, the
            // references to this object's owners stop blocking first, so that no cycle of
            // waiting objects can form (GC-6).
            var target = latest
            if current.hasDependentDeletingDependents {
                target = try await unblockOwnerReferences(of: latest, resource)
            }
            try await delete(item, resource, at: target, policy: "Foreground")
            return
        }
        // No owner lives: collect it, propagating as its own finalizers ask.
        let policy = latest.finalizers.contains(PropagationFinalizer.orphan) ? "Orphan"
            : latest.finalizers.contains(PropagationFinalizer.foregroundDeletion) ? "Foreground" : "Background"
        try await delete(item, resource, at: latest, policy: policy)
    }

    /// The object as the API server has it now; if it is gone (or another object took its
    /// name), the graph drops it and the item is done.
    private func latestObject(_ item: NodeSnapshot, _ resource: ResourceDescriptor) async throws -> StoredObject {
        let latest: StoredObject
        do {
            latest = try await client.getObject(resource, namespace: resource.namespaced ? item.namespace : nil, name: item.name)
        } catch let error as APIError where error.code == 404 {
            throw virtualDelete(item)
        }
        guard CompactUID(latest.uid) == item.uid else { throw virtualDelete(item) }
        return latest
    }

    func virtualDelete(_ item: NodeSnapshot) -> GarbageCollectorError {
        let identity = ObjectCoordinates(kind: item.kind, namespace: item.namespace, name: item.name, uid: item.uidText)
        apply(graph.withLock { $0.virtualDelete(identity) })
        return .virtualDeleteQueued
    }

    // MARK: Owners

    private struct ClassifiedOwners {
        /// Owners that exist and are not waiting for their dependents' deletion.
        var solid: [OwnerReference] = []
        /// Owners that do not exist (or exist under another uid).
        var dangling: [OwnerReference] = []
        /// Owners being deleted in the foreground.
        var waitingForDependentsDeletion: [OwnerReference] = []
    }

    private func classify(_ references: [OwnerReference], of item: NodeSnapshot) async throws -> ClassifiedOwners {
        var owners = ClassifiedOwners()
        for reference in references {
            guard let owner = try await liveOwner(reference, of: item) else {
                owners.dangling.append(reference)
                continue
            }
            if owner.isDeleting && owner.finalizers.contains(PropagationFinalizer.foregroundDeletion) {
                owners.waitingForDependentsDeletion.append(reference)
            } else {
                owners.solid.append(reference)
            }
        }
        return owners
    }

    /// The owner a reference names, read from the API server; `nil` when it is absent (upstream's
    /// `isDangling`). A namespaced owner is looked for in the dependent's namespace only.
    private func liveOwner(_ reference: OwnerReference, of item: NodeSnapshot) async throws -> StoredObject? {
        var key = ObjectCoordinates(reference, namespace: "")
        if absentOwners.withLock({ $0.contains(key) }) { return nil }
        key.namespace = item.namespace
        if absentOwners.withLock({ $0.contains(key) }) { return nil }

        let resource = try resource(for: GraphKind(apiVersion: reference.apiVersion, kind: reference.kind))
        if !resource.namespaced { key.namespace = "" }
        if item.namespace.isEmpty && resource.namespaced {
            logger.debug("a cluster-scoped object refers to a namespaced owner", metadata: ["owner": "\(key)"])
            throw GarbageCollectorError.namespacedOwnerOfClusterScopedObject
        }
        let owner: StoredObject
        do {
            owner = try await client.getObject(resource, namespace: resource.namespaced ? item.namespace : nil, name: reference.name)
        } catch let error as APIError where error.code == 404 {
            absentOwners.withLock { $0.add(key) }
            return nil
        }
        guard CompactUID(owner.uid) == CompactUID(reference.uid) else {
            absentOwners.withLock { $0.add(key) }
            return nil
        }
        return owner
    }

    // MARK: Foreground deletion

    /// Queues the blocking dependents of an owner deleted in the foreground (those themselves
    /// waiting for their dependents get there on their own).
    private func processDeletingDependents(_ item: NodeSnapshot) {
        for dependent in graph.withLock({ $0.blockingDependents(of: item.uid) }) where !dependent.isDeletingDependents {
            attemptToDelete.add(dependent.uid)
        }
    }

    /// Once no dependent blocks it, the owner loses its `foregroundDeletion` finalizer and goes.
    private func removeFinalizerIfUnblocked(_ item: NodeSnapshot, _ resource: ResourceDescriptor) async throws {
        guard graph.withLock({ $0.blockingDependents(of: item.uid) }).isEmpty else { return }
        try await removeFinalizer(PropagationFinalizer.foregroundDeletion, from: item, resource)
    }
}
