import BosunKit
import BosunRuntime
import BosunStore
import Synchronization
import Testing

@Suite("Leader election")
struct LeaderElectionTests {
    @Test("a candidate creates the lease when there is none, and leads")
    func acquiresAbsentLease() async throws {
        let (clock, store, client) = try await electionEnvironment()
        let start = clock.now()
        let a = try ElectionCandidate("a", client: client, clock: clock)
        #expect(await a.next() == "started")
        #expect(a.elector.isLeader)
        #expect(a.elector.currentLeader == "a")

        let lease = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(lease.spec.holderIdentity == "a")
        #expect(lease.spec.leaseDurationSeconds == 15)
        #expect(lease.spec.leaseTransitions == 0)
        #expect(lease.spec.acquireTime == MicroTime(start))
        #expect(lease.spec.renewTime == MicroTime(start))

        // Renewal moves renewTime but keeps acquireTime and the transition count.
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(2))
        await clock.waitForSleepers(2)
        let renewed = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(renewed.spec.renewTime == MicroTime(start.advanced(by: .seconds(2))))
        #expect(renewed.spec.acquireTime == MicroTime(start))
        #expect(renewed.spec.leaseTransitions == 0)

        a.task.cancel()
        try await a.task.value
        await store.close()
    }

    @Test("a second candidate does not acquire while the holder renews")
    func noTakeoverWhileRenewed() async throws {
        let (clock, store, client) = try await electionEnvironment()
        let a = try ElectionCandidate("a", client: client, clock: clock)
        #expect(await a.next() == "started")
        await clock.waitForSleepers(2)  // a: renewal and renew deadline
        let b = try ElectionCandidate("b", client: client, clock: clock)
        await clock.waitForSleepers(3)  // b: next attempt

        // Well past leaseDuration in total, but a renews every retryPeriod.
        for _ in 0..<15 {
            clock.advance(by: .seconds(2))
            await clock.waitForSleepers(3)
        }
        #expect(a.elector.isLeader)
        #expect(!b.elector.isLeader)
        #expect(b.elector.currentLeader == "a")
        let lease = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(lease.spec.holderIdentity == "a")
        #expect(lease.spec.renewTime == MicroTime(clock.now()))
        #expect(lease.spec.leaseTransitions == 0)

        b.task.cancel()
        try await b.task.value
        a.task.cancel()
        try await a.task.value
        await store.close()
    }

    @Test("when the holder stops renewing it stops leading, and another candidate takes over after leaseDuration")
    func takeoverAfterExpiry() async throws {
        let (clock, store, client) = try await electionEnvironment()
        let cutOff = PartitionableClient(client)
        let start = clock.now()
        let a = try ElectionCandidate("a", client: cutOff, clock: clock)
        #expect(await a.next() == "started")
        await clock.waitForSleepers(2)
        let b = try ElectionCandidate("b", client: client, clock: clock)
        await clock.waitForSleepers(3)

        cutOff.partitioned = true
        for _ in 0..<4 {  // renewals at 2, 4, 6, 8 s fail; a still leads
            clock.advance(by: .seconds(2))
            await clock.waitForSleepers(3)
        }
        #expect(a.elector.isLeader)

        clock.advance(by: .seconds(2))  // 10 s without renewal: renewDeadline
        await #expect(throws: LeaderElectionError.leadershipLost(lease: "kube-system/controller")) {
            try await a.task.value
        }
        #expect(await a.next() == "stopped")
        #expect(!a.elector.isLeader)

        // b last saw the lease change at `start`; it is free to take from start + 15 s.
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(2))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(2))  // 14 s
        await clock.waitForSleepers(1)
        #expect(!b.elector.isLeader)
        #expect(try await client.get(Lease.self, namespace: "kube-system", name: "controller").spec.holderIdentity == "a")

        clock.advance(by: .seconds(2))  // 16 s
        #expect(await b.next() == "started")
        #expect(b.elector.isLeader)
        let lease = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(lease.spec.holderIdentity == "b")
        #expect(lease.spec.leaseTransitions == 1)
        #expect(lease.spec.acquireTime == MicroTime(start.advanced(by: .seconds(16))))

        b.task.cancel()
        try await b.task.value
        await store.close()
    }

    @Test("a clean shutdown releases the lease, so the next candidate acquires at its next attempt")
    func releaseOnShutdown() async throws {
        let (clock, store, client) = try await electionEnvironment()
        let start = clock.now()
        let a = try ElectionCandidate("a", client: client, clock: clock)
        #expect(await a.next() == "started")
        await clock.waitForSleepers(2)
        let b = try ElectionCandidate("b", client: client, clock: clock)
        await clock.waitForSleepers(3)

        a.task.cancel()
        try await a.task.value
        #expect(await a.next() == "stopped")
        #expect(!a.elector.isLeader)
        let released = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(released.spec.holderIdentity == "")
        #expect(released.spec.leaseDurationSeconds == 1)
        #expect(released.spec.leaseTransitions == 0)

        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(2))
        #expect(await b.next() == "started")
        let lease = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(lease.spec.holderIdentity == "b")
        #expect(lease.spec.leaseTransitions == 1)
        #expect(lease.spec.acquireTime == MicroTime(start.advanced(by: .seconds(2))))

        b.task.cancel()
        try await b.task.value
        await store.close()
    }

    @Test("work that returns ends the run and releases the lease; work that throws rethrows")
    func workEndsTheRun() async throws {
        let (clock, store, client) = try await electionEnvironment()
        let elector = try LeaderElector(
            client: client, clock: clock, config: LeaderElectionConfig(leaseName: "controller", identity: "a"))
        try await elector.run {}
        #expect(!elector.isLeader)
        #expect(try await client.get(Lease.self, namespace: "kube-system", name: "controller").spec.holderIdentity == "")

        struct Failure: Error, Equatable {}
        await #expect(throws: Failure()) {
            try await elector.run { throw Failure() }
        }
        let lease = try await client.get(Lease.self, namespace: "kube-system", name: "controller")
        #expect(lease.spec.holderIdentity == "")
        #expect(lease.spec.leaseTransitions == 1)
        await store.close()
    }

    @Test("inconsistent durations are refused")
    func invalidConfiguration() async throws {
        let (clock, store, client) = try await electionEnvironment()
        let bad = [
            LeaderElectionConfig(leaseName: "c", identity: "a", leaseDuration: .seconds(10), renewDeadline: .seconds(10)),
            LeaderElectionConfig(leaseName: "c", identity: "a", renewDeadline: .seconds(4), retryPeriod: .seconds(2)),
            LeaderElectionConfig(leaseName: "c", identity: ""),
        ]
        for config in bad {
            #expect(throws: LeaderElectionError.self) {
                _ = try LeaderElector(client: client, clock: clock, config: config)
            }
        }
        _ = try LeaderElector(client: client, clock: clock, config: LeaderElectionConfig(leaseName: "c", identity: "a"))
        await store.close()
    }
}

