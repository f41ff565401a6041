import BosunRuntime
import Synchronization

/// Lists and then watches one resource for the garbage collector, handing each change to it
/// (upstream's monitors). It keeps no cache: the graph is the only copy of what it saw, so
/// watching every resource of a large cluster costs the graph's nodes and nothing more.
///
/// After a watch error it resumes from the last resourceVersion; after 410 Expired it relists
/// and reports which objects the list no longer holds; a watch silent for the inactivity
/// timeout (not even a bookmark) is restarted. A 404 means the resource is no longer served (its
/// CRD went): the monitor reports it and stops.
final class ResourceMonitor: Sendable {
    enum Change: Sendable {
        case observed(StoredObject)
        case deleted(StoredObject)
        /// A relist ended: observed objects of this resource not in `seen` are gone.
        case relisted(seen: Set<CompactUID>)
        /// The resource is not served any more.
        case gone
    }

    let resource: ResourceDescriptor
    let kind: GraphKind
    private let client: any Client
    private let clock: any RuntimeClock
    private let logger: Logger
    private let pageSize: Int
    private let inactivityTimeout: Duration
    private let handle: @Sendable (ResourceMonitor, Change) -> Void
    private let eventsSeen = Atomic<Int>(0)
    private let state = Mutex(State())

    private struct State {
        var task: Task<Void, Never>?
        var synced = false
    }

    init(
        resource: ResourceDescriptor, client: any Client, clock: any RuntimeClock, logger: Logger, pageSize: Int,
        inactivityTimeout: Duration, handle: @escaping @Sendable (ResourceMonitor, Change) -> Void
    ) {
        self.resource = resource
        kind = GraphKind(apiVersion: resource.apiVersion, kind: resource.kind)
        self.client = client
        self.clock = clock
        var logger = logger
        logger[metadataKey: "resource"] = "\(resource.groupResource)"
        self.logger = logger
        self.pageSize = pageSize
        self.inactivityTimeout = inactivityTimeout
        self.handle = handle
    }

    /// Whether the first list has been handed over.
    var hasSynced: Bool { state.withLock { $0.synced } }

    func start() {
        state.withLock { s in
            guard s.task == nil else { return }
            s.task = Task { await self.run() }
        }
    }

    func stop() {
        state.withLock { $0.task }?.cancel()
    }

    private func run() async {
        var resourceVersion: String?
        var failures = 0
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    resourceVersion = try await relist()
                }
                try await watch(from: &resourceVersion)
                failures = 0
            } catch is CancellationError {
                return
            } catch let error as APIError where error.code == 410 {
                logger.debug("watch expired; relisting", metadata: ["error": "\(error.message)"])
                resourceVersion = nil
            } catch let error as APIError where error.code == 404 {
                logger.info("resource no longer served; stopping its monitor")
                handle(self, .gone)
                return
            } catch {
                failures += 1
                logger.warning("list/watch failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                if failures > 1 {
                    let delay = Duration.milliseconds(min(30_000, 100 << min(failures - 2, 9)))
                    do { try await clock.sleep(for: delay) } catch { return }
                }
            }
        }
    }

    /// Hands over every object page by page, then what the list no longer holds; returns the
    /// list's resourceVersion.
    private func relist() async throws -> String {
        var options = ListOptions(limit: pageSize)
        var seen = Set<CompactUID>()
        var listVersion: Int64?
        repeat {
            try Task.checkCancellation()
            let page = try await client.listObjects(resource, namespace: nil, options: options)
            if listVersion == nil { listVersion = page.resourceVersion }
            for object in page.items {
                seen.insert(CompactUID(object.uid))
                handle(self, .observed(object))
            }
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        // Synced before the collector hears of the relist: it wakes its sync waiters from that
        // callback once every monitor says synced, and for the last monitor to finish no later
        // call would (a restart on a full store hung there, waiting for the graph forever).
        state.withLock { $0.synced = true }
        handle(self, .relisted(seen: seen))
        return String(listVersion ?? 0)
    }

    private func watch(from resourceVersion: inout String?) async throws {
        let options = ListOptions(resourceVersion: resourceVersion, allowWatchBookmarks: true)
        let watch = try await client.watchObjects(resource, namespace: nil, options: options)
        let watchdog = Task { [clock, inactivityTimeout] in
            while true {
                let before = self.eventsSeen.load(ordering: .relaxed)
                do { try await clock.sleep(for: inactivityTimeout) } catch { return }
                if self.eventsSeen.load(ordering: .relaxed) == before {
                    watch.cancel()
                    return
                }
            }
        }
        defer {
            watchdog.cancel()
            watch.cancel()
        }
        for try await event in watch {
            eventsSeen.add(1, ordering: .relaxed)
            resourceVersion = String(event.resourceVersion)
            switch event.type {
            case .added, .modified: if let object = event.object { handle(self, .observed(object)) }
            case .deleted: if let object = event.object { handle(self, .deleted(object)) }
            case .bookmark: break
            }
        }
        try Task.checkCancellation()
    }
}
