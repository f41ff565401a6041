import BosunEtcd
import BosunKit
import BosunStore
import Testing

private let configMaps = GroupResource(group: "", resource: "configmaps")

private func configMap(_ name: String, data: [String: String]) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: data)
}

@Suite("Object stores sharing one etcd")
struct SharedStoreTests {
    @Test("what one store writes reaches the other's reads and watches, in order, and stale writes conflict")
    func writesReachTheOtherStore() async throws {
        try await withEtcd { cluster in
            let a = try await ObjectStore.open(backend: try EtcdBackend(endpoints: cluster.endpoints))
            // Opened second: the initial namespaces exist already, made by the first.
            let b = try await ObjectStore.open(backend: try EtcdBackend(endpoints: cluster.endpoints))
            #expect(try b.list(GroupResource(group: "", resource: "namespaces")).items.count == ObjectStore.initialNamespaces.count)
            let watch = try b.watch(configMaps, namespace: "default", options: ListOptions(resourceVersion: String(b.resourceVersion)))

            let created = try await a.create(configMap("shared", data: ["v": "1"]))
            let rv = created.stored.resourceVersion
            try await waitUntil("store b has the config map") { (try? b.get(configMaps, namespace: "default", name: "shared")) != nil }
            #expect(try b.get(configMaps, namespace: "default", name: "shared").resourceVersion == rv)

            // b updates it; a's copy is now stale and a write from it conflicts.
            var fromB = try b.get(configMaps, namespace: "default", name: "shared").decode(as: ConfigMap.self)
            fromB.data = ["v": "2"]
            let updated = try await b.update(fromB)
            var stale = created.object
            stale.data = ["v": "from a"]
            try await waitUntil("store a has b's update") { a.resourceVersion >= updated.stored.resourceVersion }
            let conflict = await #expect(throws: APIError.self) { try await a.update(stale) }
            #expect(conflict?.code == 409)
            #expect(try a.get(configMaps, namespace: "default", name: "shared").decode(as: ConfigMap.self).data == ["v": "2"])

            _ = try await a.delete(configMaps, namespace: "default", name: "shared")
            let events = try await within(.seconds(20), "three events") {
                var events: [StoreEvent] = []
                for try await event in watch {
                    events.append(event)
                    if events.count == 3 { break }
                }
                return events
            }
            #expect(events.map(\.type) == [.added, .modified, .deleted])
            #expect(events.map(\.resourceVersion) == [rv, updated.stored.resourceVersion, events[2].resourceVersion])
            #expect(try events[1].object?.decode(as: ConfigMap.self).data == ["v": "2"])
            try await waitUntil("store b saw the delete") { (try? b.get(configMaps, namespace: "default", name: "shared")) == nil }
            await a.close()
            await b.close()
        }
    }

    @Test("a store's resourceVersion follows revisions of keys it does not hold, so its own writes are not held up")
    func revisionsOutsideTheStore() async throws {
        try await withEtcd { cluster in
            let store = try await ObjectStore.open(backend: try EtcdBackend(endpoints: cluster.endpoints))
            let outside = try EtcdBackend(endpoints: cluster.endpoints, prefix: "/other/")
            let revision = try await outside.commit(.create("/other/lock", bytes("x")))
            let written = try await store.create(configMap("after", data: [:]))
            #expect(written.stored.resourceVersion == revision + 1)
            #expect(store.resourceVersion >= revision + 1)
            await outside.close()
            await store.close()
        }
    }

    @Test("a store whose followed revisions were compacted away reloads, and its watches end so consumers relist")
    func reloadAfterCompaction() async throws {
        try await withEtcd { cluster in
            // Another control plane made the initial namespaces: opening the store below writes nothing.
            let first = try await ObjectStore.open(backend: try EtcdBackend(endpoints: cluster.endpoints))
            await first.close()
            let writer = try EtcdBackend(endpoints: cluster.endpoints)
            // Between the store's snapshot and its watch of etcd, another writer makes two
            // changes and etcd compacts them away: the store cannot follow them and must reload.
            let backend = GatedBackend(try EtcdBackend(endpoints: cluster.endpoints)) {
                let first = try await writer.commit(.create("/registry/core/configmaps/default/one", bytes(storedConfigMap("one"))))
                let second = try await writer.commit(.create("/registry/core/configmaps/default/two", bytes(storedConfigMap("two"))))
                #expect(second == first + 1)
                try await writer.compact(through: second)
            }
            let store = try await ObjectStore.open(backend: backend)
            let watch = try store.watch(configMaps)
            #expect((try? store.get(configMaps, namespace: "default", name: "one")) == nil)
            backend.gate.open()
            let error = await #expect(throws: WatchClosedError.self) {
                try await within(.seconds(20), "the watch to end") { for try await _ in watch {} }
            }
            #expect(error == .storeReloaded)
            try await waitUntil("the store reloaded both") {
                (try? store.get(configMaps, namespace: "default", name: "two")) != nil
            }
            #expect(try store.list(configMaps, namespace: "default").items.map(\.key.name).sorted() == ["one", "two"])
            // It follows etcd again after the reload.
            _ = try await writer.commit(.create("/registry/core/configmaps/default/three", bytes(storedConfigMap("three"))))
            try await waitUntil("the store follows again") {
                (try? store.get(configMaps, namespace: "default", name: "three")) != nil
            }
            // And a watch from before the reload's revision is too old.
            let expired = #expect(throws: APIError.self) { try store.watch(configMaps, options: ListOptions(resourceVersion: "1")) }
            #expect(expired?.code == 410)
            await store.close()
            await writer.close()
        }
    }
}

/// A config map as another writer stores it (without resourceVersion, as the store writes).
private func storedConfigMap(_ name: String) -> String {
    #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"default","uid":"uid-\#(name)","creationTimestamp":"2026-01-01T00:00:00Z"},"data":{"k":"v"}}"#
}
