import BosunKit
@testable import BosunRuntime
import BosunStore
import Testing

@Suite("Informers")
struct InformerTests {
    @Test("an informer loads the initial list, then delivers changes in order")
    func listThenWatch() async throws {
        let store = try await makeRuntimeStore()
        let client = StoreClient(store: store)
        _ = try await client.create(sampleConfigMap("a"))
        let registry = InformerRegistry(client: client, clock: ManualClock())
        let lease = registry.acquire(ConfigMap.self)
        await lease.informer.waitForSync()
        let log = EventLog<ConfigMap>()
        lease.informer.addHandler(log.handler)
        #expect(log.entries == ["added a (initial)"])

        let b = try await client.create(sampleConfigMap("b"))
        var changed = b
        changed.data = ["k": "v"]
        _ = try await client.update(changed)
        try await client.delete(ConfigMap.self, namespace: "default", name: "a")
        await eventually("three changes") { log.entries.count == 4 }
        #expect(log.entries == ["added a (initial)", "added b", "updated b", "deleted a"])
        #expect(lease.informer.get(namespace: "default", name: "b")?.data == ["k": "v"])
        #expect(lease.informer.get(namespace: "default", name: "a") == nil)
        lease.release()
        await store.close()
    }

    @Test("informers are shared per kind and scope, and stop when the last user releases them")
    func sharingAndRemoval() async throws {
        let store = try await makeRuntimeStore()
        let registry = InformerRegistry(client: StoreClient(store: store), clock: ManualClock())
        let first = registry.acquire(ConfigMap.self)
        let second = registry.acquire(ConfigMap.self)
        let otherScope = registry.acquire(ConfigMap.self, namespace: "kube-system")
        #expect(first.informer === second.informer)
        #expect(first.informer !== otherScope.informer)
        #expect(registry.count == 2)
        await first.informer.waitForSync()
        await otherScope.informer.waitForSync()
        await eventually("two watches open") { store.watchCount == 2 }

        first.release()
        first.release()  // a second release of the same lease does nothing
        #expect(registry.count == 2)
        second.release()
        #expect(registry.count == 1)
        await eventually("its watch closed") { store.watchCount == 1 }
        otherScope.release()
        #expect(registry.count == 0)
        await eventually("no watches left") { store.watchCount == 0 }
        await store.close()
    }

    @Test("a write through the cached client is visible to cached reads when it returns")
    func readYourWrites() async throws {
        let store = try await makeRuntimeStore()
        let registry = InformerRegistry(client: StoreClient(store: store), clock: ManualClock())
        let lease = registry.acquire(ConfigMap.self)
        await lease.informer.waitForSync()
        let client = CachedClient(api: StoreClient(store: store), informers: registry)

        for round in 0..<50 {
            let created = try await client.create(sampleConfigMap("c\(round)"))
            let read = try await client.get(ConfigMap.self, namespace: "default", name: "c\(round)")
            #expect(read.metadata.resourceVersion == created.metadata.resourceVersion)
            var changed = read
            changed.data = ["round": "\(round)"]
            let updated = try await client.update(changed)
            let reread = try await client.get(ConfigMap.self, namespace: "default", name: "c\(round)")
            #expect(Int64(reread.metadata.resourceVersion ?? "")! >= Int64(updated.metadata.resourceVersion ?? "")!)
            try await client.delete(ConfigMap.self, namespace: "default", name: "c\(round)")
            await #expect(throws: APIError.self) { try await client.get(ConfigMap.self, namespace: "default", name: "c\(round)") }
        }
        lease.release()
        await store.close()
    }

    @Test("the cache's own-write overlay wins until the watch catches up, and never shows older data; uid lookups follow it")
    func overlayOrdering() async throws {
        let store = try await makeRuntimeStore()
        let client = StoreClient(store: store)
        let resource = ConfigMap.resource.resourceKey
        func stored() throws -> StoredObject { try store.get(resource, namespace: "default", name: "x") }
        var object = try await client.create(sampleConfigMap("x", data: ["v": "1"]))
        let v1 = try stored()
        object.data = ["v": "2"]
        object = try await client.update(object)
        let v2 = try stored()
        object.data = ["v": "3"]
        object = try await client.update(object)
        let v3 = try stored()
        let name = ObjectName(namespace: "default", name: "x")
        func read(_ cache: InformerCache<ConfigMap>) throws -> ConfigMap? {
            switch cache.lookup(name) {
            case .value(let value): value
            case .stored(let stored): try stored.decode(as: ConfigMap.self)
            case .missing: nil
            }
        }

        var cache = InformerCache<ConfigMap>()
        #expect(cache.uid(name) == nil)
        cache.upsert(v1, try v1.decode(as: ConfigMap.self))
        #expect(cache.uid(name) == v1.uid && !v1.uid.isEmpty)
        cache.recordWrite(try v2.decode(as: ConfigMap.self))
        #expect(try read(cache)?.data == ["v": "2"])
        #expect(cache.uid(name) == v1.uid)
        cache.recordWrite(try v1.decode(as: ConfigMap.self))  // an older write changes nothing
        #expect(try read(cache)?.data == ["v": "2"])
        cache.upsert(v3, try v3.decode(as: ConfigMap.self))  // the watch overtakes the write
        #expect(try read(cache)?.data == ["v": "3"])
        cache.recordDelete(name, resourceVersion: v3.resourceVersion + 1)
        #expect(try read(cache) == nil)
        #expect(cache.uid(name) == nil, "the uid follows the overlay's delete, as reads do")
        #expect(cache.lookups(namespace: nil) { _ in true }.isEmpty)
        cache.remove(name, resourceVersion: v3.resourceVersion + 1)
        #expect(try read(cache) == nil)
        await store.close()
    }

