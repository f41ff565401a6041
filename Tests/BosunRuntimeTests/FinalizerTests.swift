import BosunKit
import BosunRuntime
import BosunStore
import Testing

@Suite("Finalizers")
struct FinalizerTests {
    private let finalizer = Finalizer("example.com/cleanup")

    @Test("the first pass adds the finalizer, then applies to the updated object")
    func addsFinalizerFirst() async throws {
        let (store, client) = try await finalizerEnvironment()
        let created = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))

        var applied: [ConfigMap] = []
        let outcome = try await finalizer.reconcile(created, client: client) { object in
            applied.append(object)
            return "applied"
        } cleanup: { _ in
            Issue.record("cleanup must not run for a live object")
            return "cleaned"
        }

        #expect(outcome == .applied("applied"))
        #expect(applied.map(\.metadata.finalizers) == [["example.com/cleanup"]])
        let stored = try await client.get(ConfigMap.self, namespace: "default", name: "web")
        #expect(stored.metadata.finalizers == ["example.com/cleanup"])

        // The next pass only applies.
        let again = try await finalizer.reconcile(stored, client: client) { _ in 1 } cleanup: { _ in 2 }
        #expect(again == .applied(1))
        #expect(try await client.get(ConfigMap.self, namespace: "default", name: "web") == stored)
        await store.close()
    }

    @Test("on deletion cleanup runs, the finalizer goes, and with it the object")
    func cleanupOnDeletion() async throws {
        let (store, client) = try await finalizerEnvironment()
        let live = try await withFinalizer(client, finalizer)
        try await client.delete(live)

        let deleting = try await client.get(ConfigMap.self, namespace: "default", name: "web")
        #expect(deleting.metadata.deletionTimestamp != nil)
        var cleaned = 0
        let outcome = try await finalizer.reconcile(deleting, client: client) { _ in
            _ = Issue.record("apply must not run for an object being deleted")
        } cleanup: { object in
            #expect(object.metadata.uid == live.metadata.uid)
            cleaned += 1
        }

        #expect(cleaned == 1)
        guard case .cleanedUp = outcome else { Issue.record("expected cleanedUp, got \(outcome)"); return }
        #expect(try await client.getIfPresent(ConfigMap.self, namespace: "default", name: "web") == nil)
        await store.close()
    }

    @Test("a failing cleanup keeps the finalizer, so the object stays until a cleanup succeeds")
    func cleanupFailureKeepsFinalizer() async throws {
        struct CloudUnavailable: Error, Equatable {}
        let (store, client) = try await finalizerEnvironment()
        try await client.delete(try await withFinalizer(client, finalizer))
        let deleting = try await client.get(ConfigMap.self, namespace: "default", name: "web")

        await #expect(throws: CloudUnavailable()) {
            _ = try await finalizer.reconcile(deleting, client: client) { _ in } cleanup: { _ in throw CloudUnavailable() }
        }
        let kept = try await client.get(ConfigMap.self, namespace: "default", name: "web")
        #expect(kept.metadata.finalizers == ["example.com/cleanup"])
        #expect(kept.metadata.deletionTimestamp != nil)

        // Cleanup runs again on the next reconcile; this time it works.
        _ = try await finalizer.reconcile(kept, client: client) { _ in } cleanup: { _ in }
        #expect(try await client.getIfPresent(ConfigMap.self, namespace: "default", name: "web") == nil)
        await store.close()
    }

    @Test("adding to a stale object is a Conflict, never an overwrite")
    func staleObjectConflicts() async throws {
        let (store, client) = try await finalizerEnvironment()
        let stale = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
        var other = stale
        other.metadata.finalizers = ["example.com/other"]
        _ = try await client.update(other)

        var applied = false
        do {
            _ = try await finalizer.reconcile(stale, client: client) { _ in applied = true } cleanup: { _ in }
            Issue.record("expected a conflict")
        } catch let error as APIError {
            #expect(error.reason == .conflict)
        }
        #expect(!applied)
        let stored = try await client.get(ConfigMap.self, namespace: "default", name: "web")
        #expect(stored.metadata.finalizers == ["example.com/other"])
        await store.close()
    }

    @Test("removal keeps other finalizers, and survives a concurrent change without cleaning up twice")
    func removalAfterConcurrentChange() async throws {
        let (store, client) = try await finalizerEnvironment()
        var object = ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default"))
        object.metadata.finalizers = ["example.com/other", "example.com/cleanup"]
        let created = try await client.create(object)
        try await client.delete(created)
        let deleting = try await client.get(ConfigMap.self, namespace: "default", name: "web")
        var touched = deleting
        touched.metadata.labels = ["touched": "yes"]
        _ = try await client.update(touched)

        var cleaned = 0
        _ = try await finalizer.reconcile(deleting, client: client) { _ in } cleanup: { _ in cleaned += 1 }

        #expect(cleaned == 1)
        let stored = try await client.get(ConfigMap.self, namespace: "default", name: "web")
        #expect(stored.metadata.finalizers == ["example.com/other"])
        #expect(stored.metadata.labels == ["touched": "yes"])
        await store.close()
    }

    @Test("an object being deleted without this finalizer is left alone")
    func deletingWithoutFinalizer() async throws {
        let (store, client) = try await finalizerEnvironment()
        var object = ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default"))
        object.metadata.finalizers = ["example.com/other"]
        try await client.delete(try await client.create(object))
        let deleting = try await client.get(ConfigMap.self, namespace: "default", name: "web")

        let outcome = try await finalizer.reconcile(deleting, client: client) { _ in
            _ = Issue.record("apply must not run")
        } cleanup: { _ in
            _ = Issue.record("cleanup must not run")
        }
        guard case .ignored = outcome else { Issue.record("expected ignored, got \(outcome)"); return }
        #expect(try await client.get(ConfigMap.self, namespace: "default", name: "web") == deleting)
        await store.close()
    }
}

private func finalizerEnvironment() async throws -> (ObjectStore, StoreClient) {
    let store = try await ObjectStore.open(backend: MemoryBackend(), clock: ManualClock())
    return (store, StoreClient(store: store))
}

/// A ConfigMap `web` that already went through a first reconcile.
private func withFinalizer(_ client: StoreClient, _ finalizer: Finalizer) async throws -> ConfigMap {
    let created = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default")))
    _ = try await finalizer.reconcile(created, client: client) { _ in } cleanup: { _ in }
    return try await client.get(ConfigMap.self, namespace: "default", name: "web")
}
