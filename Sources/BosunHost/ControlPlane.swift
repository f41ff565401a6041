import BosunControllers
import BosunEtcd
import BosunNodes
import BosunPluginHost
import BosunProcesses
import BosunRuntime
import BosunScheduler
import BosunSQLite
import CoreMetrics
import Foundation
import Logging
import Synchronization

/// What a control plane is made of, as `bosun up`'s flags say.
public struct ControlPlaneOptions: Sendable {
    /// Where the store's SQLite file lives (`store.sqlite`); `nil` keeps everything in memory.
    public var dataDirectory: String?
    /// Simulated nodes to create (`sim-node-0`, `sim-node-1`, ...), if they do not exist yet.
    public var simulatedNodes: Int
    /// Whether to run the node `local`, whose containers are real processes.
    public var localNode: Bool
    /// Operator plugin libraries to load in-process, in order (`--plugin`).
    public var plugins: [String]
    /// Where the controllers' metrics (reconciles, work queues) go; `nil` keeps none.
    public var metricsFactory: (any MetricsFactory)?
    /// Share the store with other control planes through etcd (docs/distributed.md); `nil`
    /// keeps it in the data directory (or in memory), for this process alone.
    public var distributed: DistributedOptions?
    /// Changes the store keeps in memory for watches to resume from (kube-apiserver's
    /// `--default-watch-cache-size`); an older resourceVersion is `410 Gone`.
    public var watchHistory: Int
    /// How long an Event is kept after its last write (kube-apiserver's `--event-ttl`).
    public var eventTTL: Duration

    public init(dataDirectory: String? = nil, simulatedNodes: Int = 0, localNode: Bool = true, plugins: [String] = [],
                metricsFactory: (any MetricsFactory)? = nil, distributed: DistributedOptions? = nil, watchHistory: Int = 100_000,
                eventTTL: Duration = .seconds(3600)) {
        self.distributed = distributed
        self.watchHistory = watchHistory
        self.eventTTL = eventTTL
        self.dataDirectory = dataDirectory
        self.simulatedNodes = simulatedNodes
        self.localNode = localNode
        self.plugins = plugins
        self.metricsFactory = metricsFactory
    }
}

/// How a control plane shares its store with others through etcd: every one serves the API,
/// one — elected through the `kube-system/bosun-controller-manager` Lease, as
/// kube-controller-manager is — runs the controllers, the scheduler and the garbage collector,
/// and each runs its own machine's local node.
public struct DistributedOptions: Sendable {
    /// The etcd members' client URLs (`http://HOST:PORT`).
    public var etcdEndpoints: [String]
    /// This control plane's name among those sharing etcd: its identity in the election, and the
    /// name of its local node. Unique per control plane.
    public var name: String
    /// Leader election's timings: kube-controller-manager's are 15 s, 10 s and 2 s; these are
    /// shorter so that a standby takes over well within 15 s of the leader's death.
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration

    public init(etcdEndpoints: [String], name: String, leaseDuration: Duration = .seconds(8),
                renewDeadline: Duration = .seconds(6), retryPeriod: Duration = .seconds(1)) {
        self.etcdEndpoints = etcdEndpoints
        self.name = name
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// The Lease the control planes compete for.
    public static let leaseName = "bosun-controller-manager"

    var leaderElection: LeaderElectionConfig {
        LeaderElectionConfig(leaseName: Self.leaseName, namespace: "kube-system", identity: name,
                             leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod)
    }
}

/// One process's control plane: the store (SQLite in the data directory, memory, or a shared
/// etcd), and on it a manager running the scheduler, the node runtimes (simulated and local
/// processes) and the built-in controllers. `bosun up` puts the API server (BosunAPIServer) in
/// front of its store.
///
/// Sharing etcd with other control planes, the manager runs only while this one leads, and the
/// local node runs in a manager of its own, ``nodeManager``, on every control plane.
public final class ControlPlane: Sendable {
    public let store: ObjectStore
    /// The controllers', the scheduler's and the garbage collector's manager.
    public let manager: Manager
    /// The local node's manager: ``manager`` itself unless the store is shared.
    public let nodeManager: Manager
    /// The options it was started with.
    public let options: ControlPlaneOptions
    public let simulated: SimulatedNodes
    public let local: LocalProcessRuntime?
    /// The plugins, to load, unload and reload while the control plane runs.
    public let pluginSet: PluginSet
    /// The plugins loaded now, and those refused: the control plane runs without a refused plugin.
    public var plugins: PluginLoadReport { pluginSet.report }
    private let running: Task<Void, any Error>
    private let bookmarks: Task<Void, Never>
    /// Deletes Events `eventTTL` after their last write.
    private let eventExpiry: Task<Void, Never>
    /// Checks added after start (isolated plugins' children): a name, and why it fails or `nil`.
    private let addedChecks = Mutex<[(name: String, failure: @Sendable () -> String?)]>([])