    /// A controller's write returns after the watch already delivered the object's deletion (the
    /// Job controller's last status write, racing a user's delete): recording it would bring the
    /// object back in the cache's reads for good, as no later event of that object clears it.
    @Test("an own write older than what the watch has delivered is not recorded: a deleted object stays deleted")
    func lateOwnWriteAfterDelete() async throws {
        let store = try await makeRuntimeStore()
        let client = StoreClient(store: store)
        let resource = ConfigMap.resource.resourceKey
        let name = ObjectName(namespace: "default", name: "x")
        let created = try await client.create(sampleConfigMap("x", data: ["v": "1"]))
        let stored = try store.get(resource, namespace: "default", name: "x")
        var changed = created
        changed.data = ["v": "2"]
        let written = try await client.update(changed)
        try await client.delete(ConfigMap.self, namespace: "default", name: "x")
        let deletedAt = store.resourceVersion

        var cache = InformerCache<ConfigMap>()
        cache.upsert(stored, created)
        cache.advance(to: stored.resourceVersion)
        // The watch delivers the update and the delete; then the update's response is recorded.
        cache.remove(name, resourceVersion: deletedAt)
        cache.advance(to: deletedAt)
        cache.recordWrite(written)
        guard case .missing = cache.lookup(name) else {
            Issue.record("the deleted object came back: \(cache.lookup(name))")
            return
        }
        #expect(cache.lookups(namespace: nil) { _ in true }.isEmpty)
        cache.recordDelete(name, resourceVersion: deletedAt)
        guard case .missing = cache.lookup(name) else { Issue.record("a late delete left an entry"); return }
        await store.close()
    }

    @Test("only a bounded set of objects is held decoded; the rest are decoded on read")
    func decodedMemoIsBounded() async throws {
        let store = try await makeRuntimeStore()
        let client = StoreClient(store: store)
        for n in 0..<50 { _ = try await client.create(sampleConfigMap("m\(n)", data: ["n": "\(n)"])) }
        let registry = InformerRegistry(client: client, clock: ManualClock(), decodedCapacity: 10)
        let lease = registry.acquire(ConfigMap.self)
        await lease.informer.waitForSync()
        #expect(lease.informer.count == 50)
        #expect(lease.informer.decodedCount == 10)
        for n in 0..<50 {
            #expect(lease.informer.get(namespace: "default", name: "m\(n)")?.data == ["n": "\(n)"])
        }
        #expect(lease.informer.decodedCount == 10)
        #expect(lease.informer.list().count == 50)
        lease.release()
        await store.close()
    }

    @Test("reads without an informer go to the API and start no informer")
    func uncachedReads() async throws {
        let store = try await makeRuntimeStore()
        let registry = InformerRegistry(client: StoreClient(store: store), clock: ManualClock())
        let client = CachedClient(api: StoreClient(store: store), informers: registry)
        _ = try await StoreClient(store: store).create(sampleConfigMap("direct"))
        let read = try await client.get(ConfigMap.self, namespace: "default", name: "direct")
        #expect(read.name == "direct")
        #expect(try await client.list(ConfigMap.self, namespace: nil, options: ListOptions()).items.count == 1)
        #expect(registry.count == 0)
        #expect(store.watchCount == 0)
        await store.close()
    }

    @Test("a 410 on rewatch relists: vanished objects are deleted, changed ones updated")
    func relistAfterExpiry() async throws {
        let store = try await makeRuntimeStore()
        let direct = StoreClient(store: store)
        let faulty = FaultyClient(direct)
        _ = try await direct.create(sampleConfigMap("stays"))
        _ = try await direct.create(sampleConfigMap("goes"))
        faulty.failNextWatch(.expired(before: {
            try await direct.delete(ConfigMap.self, namespace: "default", name: "goes")
            _ = try await direct.create(sampleConfigMap("arrives"))
        }))
        let registry = InformerRegistry(client: faulty, clock: ManualClock(), pageSize: 1)
        let lease = registry.acquire(ConfigMap.self)
        let log = EventLog<ConfigMap>()
        lease.informer.addHandler(log.handler)
        await eventually("relisted") { faulty.listCalls >= 2 && lease.informer.count == 2 && faulty.watchCalls >= 2 }
        #expect(Set(lease.informer.list().map(\.name)) == ["stays", "arrives"])
        #expect(log.entries.contains("deleted goes"))
        #expect(log.entries.contains("added arrives (initial)"))
        // Unchanged objects are not delivered again by the relist.
        #expect(log.entries.filter { $0.contains("stays") } == ["added stays (initial)"])
        lease.release()
        await store.close()
    }

