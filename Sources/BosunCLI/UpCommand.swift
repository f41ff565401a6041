import ArgumentParser
import BosunAPIServer
import BosunHost
import BosunKit
import BosunPluginHost
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `bosun up`: runs the control plane and its Kubernetes API until SIGINT or SIGTERM.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the control plane: API server, store, scheduler, node runtimes and built-in controllers.",
        discussion: """
            State is kept in DATA-DIR/store.sqlite and survives restarts. The API server listens on \
            --listen with TLS (a CA and serving certificate are generated into DATA-DIR/pki on first \
            start) and requires the bearer token in DATA-DIR/token; DATA-DIR/kubeconfig holds both, for \
            `kubectl --kubeconfig DATA-DIR/kubeconfig`. --sim-nodes creates that many simulated nodes \
            (sim-node-0, ...); the node `local` runs containers with a command as real processes. \
            Each --plugin loads an operator plugin library in-process (docs/writing-a-plugin.md), as \
            does each .so in --plugins-dir (DATA-DIR/plugins by default); a plugin that cannot be \
            loaded is reported (in the log and in /readyz?verbose) and the control plane runs without it. \
            Each --isolated-plugin runs a plugin's controllers in a child process (`bosun plugin run`) \
            that is restarted with backoff when it crashes; /readyz fails while it is down. \
            Once ready it prints a summary: the API server's URL, the kubeconfig, the nodes, the \
            plugins, and the dashboard's URL (/dashboard/, with the token after #token=). \
            With --etcd the store lives in that etcd cluster instead, shared by every `bosun up` given \
            the same cluster: each serves the API, the one elected leader runs the controllers, the \
            scheduler and the garbage collector, and each runs its own local node, named --name \
            (docs/distributed.md).
            """
    )

    @Option(help: "Directory for the store, the certificates, the token and the kubeconfig.", completion: .directory)
    var dataDir: String = ".bosun"

    @Option(help: "Address the API server listens on, HOST:PORT.")
    var listen: String = "127.0.0.1:6443"

    @Option(help: "Simulated nodes to create.")
    var simNodes: Int = 0

    @Flag(help: "Do not run the node `local`.")
    var noLocalNode = false

    @Option(help: ArgumentHelp("An operator plugin library (.so) to load in-process; repeatable.", valueName: "path"),
            completion: .file(extensions: ["so"]))
    var plugin: [String] = []

    @Option(help: ArgumentHelp("A directory whose .so files are loaded as plugins too, in name order, after the --plugin ones (default: DATA-DIR/plugins, if it exists).", valueName: "dir"),
            completion: .directory)
    var pluginsDir: String?

    @Option(help: ArgumentHelp(
        "An operator plugin library (.so) to run isolated, in a child process that talks to the API server and is restarted when it crashes; repeatable. Only its controllers and node runtimes: a plugin with admission hooks or scheduler plugins must load in-process.",
        valueName: "path"), completion: .file(extensions: ["so"]))
    var isolatedPlugin: [String] = []

    @Flag(help: "Serve plain HTTP instead of TLS (loopback addresses only; the token is still required).")
    var insecureHttp = false

    @Option(help: ArgumentHelp(
        "Keep the store in this etcd cluster, shared with every control plane given it: its members' client URLs, comma-separated (http://HOST:PORT,...).",
        valueName: "urls"))
    var etcd: String?

    @Option(help: ArgumentHelp(
        "With --etcd: this control plane's name, unique among those sharing the cluster (its identity in the leader election and its local node's name; default: HOST-PORT, from the host name and --listen's port).",
        valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("With --etcd: how long a standby waits after the leader last renewed its lease before taking over, in seconds.", valueName: "seconds"))
    var leaderElectLeaseDuration: Int = 8

    @Option(help: ArgumentHelp(
        "Changes kept in memory for watches to resume from; a watch from an older resourceVersion is 410 Gone. Memory grows until this many are kept.",
        valueName: "changes"))
    var watchHistory: Int = 100_000

    @Option(help: ArgumentHelp(
        "How long an Event is kept after its last write, as a duration (1h, 90s): kube-apiserver's --event-ttl.",
        valueName: "duration"))
    var eventTtl: String = "1h"

    @Option(help: ArgumentHelp(
        "How often the C heap's free pages are given back to the kernel, as a duration (1m, 30s); 0 never: jemalloc then returns pages unused for about ten seconds only while it keeps allocating.",
        valueName: "duration"))
    var heapTrimInterval: String = "1m"

    func validate() throws {
        if simNodes < 0 { throw ValidationError("--sim-nodes must not be negative") }
        if watchHistory < 1 { throw ValidationError("--watch-history must be at least 1") }
        _ = try eventTTL()
        _ = try heapTrimPeriod()
        if etcd == nil && name != nil { throw ValidationError("--name names a control plane sharing etcd: give --etcd too") }
        if let etcd, etcdEndpoints(etcd).isEmpty { throw ValidationError("--etcd needs at least one URL") }
        if leaderElectLeaseDuration < 3 { throw ValidationError("--leader-elect-lease-duration must be at least 3 seconds") }
        let (host, _) = try Self.hostAndPort(listen)
        if insecureHttp && !Self.isLoopback(host) {
            throw ValidationError("--insecure-http serves a loopback address only; \(host) is not one")
        }
    }

    /// `--event-ttl` as a duration: at least a second.
    func eventTTL() throws -> Duration {
        let ttl: Duration
        do {
            ttl = try GoDuration.parse(eventTtl)
        } catch {
            throw ValidationError("--event-ttl: \(error)")
        }
        if ttl < .seconds(1) { throw ValidationError("--event-ttl must be at least 1s") }
        return ttl
    }

    /// `--heap-trim-interval` as a duration; nil for 0 (never).
    func heapTrimPeriod() throws -> Duration? {
        let interval: Duration
        do {
            interval = try GoDuration.parse(heapTrimInterval)
        } catch {
            throw ValidationError("--heap-trim-interval: \(error)")
        }
        if interval == .zero { return nil }
        if interval < .seconds(1) { throw ValidationError("--heap-trim-interval must be 0 or at least 1s") }
        return interval
    }

    func run() async throws {
        let (host, port) = try Self.hostAndPort(listen)
        let logger = Logger(label: "bosun")
        let started = ContinuousClock.now
        let serverConfiguration: APIServerConfiguration
        do {
            serverConfiguration = try APIServerDataDirectory.configuration(
                directory: dataDir, host: host, port: port, insecureHTTP: insecureHttp)
        } catch {
            throw StartupFailure("cannot prepare the data directory \(dataDir): \(error); choose a writable one with --data-dir")
        }
        // One registry for the controllers' and the server's metrics, served at /metrics.
        let metrics = PrometheusTextMetrics()
        let distributed = etcd.map { urls in
            let lease = leaderElectLeaseDuration
            return DistributedOptions(
                etcdEndpoints: etcdEndpoints(urls), name: name ?? Self.defaultName(port: port),
                leaseDuration: .seconds(lease), renewDeadline: .seconds(lease * 3 / 4), retryPeriod: .seconds(1))
        }
        let storeText = distributed.map { "etcd \($0.etcdEndpoints.joined(separator: ",")) as \($0.name)" } ?? "\(dataDir)/store.sqlite"
        say("bosun: starting the control plane — store \(storeText)")
        let plane: ControlPlane
        do {
            plane = try await ControlPlane.start(ControlPlaneOptions(
                dataDirectory: dataDir, simulatedNodes: simNodes, localNode: !noLocalNode,
                plugins: pluginPaths(),
                metricsFactory: metrics, distributed: distributed, watchHistory: watchHistory,
                eventTTL: eventTTL()), logger: logger)
        } catch {
            throw StartupFailure("the control plane did not start: \(error); check that \(dataDir) is writable and not used by another bosun up")
        }
        for loaded in plane.plugins.loaded {
            say("bosun: plugin \(loaded.info.name) \(loaded.info.version) loaded from \(loaded.path)")
        }
        for failure in plane.plugins.failures {
            say("bosun: error: \(failure) — running without it; /readyz reports it")
        }
        let server: APIServer
        do {
            server = try await APIServer.bind(serverConfiguration, store: plane.store, isReady: { plane.isReady }, readinessReport: { plane.readinessReport },
                                              podLogs: plane.local.map(LocalPodLogs.source),
                                              metrics: metrics,
                                              logger: Logger(label: "bosun.apiserver"))
        } catch {
            await plane.shutdown()
            throw StartupFailure.bind(error, listen: listen)
        }
        let kubeconfig = try APIServerDataDirectory.writeKubeconfig(in: dataDir, server: server, configuration: serverConfiguration)
        say("bosun: API server listening on \(server.url); waiting for the controllers' caches")
        if insecureHttp {
            // client-go (kubectl, every Go client) applies a kubeconfig's credentials only to
            // https servers: over plain HTTP it sends no token and gets 401.
            say("bosun: warning: kubectl and other client-go clients send no token over plain HTTP, so they get 401 here; serve TLS (drop --insecure-http) for them")
        }
        // Services stop in reverse order: the API server first (no request is cut off mid-write),
        // then the controllers and the store, which makes every acknowledged write durable.
        // Isolated plugins start once the kubeconfig they connect with is written, and stop first.
        let supervisors = try isolatedPlugin.map { path in
            PluginSupervisor(executable: try Self.executablePath(), pluginPath: path, kubeconfig: kubeconfig)
        }
        for supervisor in supervisors {
            plane.addReadinessCheck(supervisor.checkName) { supervisor.readinessFailure }
            say("bosun: plugin \(supervisor.pluginPath) runs isolated (bosun plugin run)")
        }
        let summary = StartupSummary(
            apiServer: server.url, kubeconfig: kubeconfig, store: storeText,
            simulatedNodes: simNodes, localNode: !noLocalNode,
            plugins: plane.plugins.loaded.map { "\($0.info.name) \($0.info.version)" } + isolatedPlugin.map { "\($0) (isolated)" },
            failedPlugins: plane.plugins.failures.count,
            dashboard: "\(server.url)\(StartupSummary.dashboardPath)#token=\(serverConfiguration.token.value)",
            started: started)
        var services: [any ServiceLifecycle.Service] = [
            ControlPlaneService(plane: plane, summary: summary), server,
            PluginReloadService(plane: plane, paths: { pluginPaths() }),
        ]
            + supervisors.map { SupervisorService(supervisor: $0) }
        if let period = try heapTrimPeriod() {
            services.append(HeapTrimService(trimmer: HeapTrimmer(metrics: metrics), interval: period))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        say("bosun: stopped")
    }

    /// The `--plugin` libraries, then the plugins directory's, as they are now.
    func pluginPaths() -> [String] {
        plugin + PluginDirectory.libraries(in: pluginsDir ?? "\(dataDir)/plugins")
    }

    func etcdEndpoints(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A control plane's default name: the host name and the API server's port, so that two on
    /// one machine differ; lower-cased, as a node name must be.
    static func defaultName(port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "bosun"
        return "\(host.lowercased())-\(port)"
    }

    /// Splits `HOST:PORT` or `[IPv6]:PORT`.
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port)
        else { throw ValidationError("--listen must be HOST:PORT, not \(text)") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        return (host, port)
    }

    /// This binary, which isolated plugins run as `bosun plugin run`.
    static func executablePath() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The control plane as a service of the group: announces readiness once the caches have
/// synced, and shuts the plane down (controllers, local processes, then the store) when the
/// group stops.
private struct ControlPlaneService: ServiceLifecycle.Service {
    let plane: ControlPlane
    let summary: StartupSummary

    func run() async throws {
        let ready = Task {
            await plane.waitUntilReady()
            say(summary.text(readyAt: ContinuousClock.now))
        }
        try? await gracefulShutdown()
        ready.cancel()
        say("bosun: shutting down")
        await plane.shutdown()
    }
}

/// Gives the C heap's free pages back to the kernel every `interval` until the group stops.
private struct HeapTrimService: ServiceLifecycle.Service {
    let trimmer: HeapTrimmer
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown { await trimmer.run(every: interval) }
    }
}

/// An isolated plugin's supervisor as a service of the group: it stops (SIGTERM to the child)
/// when the group shuts down.
private struct SupervisorService: ServiceLifecycle.Service {
    let supervisor: PluginSupervisor

    func run() async throws {
        let running = Task { await supervisor.run() }
        try? await gracefulShutdown()
        running.cancel()
        await running.value
    }
}

/// On SIGHUP, brings the in-process plugins in line with their files: a replaced library is
/// reloaded, a new one in the plugins directory loaded, a removed one unloaded (see PluginSet).
private struct PluginReloadService: ServiceLifecycle.Service {
    let plane: ControlPlane
    let paths: @Sendable () -> [String]

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            let changes = await plane.pluginSet.sync(with: paths())
            if changes.isEmpty { say("bosun: SIGHUP: plugins unchanged") }
            for change in changes { say("bosun: SIGHUP: \(change)") }
        }
    }
}
