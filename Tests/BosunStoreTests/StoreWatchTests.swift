import BosunKit
@testable import BosunStore
import Testing

@Suite("Store: watch")
struct StoreWatchTests {
    @Test func replayFromAResourceVersionHasNoGapAndNoDuplicate() async throws {
        let store = try await makeStore()
        var versions: [Int64] = []
        for i in 0..<10 { versions.append(try await store.create(configMaps, object: configMap("c\(i)")).resourceVersion) }
        // A watcher that saw up to the 4th change reconnects.
        let resumed = try store.watch(configMaps, options: ListOptions(resourceVersion: String(versions[3])))
        for i in 10..<13 { versions.append(try await store.create(configMaps, object: configMap("c\(i)")).resourceVersion) }
        let events = try await take(9, from: resumed)
        #expect(events.map(\.resourceVersion) == Array(versions[4...]))
        #expect(events.allSatisfy { $0.type == .added })
    }

    @Test func watchWithoutVersionStartsWithTheCurrentState() async throws {
        let store = try await makeStore()
        try await store.create(configMaps, object: configMap("a"))
        try await store.create(configMaps, object: configMap("b"))
        let watch = try store.watch(configMaps, namespace: "default")
        let created = try await store.create(configMaps, object: configMap("c"))
        let events = try await take(3, from: watch)
        #expect(events.map { $0.object?.key.name } == ["a", "b", "c"])
        #expect(events[2].resourceVersion == created.resourceVersion)
    }

    @Test func tooOldVersionIsExpired() async throws {
        let store = try await makeStore(history: 5)
        let first = try await store.create(configMaps, object: configMap("first"))
        for i in 0..<10 { try await store.create(configMaps, object: configMap("c\(i)")) }
        do {
            _ = try store.watch(configMaps, options: ListOptions(resourceVersion: String(first.resourceVersion)))
            Issue.record("expected Expired")
        } catch {
            #expect(error.code == 410)
            #expect(error.message.hasPrefix("too old resource version: \(first.resourceVersion)"))
        }
    }

    @Test func selectorTransitionsAreAddedAndDeleted() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("c", labels: ["tier": "db"]))
        let watch = try store.watch(configMaps, options: ListOptions(labelSelector: .parse("tier=web"), resourceVersion: String(created.resourceVersion)))
        var cm = created.unstructured()
        cm.labels = ["tier": "web"]
        let entered = try await store.update(configMaps, object: cm)
        cm = entered.unstructured()
        cm.object["data"] = ["k": "v"]
        let changed = try await store.update(configMaps, object: cm)
        cm = changed.unstructured()
        cm.labels = ["tier": "db"]
        let left = try await store.update(configMaps, object: cm)
        let events = try await take(3, from: watch)
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events.map(\.resourceVersion) == [entered.resourceVersion, changed.resourceVersion, left.resourceVersion])
        // The DELETED event carries the last state the watcher matched, at the new version.
        #expect(events[2].object?.labels == ["tier": "web"])
        #expect(events[2].object?.resourceVersion == left.resourceVersion)
    }

    @Test func bookmarksCarryTheCurrentVersion() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("a"))
        let watch = try store.watch(configMaps, options: ListOptions(resourceVersion: String(created.resourceVersion), allowWatchBookmarks: true))
        let plain = try store.watch(configMaps, options: ListOptions(resourceVersion: String(created.resourceVersion)))
        try await store.create(pods, object: pod("p"))
        store.sendBookmarks()
        let events = try await take(1, from: watch)
        #expect(events.first?.type == .bookmark)
        #expect(events.first?.resourceVersion == store.resourceVersion)
        #expect(plain.backlog == 0)
    }

    @Test func aWatcherThatCannotKeepUpIsClosedNotFedForever() async throws {
        let store = try await makeStore(watchBuffer: 3)
        let watch = try store.watch(configMaps, options: ListOptions(resourceVersion: String(store.resourceVersion)))
        for i in 0..<5 { try await store.create(configMaps, object: configMap("c\(i)")) }
        var received = 0
        do {
            for try await _ in watch { received += 1 }
            Issue.record("expected the watch to end with an error")
        } catch let error as WatchClosedError {
            #expect(error == .tooSlow(bufferSize: 3))
        }
        #expect(received == 3)
        #expect(store.watchCount == 0)
    }

    @Test("events an iterator has taken from the buffer but not yet returned still count against it")
    func takenEventsCountAgainstTheBuffer() async throws {
        let store = try await makeStore(watchBuffer: 3)
        let watch = try store.watch(configMaps, options: ListOptions(resourceVersion: String(store.resourceVersion)))
        var events = watch.makeAsyncIterator()
        for i in 0..<2 { try await store.create(configMaps, object: configMap("c\(i)")) }
        // Takes both buffered events, returns the first.
        #expect(try await events.next()?.object?.key.name == "c0")
        #expect(watch.backlog == 1)
        for i in 2..<4 { try await store.create(configMaps, object: configMap("c\(i)")) }
        #expect(watch.backlog == 3)
        try await store.create(configMaps, object: configMap("c4"))
        var names: [String] = []
        do {
            while let event = try await events.next() { names.append(event.object?.key.name ?? "") }
            Issue.record("expected the watch to end with an error")
        } catch let error as WatchClosedError {
            #expect(error == .tooSlow(bufferSize: 3))
        }
        #expect(names == ["c1", "c2", "c3"])
    }

    @Test("an iteration left early loses none of the events the stream had taken from its buffer")
    func leavingAnIterationLosesNothing() async throws {
        let store = try await makeStore()
        let watch = try store.watch(configMaps, options: ListOptions(resourceVersion: String(store.resourceVersion)))
        for i in 0..<5 { try await store.create(configMaps, object: configMap("c\(i)")) }
        var names: [String] = []
        for _ in 0..<5 {
            for try await event in watch {
                names.append(event.object?.key.name ?? "")
                break
            }
        }
        #expect(names == ["c0", "c1", "c2", "c3", "c4"])
        #expect(watch.backlog == 0)
    }

    @Test("events carry the typed value a typed write stored only for watches that ask for it")
    func typedObjectsOnRequest() async throws {
        let store = try await makeStore()
        let from = ListOptions(resourceVersion: String(store.resourceVersion))
        let plain = try store.watch(configMaps, options: from)
        let typed = try store.watch(configMaps, options: from, typedObjects: true)
        let written = try await store.create(ConfigMap(metadata: ObjectMeta(name: "t", namespace: "default"), data: ["k": "v"]))
        let plainEvent = try #require(try await take(1, from: plain).first)
        let typedEvent = try #require(try await take(1, from: typed).first)
        #expect(plainEvent.typed(as: ConfigMap.self) == nil)
        #expect(typedEvent.typed(as: ConfigMap.self) == written.object)
        #expect(try typedEvent.object?.decode(as: ConfigMap.self) == written.object)
    }

    @Test func cancellingAWatchUnregistersIt() async throws {
        let store = try await makeStore()
        let watch = try store.watch(configMaps)
        #expect(store.watchCount == 1)
        watch.cancel()
        #expect(store.watchCount == 0)
    }
}
