import BosunKit
import BosunStore
import Testing

@Suite("Store: delete, finalizers, namespaces")
struct StoreDeleteTests {
    @Test func finalizersKeepTheObjectUntilTheLastIsRemoved() async throws {
        let clock = ManualClock()
        let store = try await makeStore(clock: clock)
        var cm = configMap("c")
        cm.rawMetadata["finalizers"] = ["example.com/a", "example.com/b"]
        let created = try await store.create(configMaps, object: cm)
        let watch = try store.watch(configMaps, options: ListOptions(resourceVersion: String(created.resourceVersion)))

        let outcome = try await store.delete(configMaps, namespace: "default", name: "c")
        guard case .pending(let pending) = outcome else { Issue.record("expected pending"); return }
        #expect(pending.meta["deletionTimestamp"] == clock.now().jsonValue())
        #expect(pending.meta["deletionGracePeriodSeconds"] == 0)

        var one = pending.unstructured()
        one.rawMetadata["finalizers"] = ["example.com/b"]
        let stillThere = try await store.update(configMaps, object: one)
        #expect(stillThere.finalizers == ["example.com/b"])

        // No new finalizer may be added now.
        var added = stillThere.unstructured()
        added.rawMetadata["finalizers"] = ["example.com/b", "example.com/c"]
        await #expect(throws: APIError.self) { try await store.update(configMaps, object: added) }

        var none = stillThere.unstructured()
        none.rawMetadata["finalizers"] = nil
        try await store.update(configMaps, object: none)
        #expect(throws: APIError.notFound(configMaps, "c")) { try store.get(configMaps, namespace: "default", name: "c") }

        let events = try await take(3, from: watch)
        #expect(events.map(\.type) == [.modified, .modified, .deleted])
        #expect(events[2].object?.resourceVersion == store.resourceVersion)
    }

    @Test func defaultPropagationOrphansJobsAndRCs() async throws {
        let store = try await makeStore()
        let job = try object(#"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","namespace":"default"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}"#)
        try await store.create(jobs, object: job)
        let outcome = try await store.delete(jobs, namespace: "default", name: "pi")
        #expect(outcome.object.finalizers == ["orphan"])

        try await store.create(deployments, object: deployment("web"))
        let background = try await store.delete(deployments, namespace: "default", name: "web")
        guard case .deleted = background else { Issue.record("a Deployment is deleted at once by default"); return }
    }

    @Test func foregroundAddsItsFinalizer() async throws {
        let store = try await makeStore()
        try await store.create(deployments, object: deployment("web"))
        let outcome = try await store.delete(deployments, namespace: "default", name: "web",
                                             options: DeleteOptions(propagationPolicy: "Foreground"))
        #expect(outcome.object.finalizers == ["foregroundDeletion"])
        #expect(outcome.object.isDeleting)
        #expect(outcome.object.meta["generation"] == 2)
        await #expect(throws: APIError.self) {
            try await store.delete(deployments, namespace: "default", name: "web", options: DeleteOptions(propagationPolicy: "Sideways"))
        }
    }

    @Test func scheduledPodsAreDeletedGracefully() async throws {
        let clock = ManualClock()
        let store = try await makeStore(clock: clock)
        try await store.create(pods, object: pod("running", nodeName: "n1"))
        try await store.create(pods, object: pod("pending"))
        guard case .pending(let graceful) = try await store.delete(pods, namespace: "default", name: "running") else {
            Issue.record("a scheduled pod is deleted gracefully")
            return
        }
        #expect(graceful.meta["deletionGracePeriodSeconds"] == 30)
        #expect(graceful.meta["deletionTimestamp"] == Time(secondsSinceEpoch: clock.now().secondsSinceEpoch + 30).jsonValue())
        // The kubelet's final delete.
        guard case .deleted = try await store.delete(pods, namespace: "default", name: "running",
                                                     options: DeleteOptions(gracePeriodSeconds: 0)) else {
            Issue.record("grace 0 deletes")
            return
        }
        guard case .deleted = try await store.delete(pods, namespace: "default", name: "pending") else {
            Issue.record("an unscheduled pod goes at once")
            return
        }
    }

    @Test func preconditionsMustHold() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("c"))
        do {
            try await store.delete(configMaps, namespace: "default", name: "c", options: DeleteOptions(preconditions: Preconditions(uid: "other")))
            Issue.record("expected Conflict")
        } catch {
            #expect(error.code == 409)
            #expect(error.message == #"Operation cannot be fulfilled on configmaps "c": Precondition failed: UID in precondition: other, UID in object meta: \#(created.uid)"#)
        }
        try await store.delete(configMaps, namespace: "default", name: "c",
                               options: DeleteOptions(preconditions: Preconditions(resourceVersion: String(created.resourceVersion))))
    }

    @Test func namespaceDeletionEmptiesThenRemovesIt() async throws {
        let store = try await makeStore()
        try await store.create(namespaces, object: UnstructuredObject(Namespace(metadata: ObjectMeta(name: "team"))))
        var held = configMap("held", namespace: "team")
        held.rawMetadata["finalizers"] = ["example.com/hold"]
        try await store.create(configMaps, object: held)
        try await store.create(configMaps, object: configMap("free", namespace: "team"))

        guard case .pending(let terminating) = try await store.delete(namespaces, name: "team") else {
            Issue.record("a namespace with content terminates first")
            return
        }
        #expect(terminating.unstructured()[path: "status", "phase"] == "Terminating")
        #expect(throws: APIError.self) { try store.get(configMaps, namespace: "team", name: "free") }
        do {
            try await store.create(configMaps, object: configMap("new", namespace: "team"))
            Issue.record("expected Forbidden")
        } catch {
            #expect(error.code == 403)
            #expect(error.message == #"configmaps "new" is forbidden: unable to create new content in namespace team because it is being terminated"#)
            #expect(error.hasCause(APIError.namespaceTerminatingCause), "controllers recognise the refusal by its cause")
        }
        // The held object goes once its finalizer is removed, and then so does the namespace.
        var release = try store.get(configMaps, namespace: "team", name: "held").unstructured()
        release.rawMetadata["finalizers"] = nil
        try await store.update(configMaps, object: release)
        #expect(throws: APIError.notFound(namespaces, "team")) { try store.get(namespaces, name: "team") }
    }

    @Test func deleteCollectionBySelector() async throws {
        let store = try await makeStore()
        try await store.create(configMaps, object: configMap("a", labels: ["x": "1"]))
        try await store.create(configMaps, object: configMap("b", labels: ["x": "1"]))
        try await store.create(configMaps, object: configMap("c"))
        let outcomes = try await store.deleteCollection(configMaps, namespace: "default", listOptions: ListOptions(labelSelector: .parse("x=1")))
        #expect(outcomes.count == 2)
        #expect(try store.list(configMaps).items.map(\.key.name) == ["c"])
    }

    @Test func dependentsAreIndexedByOwnerUID() async throws {
        let store = try await makeStore()
        let owner = try await store.create(configMaps, object: configMap("owner"))
        var child = configMap("child")
        child.rawMetadata["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string(owner.uid)]]
        try await store.create(configMaps, object: child)
        #expect(store.dependents(ofOwner: owner.uid).map(\.key.name) == ["child"])
        try await store.delete(configMaps, namespace: "default", name: "child")
        #expect(store.dependents(ofOwner: owner.uid).isEmpty)
    }
}