    @Test("a handler added half-way through the initial list gets what was listed so far, then the rest, each once")
    func handlerAddedDuringInitialList() async throws {
        let store = try await makeRuntimeStore()
        let direct = StoreClient(store: store)
        for name in ["a", "b", "c"] { _ = try await direct.create(sampleConfigMap(name)) }
        let faulty = FaultyClient(direct)
        let secondPage = TestGate()
        faulty.holdList(call: 2, at: secondPage)
        let registry = InformerRegistry(client: faulty, clock: ManualClock(), pageSize: 1)
        // A shared informer: another controller's lease started the list.
        let first = registry.acquire(ConfigMap.self)
        let earlier = EventLog<ConfigMap>()
        first.informer.addHandler(earlier.handler)
        await eventually("the first page delivered, the second held") { faulty.listCalls == 2 && earlier.entries.count == 1 }
        #expect(!first.informer.hasSynced)

        let later = EventLog<ConfigMap>()
        let second = registry.acquire(ConfigMap.self)
        second.informer.addHandler(later.handler)
        #expect(later.entries == ["added a (initial)"])
        secondPage.open()
        await second.informer.waitForSync()
        #expect(later.entries == ["added a (initial)", "added b (initial)", "added c (initial)"])
        #expect(earlier.entries == later.entries)
        first.release()
        second.release()
        await store.close()
    }

    @Test("a watch silent for the inactivity timeout is restarted from the last resourceVersion")
    func inactivityTimeout() async throws {
        let store = try await makeRuntimeStore()
        let faulty = FaultyClient(StoreClient(store: store))
        faulty.failNextWatch(.silent)
        let clock = ManualClock()
        let registry = InformerRegistry(client: faulty, clock: clock, inactivityTimeout: .seconds(70))
        let lease = registry.acquire(ConfigMap.self)
        await lease.informer.waitForSync()
        await clock.waitForSleepers(1)
        #expect(faulty.watchCalls == 1)
        clock.advance(by: .seconds(71))
        await eventually("a second watch") { faulty.watchCalls == 2 }
        _ = try await faulty.create(sampleConfigMap("seen"))
        await eventually("the new watch delivers") { lease.informer.get(namespace: "default", name: "seen") != nil }
        #expect(faulty.listCalls == 1)
        lease.release()
        await store.close()
    }

    @Test("indexes follow adds, updates and deletes")
    func indexes() async throws {
        let store = try await makeRuntimeStore()
        let client = StoreClient(store: store)
        let owner = try await client.create(sampleConfigMap("owner"))
        _ = try await client.create(sampleConfigMap("child-1", owner: owner.metadata))
        let registry = InformerRegistry(client: client, clock: ManualClock())
        let lease = registry.acquire(ConfigMap.self)
        await lease.informer.waitForSync()
        lease.informer.indexByOwnerUID()
        let uid = owner.metadata.uid!
        #expect(lease.informer.byIndex(Indexers.ownerUID, uid).map(\.name) == ["child-1"])
        _ = try await client.create(sampleConfigMap("child-2", owner: owner.metadata))
        await eventually("second child indexed") { lease.informer.byIndex(Indexers.ownerUID, uid).count == 2 }
        try await client.delete(ConfigMap.self, namespace: "default", name: "child-1")
        await eventually("first child unindexed") { lease.informer.byIndex(Indexers.ownerUID, uid).map(\.name) == ["child-2"] }
        // A custom index, added after objects are cached, indexes them too.
        lease.informer.addIndexer("data-size") { ["\($0.data?.count ?? 0)"] }
        #expect(Set(lease.informer.byIndex("data-size", "0").map(\.name)) == ["owner", "child-2"])
        lease.release()
        await store.close()
    }
}

@Suite("Expectations")
struct ExpectationsTests {
    @Test("satisfied once every expected creation and deletion is observed, or after the timeout")
    func expectations() {
        let clock = ManualClock()
        let expectations = Expectations(clock: clock)
        let owner = ObjectName(namespace: "default", name: "rs")
        #expect(expectations.isSatisfied(owner))
        expectations.expect(owner, creations: 2, deletions: 1)
        #expect(!expectations.isSatisfied(owner))
        expectations.creationObserved(owner)
        expectations.creationObserved(owner)
        #expect(!expectations.isSatisfied(owner))
        #expect(expectations.pending(owner) == (0, 1))
        expectations.deletionObserved(owner)
        #expect(expectations.isSatisfied(owner))

        expectations.expect(owner, creations: 1)
        #expect(!expectations.isSatisfied(owner))
        clock.advance(by: .seconds(301))
        #expect(expectations.isSatisfied(owner))
    }
}
