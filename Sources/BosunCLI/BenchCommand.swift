import ArgumentParser
import BosunEtcd
import BosunBench
import BosunKit
import BosunSQLite
import BosunStore
import Foundation

/// `bosun bench NAME`: runs one benchmark; the last line of output is its figures as JSON.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run one benchmark and print its figures as one JSON object on the last line.",
        discussion: """
            Benchmarks: codec (PodList JSON decode/encode, typed and unstructured); store-memory and \
            store-sqlite (object store pod creates/s with a watcher attached, then a label-selector list; \
            --unstructured for JSON trees instead of typed pods); store-phases (CPU time per phase of a pod create); \
            sqlite-backend (raw SQLite backend commits/s with group commit, then reopen time); \
            store-etcd (object store pod creates/s through the etcd backend, on a one-member etcd started on \
            loopback in a temporary directory, --concurrency writers at once; then a restart's snapshot); \
            reconcile (controller runtime: informer cache bytes per pod, no-op reconciles/s, write-to-reconcile \
            latency; --concurrency is the number of workers); sim-nodes (simulated nodes heartbeating: idle \
            CPU, then --objects pods bound across --nodes: time to Running, RSS, idle CPU again); \
            scheduler (default plugins over --nodes nodes: scheduling cycles/s alone, then --objects pods \
            created, scheduled and bound through the store, pods/s from the first create to the last bind); \
            deployment (the whole control plane in process on --nodes simulated nodes: a Deployment of \
            --replicas pods until all are Running, Ready and available, then a rolling update of its image); \
            job (the whole control plane on --nodes simulated nodes: a Job of --completions pods, --parallelism \
            at a time, that exit at once, until it is Complete); cronjob (--cron-jobs CronJobs on "* * * * *" \
            on --nodes simulated nodes and the real clock: how long after the next minute each one's Job \
            appears to a watch, max and p99); daemonset (a DaemonSet on --nodes simulated nodes until a pod \
            is Ready on each, then a rolling update of its image with --max-unavailable and --max-surge); \
            gang (the gang-scheduling sample plugin from its .so, --plugin, next to bosun by default: --groups \
            PodGroups of --group-size pods on --nodes nodes, ms per group from a backlog, then seconds until all \
            are Running on simulated nodes); plugin-reconcile (the plugin template's Widget controller compiled in \
            and loaded from libWidgetPlugin.so, --plugin, next to bosun by default: --objects Widgets each, \
            --iterations rounds; CPU per reconcile of each); api-get and api-create (--connections keep-alive \
            clients GETting one ConfigMap, or POSTing new ones, back to back for --window-seconds: requests/s \
            and CPU per request); api-watch (API server LIST of --replicas pods, then \
            --watches HTTP watches following their rollout: did every watch get every event, how fast); \
            envelope (Kubernetes' limits in one process: --nodes simulated nodes, --pods pods as --namespaces \
            Deployments created together; seconds to converge, peak RSS, then a share of a core once idle over \
            --window-seconds); client-list-watch (BosunKit's remote client against the server \
            of --kubeconfig: list every pod of --namespace, then watch them replayed as ADDED; the Python \
            client's twin is scripts/bench/python/client_list_watch.py). \
            Build with -c release.
            """
    )

    @Argument(help: "The benchmark to run: codec, store-memory, store-sqlite, store-etcd, store-phases, sqlite-backend, reconcile, sim-nodes, scheduler, deployment, job, cronjob, daemonset, plugin-load, api-get, api-create, gang, plugin-reconcile, api-watch, envelope, client-list-watch.")
    var name: String

    @Option(help: "Pods in the document (codec; default 10,000) or in the cluster (envelope; default 150,000).")
    var pods: Int?

    @Option(help: "Concurrent HTTP watches of the rolling Deployment's pods (api-watch).")
    var watches = 1_000

    @Option(help: "Namespaces, one Deployment each, that share the pods (envelope).")
    var namespaces = 50

    @Option(help: "Repetitions; the best one is reported.")
    var iterations: Int = 5

    @Option(help: "Objects to create (store benchmarks).")
    var objects: Int = 100_000

    @Option(help: "Concurrent writers (store benchmarks; group commit needs many to batch).")
    var concurrency: Int = 64

    @Option(help: "Replicas of the Deployment (deployment, api-watch).")
    var replicas: Int = 10_000

    @Option(help: "Nodes (sim-nodes, scheduler, deployment, gang, envelope: default 5,000; job and daemonset: 1,000; cronjob: 100).")
    var nodes: Int?

    @Option(help: "Pods that must succeed (job).")
    var completions = 10_000

    @Option(help: "Pods running at once (job).")
    var parallelism = 1_000

    @Option(help: "CronJobs on \"* * * * *\" (cronjob).")
    var cronJobs = 10_000

    @Option(help: "The rolling update's maxUnavailable, a number or a percentage of the nodes (daemonset).")
    var maxUnavailable = "10%"

    @Option(help: "The rolling update's maxSurge, a number or a percentage of the nodes (daemonset).")
    var maxSurge = "0"

    @Option(help: "Seconds each measured window lasts (sim-nodes, api-get, api-create, envelope idle CPU).")
    var windowSeconds: Int = 30

    @Option(help: "Latency samples (reconcile).")
    var samples: Int = 2_000

    @Option(help: "Objects per informer kept decoded (reconcile).")
    var decodedCapacity: Int = 4096

    @Option(help: "Keep-alive connections sending requests back to back (api-get, api-create).")
    var connections: Int = 16

    @Option(help: ArgumentHelp(
        "A plugin library to load (plugin-load; repeatable) or the gang-scheduling plugin (gang; libGangScheduling.so next to bosun by default).",
        valueName: "path"))
    var plugin: [String] = []

    @Option(help: "PodGroups (gang).")
    var groups: Int = 1_000

    @Option(help: "Pods per PodGroup, its minMember (gang).")
    var groupSize: Int = 3

    @Flag(help: "Store benchmarks: create pods from JSON trees (what the HTTP API hands the store) rather than typed values (what in-process clients send).")
    var unstructured = false

    @Option(help: "The kubeconfig of the server to measure (client-list-watch).")
    var kubeconfig: String?

    @Option(help: "The namespace whose pods are listed and watched (client-list-watch).")
    var namespace = "default"

    @Option(help: "Directory for the SQLite file (sqlite benchmarks); a temporary one by default.")
    var directory: String?

    func run() async throws {
        #if DEBUG
        print("warning: this is a debug build; benchmark figures are meaningful only with `swift build -c release`")
        #endif
        switch name {
        case "codec":
            let report = try CodecBenchmark(pods: pods ?? 10_000, iterations: iterations).run()
            print(report.json)
        case "store-phases":
            print(try await StorePhasesBenchmark(objects: objects).run().json)
        case "store-memory":
            let report = try await StoreBenchmark(objects: objects, concurrency: concurrency, unstructured: unstructured)
                .run(backend: MemoryBackend(), name: name)
            print(report.json)
        case "store-sqlite":
            let dir = try scratchDirectory()
            let path = dir + "/bench-store.sqlite"
            let backend = try SQLiteBackend(path: path)
            let report = try await StoreBenchmark(objects: objects, concurrency: concurrency, unstructured: unstructured)
                .run(backend: backend, name: name, reopen: { try SQLiteBackend(path: path) })
            print(report.json)
        case "store-etcd":
            let cluster = try await LocalEtcdCluster.start(size: 1)
            defer { cluster.stop() }
            let backend = try EtcdBackend(endpoints: cluster.endpoints)
            let report = try await StoreBenchmark(objects: objects, concurrency: concurrency, unstructured: unstructured)
                .run(backend: backend, name: name, reopen: { try EtcdBackend(endpoints: cluster.endpoints) })
            print(report.json)
        case "sqlite-backend":
            let report = try await SQLiteBackendBenchmark(
                objects: objects, valueBytes: 2048, concurrency: concurrency, directory: try scratchDirectory()
            ).run()
            print(report.json)
        case "reconcile":
            let report = try await ReconcileBenchmark(
                objects: objects, workers: concurrency, latencySamples: samples, decodedCapacity: decodedCapacity
            ).run()
            print(report.json)
        case "sim-nodes":
            let report = try await SimulatedNodesBenchmark(
                nodes: nodes ?? 5_000, pods: objects, window: .seconds(windowSeconds)
            ).run()
            print(report.json)
        case "scheduler":
            let report = try await SchedulerBenchmark(nodes: nodes ?? 5_000, pods: objects).run()
            print(report.json)
        case "deployment":
            let report = try await DeploymentBenchmark(nodes: nodes ?? 5_000, replicas: replicas).run()
            print(report.json)
        case "job":
            let report = try await JobBenchmark(nodes: nodes ?? 1_000, completions: completions, parallelism: parallelism).run()
            print(report.json)
        case "cronjob":
            print(try await CronJobBenchmark(nodes: nodes ?? 100, cronJobs: cronJobs).run().json)
        case "daemonset":
            let report = try await DaemonSetBenchmark(
                nodes: nodes ?? 1_000, maxUnavailable: IntOrString(parsing: maxUnavailable), maxSurge: IntOrString(parsing: maxSurge)
            ).run()
            print(report.json)
        case "api-get", "api-create":
            let report = try await APIGetBenchmark(connections: connections, seconds: windowSeconds, creates: name == "api-create").run()
            print(report.json)
        case "plugin-load":
            guard !plugin.isEmpty else { throw ValidationError("plugin-load needs one or more --plugin PATH") }
            let report = try await PluginLoadBenchmark(paths: plugin).run()
            print(report.json)
        case "gang":
            let library = plugin.first
                ?? (Bundle.main.executableURL?.deletingLastPathComponent().path ?? ".") + "/libGangScheduling.so"
            let report = try await GangBenchmark(nodes: nodes ?? 5_000, groups: groups, groupSize: groupSize, plugin: library).run()
            print(report.json)
        case "plugin-reconcile":
            let library = plugin.first
                ?? (Bundle.main.executableURL?.deletingLastPathComponent().path ?? ".") + "/libWidgetPlugin.so"
            let report = try await PluginReconcileBenchmark(plugin: library, objects: objects, rounds: iterations).run()
            print(report.json)
        case "api-watch":
            let report = try await APIWatchBenchmark(nodes: nodes ?? 5_000, replicas: replicas, watches: watches).run()
            print(report.json)
        case "envelope":
            let report = try await EnvelopeBenchmark(
                nodes: nodes ?? 5_000, pods: pods ?? 150_000, namespaces: namespaces, window: .seconds(windowSeconds)
            ).run()
            print(report.json)
        case "client-list-watch":
            guard let kubeconfig else { throw ValidationError("client-list-watch needs --kubeconfig FILE") }
            let report = try await ClientListWatchBenchmark(kubeconfig: kubeconfig, namespace: namespace, iterations: iterations).run()
            print(report.json)
        default:
            throw ValidationError("unknown benchmark \"\(name)\"; available: codec, store-memory, store-sqlite, store-etcd, store-phases, sqlite-backend, reconcile, sim-nodes, scheduler, deployment, job, cronjob, daemonset, plugin-load, api-get, api-create, gang, plugin-reconcile, api-watch, envelope, client-list-watch")
        }
    }

    /// A fresh directory for benchmark files, removed by nobody: benchmarks leave their files for
    /// inspection under the system's temporary directory unless `--directory` is given.
    private func scratchDirectory() throws -> String {
        let dir = directory ?? (NSTemporaryDirectory() + "bosun-bench-" + UID.random())
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
