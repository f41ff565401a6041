import BosunKit
import BosunStore
import Synchronization
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

    /// A controller's status write lands between the delete reading the object and committing
    /// (here made by a validating hook, which runs in between): the delete reads again and
    /// succeeds, as kube-apiserver's does — the caller never sees that write's Conflict. With a
    /// resourceVersion precondition the same race is the caller's Conflict.
    @Test func aWriteDuringTheDeleteIsReadPastNotReturnedAsConflict() async throws {
        let store = try await makeStore()
        for name in ["raced", "preconditioned"] {
            var cm = configMap(name)
            cm.rawMetadata["finalizers"] = ["example.com/keep"]
            try await store.create(configMaps, object: cm)
        }
        let hook = WriteDuringDelete(store: store)
        try store.register(validating: hook)

        let outcome = try await store.delete(configMaps, namespace: "default", name: "raced")
        guard case .pending(let pending) = outcome else { Issue.record("expected pending"); return }
        #expect(hook.writes == ["raced"])
        #expect(pending.meta["deletionTimestamp"] != nil)
        #expect(pending.unstructured().object["data"]?["written"] == "during the delete", "the delete kept the other write")

        // With the resourceVersion it read as a precondition, the same race is the caller's Conflict.
        let read = try store.get(configMaps, namespace: "default", name: "preconditioned").resourceVersion
        await #expect {
            try await store.delete(configMaps, namespace: "default", name: "preconditioned",
                                   options: DeleteOptions(preconditions: Preconditions(resourceVersion: String(read))))
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.code == 409 && error.message.contains("Precondition failed: ResourceVersion in precondition: \(read)")
        }
        #expect(hook.writes == ["raced", "preconditioned"])
        #expect(try store.get(configMaps, namespace: "default", name: "preconditioned").meta["deletionTimestamp"] == nil)
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

    /// The store's half of namespace deletion (kube-apiserver's namespace storage); emptying the
    /// namespace is the namespace controller's, tested in BosunControllersTests.
    @Test func namespaceDeletionStartsTerminationAndWaitsForFinalize() async throws {
        let store = try await makeStore()
        try await store.create(namespaces, object: UnstructuredObject(Namespace(metadata: ObjectMeta(name: "team"))))
        try await store.create(configMaps, object: configMap("kept", namespace: "team"))

        guard case .pending(let terminating) = try await store.delete(namespaces, name: "team") else {
            Issue.record("a namespace terminates first")
            return
        }
        #expect(terminating.unstructured()[path: "status", "phase"] == "Terminating")
        #expect(terminating.unstructured()[path: "spec", "finalizers"] == ["kubernetes"])
        #expect(try store.get(configMaps, namespace: "team", name: "kept").isDeleting == false, "the store leaves the contents alone")
        do {
            try await store.create(configMaps, object: configMap("new", namespace: "team"))
            Issue.record("expected Forbidden")
        } catch {
            #expect(error.code == 403)
            #expect(error.message == #"configmaps "new" is forbidden: unable to create new content in namespace team because it is being terminated"#)
            #expect(error.hasCause(APIError.namespaceTerminatingCause), "controllers recognise the refusal by its cause")
        }
        // Deleting again, updating it or writing its status do not remove it while spec.finalizers remain.
        guard case .pending = try await store.delete(namespaces, name: "team") else {
            Issue.record("a terminating namespace waits for its finalizers")
            return
        }
        var update = try store.get(namespaces, name: "team").unstructured()
        update.object["spec"] = ["finalizers": []]
        let updated = try await store.update(namespaces, object: update)
        #expect(updated.unstructured()[path: "spec", "finalizers"] == ["kubernetes"], "only /finalize changes spec.finalizers")
        var status = updated.unstructured()
        status.object["status"] = ["phase": "Terminating", "conditions": [["type": "NamespaceContentRemaining", "status": "True"]]]
        try await store.update(namespaces, object: status, subresource: "status")
        #expect(try store.get(namespaces, name: "team").isDeleting)

        // The namespace controller's finalize: the last spec finalizer gone, the namespace goes.
        var finalize = try store.get(namespaces, name: "team").unstructured()
        finalize.object["spec"] = ["finalizers": []]
        finalize.object["status"] = ["phase": "Active"]
        try await store.update(namespaces, object: finalize, subresource: "finalize")
        #expect(throws: APIError.notFound(namespaces, "team")) { try store.get(namespaces, name: "team") }
    }

    @Test func finalizedNamespaceWaitsForItsMetadataFinalizers() async throws {
        let store = try await makeStore()
        var namespace = UnstructuredObject(Namespace(metadata: ObjectMeta(finalizers: ["example.com/audit"], name: "audited")))
        namespace.object["spec"] = ["finalizers": ["example.com/cleanup"]]
        let created = try await store.create(namespaces, object: namespace)
        #expect(created.unstructured()[path: "spec", "finalizers"] == ["example.com/cleanup", "kubernetes"],
                "every namespace gets the kubernetes finalizer on create")
        try await store.delete(namespaces, name: "audited")

        var finalize = try store.get(namespaces, name: "audited").unstructured()
        finalize.object["spec"] = ["finalizers": ["example.com/cleanup"]]
        let partly = try await store.update(namespaces, object: finalize, subresource: "finalize")
        #expect(partly.unstructured()[path: "status", "phase"] == "Terminating", "/finalize writes no status")
        finalize = partly.unstructured()
        finalize.object["spec"] = ["finalizers": []]
        try await store.update(namespaces, object: finalize, subresource: "finalize")
        let waiting = try store.get(namespaces, name: "audited")
        #expect(waiting.finalizers == ["example.com/audit"])

        var release = waiting.unstructured()
        release.rawMetadata["finalizers"] = nil
        try await store.update(namespaces, object: release)
        #expect(throws: APIError.notFound(namespaces, "audited")) { try store.get(namespaces, name: "audited") }
        await #expect(throws: APIError.self, "only namespaces have /finalize") {
            try await store.update(configMaps, object: configMap("c"), subresource: "finalize")
        }
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

/// On the first delete of each object, writes it (a concurrent writer's update) between the
/// delete's read and its commit.
private final class WriteDuringDelete: ValidatingAdmissionHook {
    let store: ObjectStore
    private let written = Mutex<[String]>([])
    let name = "write-during-delete"

    init(store: ObjectStore) { self.store = store }

    /// The objects written, in order.
    var writes: [String] { written.withLock { $0 } }

    func appliesTo(_ request: AdmissionRequest) -> Bool { request.operation == .delete }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        let name = request.name
        guard written.withLock({ w in w.contains(name) ? false : { w.append(name); return true }() }) else { return }
        guard var object = try? store.get(configMaps, namespace: "default", name: name).unstructured() else { return }
        object.object["data"] = ["written": "during the delete"]
        _ = try? await store.update(configMaps, object: object)
    }
}