// MARK: Support

private func electionEnvironment() async throws -> (ManualClock, ObjectStore, StoreClient) {
    let clock = ManualClock()
    let store = try await ObjectStore.open(backend: MemoryBackend(), clock: clock)
    return (clock, store, StoreClient(store: store))
}

/// A candidate running an elector in its own task; its work reports "started" and, once
/// cancelled, "stopped".
private struct ElectionCandidate {
    let elector: LeaderElector
    let task: Task<Void, any Error>
    private let updates: AsyncStream<String>

    init(_ identity: String, client: any Client, clock: ManualClock) throws {
        let elector = try LeaderElector(
            client: client, clock: clock,
            config: LeaderElectionConfig(leaseName: "controller", identity: identity, acquireJitter: 0))
        let (updates, report) = AsyncStream<String>.makeStream()
        self.elector = elector
        self.updates = updates
        task = Task {
            try await elector.run {
                report.yield("started")
                await suspendUntilCancelled()
                report.yield("stopped")
            }
        }
    }

    func next() async -> String? {
        var iterator = updates.makeAsyncIterator()
        return await iterator.next()
    }
}

private func suspendUntilCancelled() async {
    let (never, end) = AsyncStream<Never>.makeStream()
    await withTaskCancellationHandler {
        for await _ in never {}
    } onCancel: {
        end.finish()
    }
}

/// Passes calls through until `partitioned`, then fails them all as an unreachable server would.
private final class PartitionableClient: Client {
    private let base: StoreClient
    private let cut = Mutex(false)

    init(_ base: StoreClient) { self.base = base }

    var partitioned: Bool {
        get { cut.withLock { $0 } }
        set { cut.withLock { $0 = newValue } }
    }

    private func check() throws {
        if partitioned { throw APIError(code: 503, reason: .serviceUnavailable, message: "partitioned") }
    }

    func get<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> T {
        try check()
        return try await base.get(type, namespace: namespace, name: name)
    }

    func list<T: Resource>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ListResult<T> {
        try check()
        return try await base.list(type, namespace: namespace, options: options)
    }

    func listObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try check()
        return try await base.listObjects(resource, namespace: namespace, options: options)
    }

    func watchObjects(_ resource: ResourceDescriptor, namespace: String?, options: ListOptions) async throws -> ObjectEvents {
        try check()
        return try await base.watchObjects(resource, namespace: namespace, options: options)
    }

    func create<T: Resource>(_ object: T, options: WriteOptions) async throws -> T {
        try check()
        return try await base.create(object, options: options)
    }

    func update<T: Resource>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        try check()
        return try await base.update(object, subresource: subresource, options: options)
    }

    func patch<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, patchType: PatchType, patch: JSONValue, subresource: String?,
        options: WriteOptions
    ) async throws -> T {
        try check()
        return try await base.patch(
            type, namespace: namespace, name: name, patchType: patchType, patch: patch, subresource: subresource,
            options: options)
    }

    func delete<T: Resource>(
        _ type: T.Type, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteResult<T> {
        try check()
        return try await base.delete(type, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
    }

    func bind(_ binding: Binding, namespace: String, options: WriteOptions) async throws -> Pod {
        try check()
        return try await base.bind(binding, namespace: namespace, options: options)
    }

    func scale<T: Resource>(_ type: T.Type, namespace: String?, name: String) async throws -> Scale {
        try check()
        return try await base.scale(type, namespace: namespace, name: name)
    }

    func updateScale<T: Resource>(_ type: T.Type, namespace: String?, scale: Scale, options: WriteOptions) async throws -> Scale {
        try check()
        return try await base.updateScale(type, namespace: namespace, scale: scale, options: options)
    }

    func serverResources() async throws -> [ResourceDescriptor] {
        try check()
        return try await base.serverResources()
    }

    func getObject(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> StoredObject {
        try check()
        return try await base.getObject(resource, namespace: namespace, name: name)
    }

    func patchObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) async throws -> StoredObject {
        try check()
        return try await base.patchObject(
            resource, namespace: namespace, name: name, patchType: patchType, patch: patch, subresource: subresource, options: options)
    }

    func deleteObject(
        _ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, writeOptions: WriteOptions
    ) async throws -> DeleteOutcome {
        try check()
        return try await base.deleteObject(resource, namespace: namespace, name: name, options: options, writeOptions: writeOptions)
    }
}
