import ArgumentParser
import BosunHost
import Dispatch
import Foundation

/// `bosun up`: runs the control plane until SIGINT or SIGTERM.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the control plane: store, scheduler, node runtimes and built-in controllers.",
        discussion: """
            State is kept in DATA-DIR/store.sqlite and survives restarts. --sim-nodes creates that many \
            simulated nodes (sim-node-0, ...); the node `local` runs containers with a command as real \
            processes. The Kubernetes API server (--listen, the kubeconfig, /readyz) and plugin loading \
            (--plugin) are not built yet: see the README's status table.
            """
    )

    @Option(help: "Directory for the store and, later, the kubeconfig.")
    var dataDir: String = ".bosun"

    @Option(help: "Address the API server will listen on (not built yet).")
    var listen: String = "127.0.0.1:6443"

    @Option(help: "Simulated nodes to create.")
    var simNodes: Int = 0

    @Flag(help: "Do not run the node `local`.")
    var noLocalNode = false

    @Option(help: "An operator plugin to load (not built yet).")
    var plugin: [String] = []

    @Flag(help: "Serve plain HTTP instead of TLS (not built yet).")
    var insecureHttp = false

    func validate() throws {
        if simNodes < 0 { throw ValidationError("--sim-nodes must not be negative") }
        if !plugin.isEmpty { throw ValidationError("loading plugins (--plugin) is not built yet") }
    }

    func run() async throws {
        let plane = try await ControlPlane.start(ControlPlaneOptions(
            dataDirectory: dataDir, simulatedNodes: simNodes, localNode: !noLocalNode))
        await plane.waitUntilReady()
        print("bosun: up — store \(dataDir)/store.sqlite, \(simNodes) simulated node(s)\(noLocalNode ? "" : ", node local")")
        print("bosun: the API server (\(listen)) is not built yet; stop with Ctrl-C")
        await Self.waitForTermination()
        print("bosun: shutting down")
        await plane.shutdown()
    }

    /// Returns once SIGINT or SIGTERM arrives.
    static func waitForTermination() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = SignalLatch(continuation)
            for signal in [SIGINT, SIGTERM] {
                Foundation.signal(signal, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
                source.setEventHandler { once.fire() }
                source.resume()
                once.keep(source)
            }
        }
    }
}

/// Resumes its continuation once, and keeps the signal sources alive meanwhile.
private final class SignalLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) {
        lock.withLock { sources.append(source) }
    }

    func fire() {
        let pending = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume()
    }
}
