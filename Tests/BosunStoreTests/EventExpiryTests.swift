import BosunKit
import BosunStore
import Testing

@Suite("Store: Events expire after their last write (--event-ttl)")
struct EventExpiryTests {
    let coreEvents = GroupResource(group: "", resource: "events")
    let eventsV1 = GroupResource(group: "events.k8s.io", resource: "events")

    func coreEvent(_ name: String, count: Int = 1) throws -> UnstructuredObject {
        try object("""
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"\(name)","namespace":"default"},
             "involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"Started","message":"m",
             "type":"Normal","source":{"component":"kubelet"},"count":\(count)}
            """)
    }

    @Test func anEventIsDeletedATTLAfterItsLastWriteAndARepeatedOneLivesOn() async throws {
        let clock = ManualClock()
        let store = try await makeStore(clock: clock)
        let expiry = EventExpiry(store: store, ttl: .seconds(3600))
        try await store.create(coreEvents, object: coreEvent("once"))
        let repeated = try await store.create(coreEvents, object: coreEvent("repeated"))
        try await store.create(eventsV1, object: object("""
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"v1","namespace":"default"},
             "eventTime":"2023-11-14T22:13:20.000000Z","reportingController":"example.com/test","reportingInstance":"test-1",
             "action":"Start","reason":"Started","regarding":{"kind":"Pod","name":"p","namespace":"default"},"type":"Normal"}
            """))
        try await store.create(configMaps, object: configMap("not-an-event"))
        #expect(try store.list(eventsV1).items.map(\.key.name) == ["v1"])
        #expect(await expiry.sweep() == 0)

        // The repeated Event is written again (its count raised) 50 minutes on.
        clock.advance(3000)
        var again = try coreEvent("repeated", count: 2)
        again.rawMetadata["resourceVersion"] = .string(String(repeated.resourceVersion))
        try await store.update(coreEvents, object: again)
        #expect(await expiry.sweep() == 0)

        clock.advance(599)
        #expect(await expiry.sweep() == 0)
        clock.advance(1)
        #expect(await expiry.sweep() == 2)
        #expect(try store.list(coreEvents).items.map(\.key.name) == ["repeated"])
        #expect(try store.list(eventsV1).items.isEmpty)

        clock.advance(2999)
        #expect(await expiry.sweep() == 0)
        clock.advance(1)
        #expect(await expiry.sweep() == 1)
        #expect(try store.list(coreEvents).items.isEmpty)
        #expect(try store.list(configMaps).items.count == 1)
    }

    @Test func theSweepPeriodIsATenthOfTheTTLWithinOneSecondAndOneMinute() async throws {
        let store = try await makeStore()
        #expect(EventExpiry(store: store, ttl: .seconds(3600)).period == .seconds(60))
        #expect(EventExpiry(store: store, ttl: .seconds(300)).period == .seconds(30))
        #expect(EventExpiry(store: store, ttl: .seconds(5)).period == .seconds(1))
    }
}