    private init(
        store: ObjectStore, manager: Manager, nodeManager: Manager, simulated: SimulatedNodes, local: LocalProcessRuntime?,
        plugins: PluginSet, options: ControlPlaneOptions
    ) {
        self.store = store
        self.manager = manager
        self.nodeManager = nodeManager
        self.options = options
        self.simulated = simulated
        self.local = local
        pluginSet = plugins
        running = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await manager.run() }
                if nodeManager !== manager { group.addTask { try await nodeManager.run() } }
                try await group.waitForAll()
            }
        }
        // Watchers that asked for bookmarks learn the current resourceVersion once a minute, so
        // an idle watch can resume without a relist.
        bookmarks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                store.sendBookmarks()
            }
        }
        // Every control plane sharing etcd sweeps too: a delete that another made first fails its
        // precondition and is skipped.
        let expiry = EventExpiry(store: store, ttl: options.eventTTL)
        eventExpiry = Task { await expiry.run() }
    }

    /// Opens the store and starts everything on it.
    public static func start(
        _ options: ControlPlaneOptions, clock: any RuntimeClock = SystemRuntimeClock(),
        logger: Logger = Logger(label: "bosun")
    ) async throws -> ControlPlane {
        let backend: any StorageBackend
        if let distributed = options.distributed {
            backend = try EtcdBackend(endpoints: distributed.etcdEndpoints)
        } else if let directory = options.dataDirectory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            backend = try SQLiteBackend(path: directory + "/store.sqlite")
        } else {
            backend = MemoryBackend()
        }
        let store = try await ObjectStore.open(backend: backend, clock: clock, historyCapacity: options.watchHistory)
        let api = StoreClient(store: store)
        let manager = Manager(client: api, clock: clock, logger: logger, options: ManagerOptions(
            leaderElection: options.distributed?.leaderElection, metricsFactory: options.metricsFactory,
            campaignAfterLosingLeadership: true))
        let nodeManager = options.distributed == nil ? manager : Manager(
            client: api, clock: clock, logger: logger, options: ManagerOptions(eventSource: "kubelet"))
        // Plugins first: their kinds are served before any informer lists them, and their
        // scheduler plugins join the default profile.
        let plugins = PluginSet(store: store, manager: manager, logger: logger)
        await plugins.start(paths: options.plugins)
        let atStart = plugins.report
        try Scheduler.register(with: manager) { handle, bind in
            try atStart.schedulerProfile(handle: handle, bind: bind)
        }
        let simulated = try SimulatedNodes.register(with: manager)
        var local: LocalProcessRuntime?
        if options.localNode {
            let name = options.distributed?.name ?? LocalProcessRuntime.localNodeName
            local = try LocalProcessRuntime.register(with: nodeManager, options: LocalProcessRuntimeOptions(
                nodeName: options.distributed == nil ? nil : name))
            try await LocalProcessRuntime.ensureLocalNode(named: name, using: api)
        }
        try NodeLifecycleController.register(with: manager)
        try TaintEvictionController.register(with: manager)
        try ReplicaSetController.register(with: manager)
        try ReplicationManager.register(with: manager)
        try DeploymentController.register(with: manager)
        try GarbageCollector.register(with: manager)
        try PodGCController.register(with: manager)
        try NamespaceController.register(with: manager)
        try JobController.register(with: manager)
        try CronJobController.register(with: manager)
        try TTLAfterFinishedController.register(with: manager)
        try StatefulSetController.register(with: manager)
        try DaemonSetController.register(with: manager)
        // Without a data directory the volumes live in a temporary one, as the store lives in memory.
        let volumes = options.dataDirectory ?? (NSTemporaryDirectory() + "bosun-" + UID.random())
        try LocalVolumeProvisioner.register(with: manager, options: .init(dataDirectory: volumes))
        for n in 0..<options.simulatedNodes {
            do {
                _ = try await api.create(Node(metadata: ObjectMeta(
                    labels: [NodeRuntimeLabel.key: SimulatedNodes.runtimeName, "kubernetes.io/hostname": "sim-node-\(n)"],
                    name: "sim-node-\(n)")))
            } catch let error as APIError where error.code == 409 {
                // Made by an earlier run on the same data directory.
            }
        }
        return ControlPlane(store: store, manager: manager, nodeManager: nodeManager, simulated: simulated, local: local,
                            plugins: plugins, options: options)
    }

    /// Whether every controller's caches have loaded and every plugin asked for was loaded
    /// (what `/readyz` reports). A refused plugin fails readiness as a failed check fails
    /// kube-apiserver's, while the control plane keeps serving.
    public var isReady: Bool {
        controllersReady && plugins.failures.isEmpty
            && addedChecks.withLock { $0 }.allSatisfy { $0.failure() == nil }
    }

    /// Adds a check to readiness: `failure` says why it fails, or `nil` when it passes. An
    /// isolated plugin's supervisor adds one, failing while its child is not running.
    public func addReadinessCheck(_ name: String, failure: @escaping @Sendable () -> String?) {
        addedChecks.withLock { $0.append((name, failure)) }
    }

    /// `/readyz?verbose`'s body: one line per check, `[+]name ok` or `[-]name failed: reason`,
    /// with a `plugin/<name>` check for each plugin asked for (its file name if it was refused
    /// before its descriptor was read).
    public var readinessReport: String {
        var lines = [(controllersReady ? "[+]" : "[-]") + "informer-sync "
            + (controllersReady ? "ok" : "failed: caches are not synced yet" + unsyncedSuffix)]
        for plugin in plugins.loaded { lines.append("[+]plugin/\(plugin.info.name) ok") }
        for failure in plugins.failures {
            let name = failure.plugin ?? URL(fileURLWithPath: failure.path).lastPathComponent
            lines.append("[-]plugin/\(name) failed: \(failure.message)")
        }
        for check in addedChecks.withLock({ $0 }) {
            lines.append(check.failure().map { "[-]\(check.name) failed: \($0)" } ?? "[+]\(check.name) ok")
        }
        lines.append(isReady ? "readyz check passed" : "readyz check failed")
        return lines.joined(separator: "\n")
    }

    /// Whether the caches have loaded and the controllers run — or, sharing etcd, the caches
    /// are warm whether or not this control plane leads: a standby serves the API too.
    private var controllersReady: Bool {
        guard manager.hasSynced && nodeManager.hasSynced else { return false }
        return options.distributed != nil || manager.isLeading
    }

    /// Whether this control plane runs the controllers now (always, unless it shares etcd).
    public var isLeading: Bool { manager.isLeading }

    /// Which caches are still loading, for the report: `(job, statefulset)`.
    private var unsyncedSuffix: String {
        let names = manager.unsyncedNames + (nodeManager === manager ? [] : nodeManager.unsyncedNames)
        return names.isEmpty ? "" : " (" + names.joined(separator: ", ") + ")"
    }

    /// Waits until the caches have loaded and the controllers run (sharing etcd: until the
    /// caches are warm, leading or not).
    public func waitUntilReady() async {
        await manager.waitForCacheSync()
        await nodeManager.waitForCacheSync()
        while !controllersReady { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Stops the controllers, every local process, and the store.
    public func shutdown() async {
        bookmarks.cancel()
        eventExpiry.cancel()
        await eventExpiry.value
        running.cancel()
        _ = try? await running.value
        await local?.shutdown()
        await store.close()
    }
}
