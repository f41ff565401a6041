import Foundation

/// What `bosun up` prints once the control plane is ready: where everything is, and what to do
/// next.
struct StartupSummary: Sendable {
    static let dashboardPath = "/dashboard/"

    var apiServer: String
    var kubeconfig: String
    var store: String
    var simulatedNodes: Int
    var localNode: Bool
    var plugins: [String]
    var failedPlugins: Int
    /// The dashboard's URL with the token in its fragment, which browsers never send to a server.
    var dashboard: String
    var started: ContinuousClock.Instant

    func text(readyAt now: ContinuousClock.Instant) -> String {
        let elapsed = now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var pluginText = plugins.isEmpty ? "none" : plugins.joined(separator: ", ")
        if failedPlugins > 0 { pluginText += " (\(failedPlugins) failed to load: see above and /readyz?verbose)" }
        let rows: [(String, String)] = [
            ("API server", apiServer),
            ("kubeconfig", kubeconfig),
            ("nodes", nodesText),
            ("plugins", pluginText),
            ("dashboard", dashboard),
            ("store", store),
        ]
        return (["bosun: ready in \((seconds * 10).rounded() / 10) s", ""]
            + rows.map { "  " + $0.0.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.1 }
            + ["", "  next: kubectl --kubeconfig \(kubeconfig) get nodes", "  stop: Ctrl-C (state is kept in \(store))"])
            .joined(separator: "\n")
    }

    private var nodesText: String {
        var names: [String] = []
        if localNode { names.append("local (runs containers as processes)") }
        switch simulatedNodes {
        case 0: break
        case 1: names.append("sim-node-0 (simulated)")
        case 2: names.append("sim-node-0, sim-node-1 (simulated)")
        default: names.append("sim-node-0 … sim-node-\(simulatedNodes - 1) (\(simulatedNodes) simulated)")
        }
        return names.isEmpty ? "none (--sim-nodes N adds simulated ones)" : names.joined(separator: "; ")
    }
}

/// A reason `bosun up` cannot start, said in one line with what to do about it.
struct StartupFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// The API server could not listen: the address in use, not ours, or a privileged port.
    static func bind(_ error: any Error, listen: String) -> StartupFailure {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("errno: 98") {
            return StartupFailure("\(listen) is already in use (another bosun up?); stop it, or listen elsewhere with --listen 127.0.0.1:PORT")
        }
        if text.contains("Permission denied") || text.contains("errno: 13") {
            return StartupFailure("no permission to listen on \(listen); use a port above 1023 with --listen 127.0.0.1:PORT")
        }
        if text.contains("Cannot assign requested address") || text.contains("errno: 99") {
            return StartupFailure("\(listen) is not an address of this machine; use --listen 127.0.0.1:PORT or 0.0.0.0:PORT")
        }
        return StartupFailure("the API server cannot listen on \(listen): \(text)")
    }
}

/// Writes a line to standard output at once: progress and the summary appear as they happen, also
/// when standard output is a file or a pipe (where `print` would wait for its buffer to fill).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
