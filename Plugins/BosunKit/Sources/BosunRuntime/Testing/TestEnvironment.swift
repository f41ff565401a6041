import BosunKit
import BosunStore
import Logging
import Synchronization

/// The store, the admission chain and a controller manager in one process, on a
/// ``ManualClock``: test a controller with no API server, no etcd and no sleeps.
///
/// ```swift
/// let env = try await TestEnvironment.start()
/// try env.manager.controller(for: CronTab.self).reconcile { crontab, context in ... }
/// env.startManager()
/// _ = try await env.client.create(CronTab(...))
/// try await env.waitUntil("the pod exists") { try await env.client.getIfPresent(Pod.self, ...) != nil }
/// await env.stop()
/// ```
///
/// The store is the real one (in memory): resourceVersions, conflicts, admission, finalizers,
/// garbage-collection bookkeeping all behave as in `bosun up`. Timers (requeue-after, backoff,
/// leases) wait on ``clock``; move it with ``ManualClock/advance(by:)``.
public final class TestEnvironment: Sendable {
    public let clock: ManualClock
    public let store: ObjectStore
    /// The uncached client: what a test uses to play the user.
    public let api: StoreClient
    public let manager: Manager
    private let running = Mutex<Task<Void, any Error>?>(nil)

    private init(clock: ManualClock, store: ObjectStore, manager: Manager) {
        self.clock = clock
        self.store = store
        api = StoreClient(store: store)
        self.manager = manager
    }

    /// A fresh in-memory store with the initial namespaces, and a manager on it.
    public static func start(
        options: ManagerOptions = ManagerOptions(defaultConcurrency: 2), logger: Logger = Logger(label: "bosun.test")
    ) async throws -> TestEnvironment {
        let clock = ManualClock()
        let store = try await ObjectStore.open(backend: MemoryBackend(), clock: clock)
        let manager = Manager(client: StoreClient(store: store), clock: clock, logger: logger, options: options)
        return TestEnvironment(clock: clock, store: store, manager: manager)
    }

    /// The manager's cached client, as controllers see it.
    public var client: CachedClient { manager.client }

    /// Runs the manager in the background until ``stop()``.
    public func startManager() {
        running.withLock { task in
            guard task == nil else { return }
            task = Task { try await self.manager.run() }
        }
    }

    /// Checks `condition` until it holds. A safety net of `limit` real time turns a hang into a
    /// failure; nothing waits for time to pass. The first checks only yield; later ones pause a
    /// millisecond between checks, so that a test that waits long does not spin a core that the
    /// controllers it waits for — and tests running in parallel — need.
    public func waitUntil(
        _ what: String, limit: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        var checks = 0
        while try await !condition() {
            if ContinuousClock.now > deadline { throw TestEnvironmentError.timedOut(what) }
            checks += 1
            if checks < 64 {
                await Task.yield()
            } else {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Stops the manager as a clean shutdown does (controllers stop, a held lease is released);
    /// the store stays open.
    public func stopManager() async {
        let task = running.withLock { t -> Task<Void, any Error>? in
            defer { t = nil }
            return t
        }
        task?.cancel()
        _ = try? await task?.value
    }

    /// Stops the manager and closes the store.
    public func stop() async {
        await stopManager()
        await store.close()
    }
}

public enum TestEnvironmentError: Error, Hashable, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let what): "timed out waiting until \(what)"
        }
    }
}
