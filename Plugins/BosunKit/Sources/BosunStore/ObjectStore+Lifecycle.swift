import BosunKit
import Synchronization

// What kube-apiserver's controllers do for the store's own kinds: CRDs become served and
// Established, and a terminating namespace is emptied, then removed.
extension ObjectStore {
    /// Serves a new CRD's resources and marks it NamesAccepted and Established.
    func establish(_ stored: StoredObject) async {
        guard var crd = try? stored.decode(as: CustomResourceDefinition.self) else { return }
        let resources = CRDRegistration.servedResources(for: crd)
        state.withLock { s in
            for served in resources { s.served[served.groupResource] = served }
        }
        let now = clock.now()
        var status = crd.status
        status.acceptedNames = crd.spec.names
        status.storedVersions = crd.spec.versions.filter(\.storage).map(\.name)
        status.conditions = [
            CustomResourceDefinitionCondition(status: "True", type: "NamesAccepted", lastTransitionTime: now,
                                              message: "no conflicts found", reason: "NoConflicts"),
            CustomResourceDefinitionCondition(status: "True", type: "Established", lastTransitionTime: now,
                                              message: "the initial names have been accepted", reason: "InitialNamesAccepted"),
        ]
        crd.status = status
        crd.metadata.resourceVersion = String(stored.resourceVersion)
        _ = try? await update(CRDRegistration.resource, object: UnstructuredObject(crd), subresource: "status")
    }

    /// Stops serving a deleted CRD's resources and deletes its objects.
    func unserve(_ stored: StoredObject) async {
        guard let crd = try? stored.decode(as: CustomResourceDefinition.self) else { return }
        let resource = GroupResource(group: crd.spec.group, resource: crd.spec.names.plural)
        let objects = state.withLock { s -> [StoredObject] in
            Array((s.tables[resource] ?? [:]).values)
        }
        for object in objects {
            _ = try? await delete(resource, namespace: object.key.namespace, name: object.key.name,
                                  options: DeleteOptions(propagationPolicy: "Background"))
        }
        state.withLock { s in
            if (s.tables[resource] ?? [:]).isEmpty { s.served[resource] = nil }
        }
    }

    /// Deletes the contents of a terminating namespace; once nothing is left, removes its
    /// `kubernetes` finalizer and the namespace itself. Called on the namespace's deletion and
    /// whenever an object in it goes away.
    func finalizeNamespaceIfEmpty(_ name: String) async {
        let namespaces = GroupResource(group: "", resource: "namespaces")
        guard let ns = state.withLock({ $0.object(ObjectKey(namespaces, name: name)) }), ns.isDeleting else { return }
        let contents = state.withLock { s -> [StoredObject] in
            s.tables.values.flatMap { $0.values.filter { $0.key.namespace == name } }
        }
        for object in contents where !object.isDeleting {
            _ = try? await delete(object.key.resource, namespace: name, name: object.key.name,
                                  options: DeleteOptions(gracePeriodSeconds: 0, propagationPolicy: "Background"))
        }
        let remaining = state.withLock { s in s.tables.values.contains { $0.values.contains { $0.key.namespace == name } } }
        guard !remaining else { return }
        guard let current = state.withLock({ $0.object(ObjectKey(namespaces, name: name)) }) else { return }
        var object = current.unstructured().object
        var spec = object["spec"]?.objectValue ?? JSONObject()
        spec["finalizers"] = nil
        object["spec"] = .object(spec)
        guard let served = try? served(namespaces) else { return }
        if (object.metadataObject["finalizers"]?.arrayValue ?? []).isEmpty {
            _ = try? await remove(current, lastState: object, served: served)
        } else {
            _ = try? await replace(current, with: object, served: served, subresource: nil, options: WriteOptions())
        }
    }
}
