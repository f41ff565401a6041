import ArgumentParser
import BosunAPIServer
import BosunHost
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
            that is restarted with backoff when it crashes; /readyz fails while it is down.
            """
    )

    @Option(help: "Directory for the store, the certificates, the token and the kubeconfig.")
    var dataDir: String = ".bosun"

    @Option(help: "Address the API server listens on, HOST:PORT.")
    var listen: String = "127.0.0.1:6443"

    @Option(help: "Simulated nodes to create.")
    var simNodes: Int = 0

    @Flag(help: "Do not run the node `local`.")
    var noLocalNode = false

    @Option(help: ArgumentHelp("An operator plugin library (.so) to load in-process; repeatable.", valueName: "path"))
    var plugin: [String] = []

    @Option(help: ArgumentHelp("A directory whose .so files are loaded as plugins too, in name order, after the --plugin ones (default: DATA-DIR/plugins, if it exists).", valueName: "dir"))
    var pluginsDir: String?

    @Option(help: ArgumentHelp(
        "An operator plugin library (.so) to run isolated, in a child process that talks to the API server and is restarted when it crashes; repeatable. Only its controllers and node runtimes: a plugin with admission hooks or scheduler plugins must load in-process.",
        valueName: "path"))
    var isolatedPlugin: [String] = []

    @Flag(help: "Serve plain HTTP instead of TLS (loopback addresses only; the token is still required).")
    var insecureHttp = false

    @Option(help: ArgumentHelp(
        "Changes kept in memory for watches to resume from; a watch from an older resourceVersion is 410 Gone. Memory grows until this many are kept.",
        valueName: "changes"))
    var watchHistory: Int = 100_000

    func validate() throws {
        if simNodes < 0 { throw ValidationError("--sim-nodes must not be negative") }
        if watchHistory < 1 { throw ValidationError("--watch-history must be at least 1") }
        let (host, _) = try Self.hostAndPort(listen)
        if insecureHttp && !Self.isLoopback(host) {
            throw ValidationError("--insecure-http serves a loopback address only; \(host) is not one")
        }
    }

    func run() async throws {
        let (host, port) = try Self.hostAndPort(listen)
        let logger = Logger(label: "bosun")
        let serverConfiguration = try APIServerDataDirectory.configuration(
            directory: dataDir, host: host, port: port, insecureHTTP: insecureHttp)
        // One registry for the controllers' and the server's metrics, served at /metrics.
        let metrics = PrometheusTextMetrics()
        let plane = try await ControlPlane.start(ControlPlaneOptions(
            dataDirectory: dataDir, simulatedNodes: simNodes, localNode: !noLocalNode,
            plugins: plugin + PluginDirectory.libraries(in: pluginsDir ?? "\(dataDir)/plugins"),
            metricsFactory: metrics, watchHistory: watchHistory), logger: logger)
        for loaded in plane.plugins.loaded {
            print("bosun: plugin \(loaded.info.name) \(loaded.info.version) loaded from \(loaded.path)")
        }
        for failure in plane.plugins.failures {
            print("bosun: error: \(failure) — running without it; /readyz reports it")
        }
        let server: APIServer
        do {
            server = try await APIServer.bind(serverConfiguration, store: plane.store, isReady: { plane.isReady }, readinessReport: { plane.readinessReport },
                                              podLogs: plane.local.map(LocalPodLogs.source),
                                              metrics: metrics,
                                              logger: Logger(label: "bosun.apiserver"))
        } catch {
            await plane.shutdown()
            throw error
        }
        let kubeconfig = try APIServerDataDirectory.writeKubeconfig(in: dataDir, server: server, configuration: serverConfiguration)
        print("bosun: API server on \(server.url); kubeconfig written to \(kubeconfig)")
        let nodes = "\(simNodes) simulated node(s)\(noLocalNode ? "" : ", node local")"
        let announce = "bosun: ready — store \(dataDir)/store.sqlite, \(nodes); try: kubectl --kubeconfig \(kubeconfig) get nodes"
        // Services stop in reverse order: the API server first (no request is cut off mid-write),
        // then the controllers and the store, which makes every acknowledged write durable.
        // Isolated plugins start once the kubeconfig they connect with is written, and stop first.
        let supervisors = try isolatedPlugin.map { path in
            PluginSupervisor(executable: try Self.executablePath(), pluginPath: path, kubeconfig: kubeconfig)
        }
        for supervisor in supervisors {
            plane.addReadinessCheck(supervisor.checkName) { supervisor.readinessFailure }
            print("bosun: plugin \(supervisor.pluginPath) runs isolated (bosun plugin run)")
        }
        let services: [any ServiceLifecycle.Service] = [ControlPlaneService(plane: plane, announce: announce), server]
            + supervisors.map { SupervisorService(supervisor: $0) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        print("bosun: stopped")
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
    let announce: String

    func run() async throws {
        let ready = Task {
            await plane.waitUntilReady()
            print(announce)
        }
        try? await gracefulShutdown()
        ready.cancel()
        print("bosun: shutting down")
        await plane.shutdown()
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
