import BosunKit
import BosunRuntime
import BosunStore
import Testing

@Suite("Event recorder")
struct EventRecorderTests {
    @Test("an event is created with count 1 and everything kubectl describe shows")
    func createsEvent() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller", instance: "replica-1")

        recorder.event(for: web, type: .normal, reason: "Synced", message: "configuration applied")
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "apps")
        try #require(events.count == 1)
        let event = events[0]
        #expect(event.metadata.name?.hasPrefix("web.") == true)
        #expect(event.metadata.namespace == "apps")
        #expect(event.involvedObject == ObjectReference(
            apiVersion: "v1", kind: "ConfigMap", name: "web", namespace: "apps",
            resourceVersion: web.metadata.resourceVersion, uid: web.metadata.uid))
        #expect(event.reason == "Synced")
        #expect(event.message == "configuration applied")
        #expect(event.type == "Normal")
        #expect(event.count == 1)
        #expect(event.firstTimestamp == clock.now())
        #expect(event.lastTimestamp == clock.now())
        #expect(event.source == EventSource(component: "web-controller", host: "replica-1"))
        #expect(event.reportingComponent == "web-controller")
        #expect(event.reportingInstance == "replica-1")
        await recorder.shutdown()
        await store.close()
    }

    @Test("a repeat updates the same Event: count and lastTimestamp move, nothing new is created")
    func repeatIncrementsCount() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller")
        let first = clock.now()

        recorder.event(for: web, type: .warning, reason: "FailedSync", message: "image not found")
        await recorder.flush()
        let created = try await client.listAll(Event.self, namespace: "apps")
        clock.advance(by: .seconds(30))
        recorder.event(for: web, type: .warning, reason: "FailedSync", message: "image not found")
        clock.advance(by: .seconds(30))
        recorder.event(for: web, type: .warning, reason: "FailedSync", message: "image not found")
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "apps")
        try #require(events.count == 1)
        #expect(events[0].metadata.name == created.first?.metadata.name)
        #expect(events[0].metadata.uid == created.first?.metadata.uid)
        #expect(events[0].count == 3)
        #expect(events[0].type == "Warning")
        #expect(events[0].firstTimestamp == first)
        #expect(events[0].lastTimestamp == first.advanced(by: .seconds(60)))
        await recorder.shutdown()
        await store.close()
    }

    @Test("different reasons, messages or objects make distinct events, even in the same instant")
    func distinctEvents() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let db = try await client.create(ConfigMap(metadata: ObjectMeta(name: "db", namespace: "apps")))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller")

        recorder.event(for: web, type: .normal, reason: "Synced", message: "ok")
        recorder.event(for: web, type: .warning, reason: "FailedSync", message: "ok")
        recorder.event(for: web, type: .normal, reason: "Synced", message: "ok again")
        recorder.event(for: db, type: .normal, reason: "Synced", message: "ok")
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "apps")
        #expect(events.count == 4)
        #expect(Set(events.compactMap(\.metadata.name)).count == 4)
        #expect(events.allSatisfy { $0.count == 1 })
        await recorder.shutdown()
        await store.close()
    }

    @Test("events about cluster-scoped objects go to the default namespace")
    func clusterScopedObject() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let namespace = try await client.get(Namespace.self, namespace: nil, name: "kube-public")
        let recorder = EventRecorder(client: client, clock: clock, component: "namespace-controller")

        recorder.event(for: namespace, type: .normal, reason: "Checked", message: "fine")
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "default")
        try #require(events.count == 1)
        #expect(events[0].involvedObject.kind == "Namespace")
        #expect(events[0].involvedObject.name == "kube-public")
        #expect(events[0].involvedObject.namespace == nil)
        await recorder.shutdown()
        await store.close()
    }

    @Test("a repeat after the aggregation window starts a new Event")
    func repeatAfterWindow() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller")

        recorder.event(for: web, type: .normal, reason: "Synced", message: "ok")
        clock.advance(by: .seconds(601))
        recorder.event(for: web, type: .normal, reason: "Synced", message: "ok")
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "apps")
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.count == 1 })
        await recorder.shutdown()
        await store.close()
    }

    @Test("messages that keep varying are combined into one event after ten")
    func similarEventsAreCombined() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller")

        for attempt in 1...12 {
            recorder.event(for: web, type: .warning, reason: "BackOff", message: "attempt \(attempt) failed")
        }
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "apps")
        #expect(events.count == 10)
        let combined = events.filter { $0.message?.hasPrefix("(combined from similar events): ") == true }
        try #require(combined.count == 1)
        #expect(combined[0].count == 3)
        #expect(combined[0].message == "(combined from similar events): attempt 12 failed")
        await recorder.shutdown()
        await store.close()
    }

    @Test("a flood about one object is rate-limited, then allowed again as tokens refill")
    func spamFilter() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let options = EventRecorderOptions(spamBurst: 3, spamRefillInterval: .seconds(60))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller", options: options)

        for reason in ["A", "B", "C", "D"] {
            recorder.event(for: web, type: .normal, reason: reason, message: "m")
        }
        await recorder.flush()
        #expect(try await client.listAll(Event.self, namespace: "apps").compactMap(\.reason).sorted() == ["A", "B", "C"])

        clock.advance(by: .seconds(60))
        recorder.event(for: web, type: .normal, reason: "E", message: "m")
        recorder.event(for: web, type: .normal, reason: "F", message: "m")
        await recorder.flush()
        #expect(try await client.listAll(Event.self, namespace: "apps").compactMap(\.reason).sorted() == ["A", "B", "C", "E"])
        await recorder.shutdown()
        await store.close()
    }

    @Test("the deduplication cache is bounded: the least recently seen event is forgotten first")
    func boundedCache() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let recorder = EventRecorder(
            client: client, clock: clock, component: "web-controller", options: EventRecorderOptions(cacheCapacity: 2))

        for reason in ["A", "B", "C", "A", "C"] {
            recorder.event(for: web, type: .normal, reason: reason, message: "m")
        }
        await recorder.flush()

        let events = try await client.listAll(Event.self, namespace: "apps")
        let counts = events.map { "\($0.reason ?? "")\($0.count ?? 0)" }.sorted()
        // A was evicted by C, so its repeat is a new event; C's repeat still finds C.
        #expect(counts == ["A1", "A1", "B1", "C2"])
        await recorder.shutdown()
        await store.close()
    }

    @Test("a failed write is dropped without disturbing the caller or later events")
    func failedWriteIsDropped() async throws {
        let (clock, store, client) = try await eventsEnvironment()
        let ghost = ConfigMap(metadata: ObjectMeta(name: "ghost", namespace: "no-such-namespace"))
        let web = try await client.create(ConfigMap(metadata: ObjectMeta(name: "web", namespace: "apps")))
        let recorder = EventRecorder(client: client, clock: clock, component: "web-controller")

        recorder.event(for: ghost, type: .normal, reason: "Synced", message: "ok")
        recorder.event(for: web, type: .normal, reason: "Synced", message: "ok")
        await recorder.flush()

        #expect(try await client.listAll(Event.self).map(\.involvedObject.name) == ["web"])
        await recorder.shutdown()
        // After shutdown, recording is a no-op rather than an error.
        recorder.event(for: web, type: .normal, reason: "Late", message: "ignored")
        await recorder.flush()
        #expect(try await client.listAll(Event.self).count == 1)
        await store.close()
    }
}

private func eventsEnvironment() async throws -> (ManualClock, ObjectStore, StoreClient) {
    let clock = ManualClock()
    let store = try await ObjectStore.open(backend: MemoryBackend(), clock: clock)
    let client = StoreClient(store: store)
    _ = try await client.create(Namespace(metadata: ObjectMeta(name: "apps")))
    return (clock, store, client)
}
