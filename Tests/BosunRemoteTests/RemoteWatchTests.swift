import BosunAPIServer
import BosunKit
import BosunRemote
import BosunRuntime
import ConfigMapGenerator
import Foundation
import Synchronization
import Testing

@Suite("BosunRemote: watches, informers and controllers over HTTPS")
struct RemoteWatchTests {
    @Test("a watch streams ADDED, MODIFIED, DELETED in order, and resumes from the last resourceVersion")
    func watchAndResume() async throws {
        let t = try await RemoteTestServer.start()
        let api = t.client
        let start = try await api.list(ConfigMap.self, namespace: "default", options: ListOptions()).resourceVersion
        let watch = try await api.watch(ConfigMap.self, namespace: "default", options: ListOptions(resourceVersion: start))
        var events = watch.makeAsyncIterator()
        var created = try await api.create(configMap("w", data: ["v": "1"]))
        created.data = ["v": "2"]
        _ = try await api.update(created)
        let first = try #require(try await events.next())
        let second = try #require(try await events.next())
        #expect(first.type == .added && first.object?.data == ["v": "1"])
        #expect(second.type == .modified && second.object?.data == ["v": "2"])
        watch.cancel()

        // Changes made while nobody watched arrive on a watch from the last version seen.
        _ = try await api.delete(ConfigMap.self, namespace: "default", name: "w")
        _ = try await api.create(configMap("w2"))
        let resumed = try await api.watch(ConfigMap.self, namespace: "default", options: ListOptions(resourceVersion: second.resourceVersion))
        var more = resumed.makeAsyncIterator()
        let deleted = try #require(try await more.next())
        let added = try #require(try await more.next())
        #expect(deleted.type == .deleted && deleted.object?.name == "w")
        #expect(added.type == .added && added.object?.name == "w2")
        #expect(Int64(added.resourceVersion)! > Int64(deleted.resourceVersion)!)
        resumed.cancel()
        await t.stop()
    }

    @Test("bookmarks carry the resourceVersion; a version older than the history is 410 Expired")
    func bookmarksAndExpiry() async throws {
        let t = try await RemoteTestServer.start(historyCapacity: 4)
        let api = t.client
        let start = try await api.list(ConfigMap.self, namespace: "default", options: ListOptions()).resourceVersion
        let watch = try await api.watchObjects(
            ConfigMap.resource, namespace: "default", options: ListOptions(resourceVersion: start, allowWatchBookmarks: true))
        var events = watch.makeAsyncIterator()
        _ = try await api.create(configMap("b"))
        _ = try #require(try await events.next())
        t.store.sendBookmarks()
        let bookmark = try #require(try await events.next())
        #expect(bookmark.type == .bookmark && bookmark.object == nil && bookmark.resourceVersion == t.store.resourceVersion)
        watch.cancel()

        for i in 0..<8 { _ = try await api.create(configMap("filler\(i)")) }
        let stale = try await api.watchObjects(ConfigMap.resource, namespace: "default", options: ListOptions(resourceVersion: start))
        var failing = stale.makeAsyncIterator()
        do {
            _ = try await failing.next()
            Issue.record("a watch from a compacted version delivered an event")
        } catch let error as APIError {
            #expect(error.code == 410 && error.reason == .expired)
        }
        await t.stop()
    }

    @Test("an informer over the remote client lists in pages, watches, and serves its cache")
    func informer() async throws {
        let t = try await RemoteTestServer.start(historyCapacity: 4)
        let registry = InformerRegistry(client: t.client, pageSize: 2)
        _ = try await t.client.create(configMap("i0"))
        _ = try await t.client.create(configMap("i1"))
        _ = try await t.client.create(configMap("i2"))
        let lease = registry.acquire(ConfigMap.self, namespace: "default")
        let informer = lease.informer
        await informer.waitForSync()
        #expect(informer.list().map(\.name).sorted() == ["i0", "i1", "i2"], "listed in pages of 2")
        _ = try await t.client.create(configMap("i3"))
        _ = try await t.client.delete(ConfigMap.self, namespace: "default", name: "i0")
        try await waitUntil("the watch delivered the create and the delete") {
            informer.list().map(\.name).sorted() == ["i1", "i2", "i3"]
        }
        lease.release()
        await t.stop()
    }

    @Test("an informer whose silent watch is cancelled by its watchdog watches again and keeps up")
    func silentWatchRestarts() async throws {
        let t = try await RemoteTestServer.start()
        let clock = ManualClock()
        let registry = InformerRegistry(client: t.client, clock: clock, inactivityTimeout: .seconds(300))
        let lease = registry.acquire(ConfigMap.self, namespace: "default")
        await lease.informer.waitForSync()
        // The watchdog sleeps on the manual clock; once it sleeps, moving the clock ends the watch.
        try await waitUntil("the watchdog waits") { clock.sleeperCount > 0 }
        clock.advance(by: .seconds(300))
        #expect(clock.sleeperCount == 0)
        // A new watchdog sleeps once the informer has watched again, not ended on the cancel.
        try await waitUntil("the informer watches again") { clock.sleeperCount > 0 }
        _ = try await t.client.create(configMap("late"))
        try await waitUntil("the informer saw the create on its next watch") {
            lease.informer.list().map(\.name) == ["late"]
        }
        lease.release()
        await t.stop()
    }

    @Test("a manager on the remote client runs a controller: the ConfigMapGenerator sample reconciles over HTTPS")
    func controller() async throws {
        let t = try await RemoteTestServer.start()
        try await ConfigMapGenerator.installDefinition(using: t.client)
        let manager = Manager(client: t.client, options: ManagerOptions(defaultConcurrency: 2))
        try registerConfigMapGenerator(with: manager)
        let running = Task { try await manager.run() }
        _ = try await t.client.create(ConfigMapGenerator(
            metadata: ObjectMeta(name: "greeting", namespace: "default"), spec: .init(content: "hello")))
        try await waitUntil("the ConfigMap exists with the content") {
            try await t.client.getIfPresent(ConfigMap.self, namespace: "default", name: "greeting")?.data == ["content": "hello"]
        }
        try await waitUntil("the generator is Ready") {
            try await t.client.get(ConfigMapGenerator.self, namespace: "default", name: "greeting").status?.observedGeneration == 1
        }
        // Deleting the generator runs the finalizer's cleanup through the remote client.
        _ = try await t.client.delete(ConfigMapGenerator.self, namespace: "default", name: "greeting")
        try await waitUntil("the generator and its ConfigMap are gone") {
            let generator = try await t.client.getIfPresent(ConfigMapGenerator.self, namespace: "default", name: "greeting")
            let configMap = try await t.client.getIfPresent(ConfigMap.self, namespace: "default", name: "greeting")
            return generator == nil && configMap == nil
        }
        running.cancel()
        _ = try? await running.value
        await t.stop()
    }
}
