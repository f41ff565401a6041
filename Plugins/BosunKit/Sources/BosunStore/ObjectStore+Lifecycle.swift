import BosunKit
import Synchronization

// What kube-apiserver's controllers do for the store's own kinds: CRDs become served and
// Established, and a deleted CRD's objects go with it. (Emptying a terminating namespace is
// kube-controller-manager's namespace controller, in BosunControllers.)
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
}
