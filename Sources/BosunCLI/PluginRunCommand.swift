import ArgumentParser
import BosunHost
import BosunPluginHost
import BosunRemote
import BosunRuntime
import Foundation
import Logging
import UnixSignals

/// `bosun plugin run PATH [--kubeconfig FILE]`: a plugin's controllers as a standalone operator
/// against any Kubernetes API server (the remote mode), and what `bosun up --isolated-plugin`
/// starts as its child (the isolated mode).
struct PluginRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plugin's controllers against an API server, as a standalone operator.",
        discussion: """
            Loads the plugin library, creates its CustomResourceDefinitions on the server the \
            kubeconfig names (its current context, or --context), and runs its controllers and node \
            runtimes over HTTPS until SIGINT or SIGTERM. Works against `bosun up` or any Kubernetes \
            cluster. A plugin that registers admission hooks or scheduler plugins cannot run this way \
            (they run inside the API server and the scheduler); it is refused with exit code 78, as is \
            a library that is not a plugin this bosun can load.
            """
    )

    @Argument(help: "The plugin library (.so).")
    var path: String

    @Option(help: "The kubeconfig; default: $KUBECONFIG, else ~/.kube/config.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use; default: its current-context.")
    var context: String?

    @Flag(help: "Elect a leader on a Lease before running controllers, so replicas can run side by side.")
    var leaderElect = false

    @Option(help: "The namespace of the leader election Lease.")
    var leaderElectionNamespace = "kube-system"

    @Option(help: ArgumentHelp(
        "Workers per controller, unless the plugin's builder sets its own. Remote reconciles wait on HTTP round trips rather than on cores, so the default is higher than in-process (the number of cores).",
        valueName: "n"))
    var workers = 16

    func validate() throws {
        guard workers > 0 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        let logger = Logger(label: "bosun.plugin")
        let configuration: RemoteConfiguration
        let client: RemoteClient
        do {
            configuration = try RemoteConfiguration.kubeconfig(at: kubeconfigPath(), context: context)
            client = try RemoteClient(configuration)
        } catch {
            fail("\(error)", code: PluginSupervisor.cannotRunExitCode)
        }
        var options = ManagerOptions(defaultConcurrency: workers, eventSource: "bosun-plugin")
        if leaderElect {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            options.leaderElection = LeaderElectionConfig(
                leaseName: name.lowercased().replacingOccurrences(of: "_", with: "-"), namespace: leaderElectionNamespace,
                identity: ProcessInfo.processInfo.hostName + "_" + UID.random())
        }
        let manager = Manager(client: client, logger: logger, options: options)
        let loaded: LoadedPlugin
        do throws(PluginLoadError) {
            loaded = try await PluginHost.loadRemote(path: path, client: client, manager: manager, logger: logger)
        } catch {
            try? await client.shutdown()
            // A server that did not answer may answer later: the supervisor retries that; not a
            // library that cannot be a plugin here.
            fail("\(error)", code: error.reason == .applyFailed ? ExitCode.failure.rawValue : PluginSupervisor.cannotRunExitCode)
        }
        say("bosun: plugin \(loaded.info.name) \(loaded.info.version) running against \(configuration.server): "
            + "controllers \(loaded.controllers.joined(separator: ", "))")
        let running = Task { try await manager.run() }
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let stopped = Task {
            for await _ in signals { return }
        }
        // Either a signal, or the manager ending by itself (a lost leader election). Awaiting a
        // task's value ignores cancellation, so both tasks are cancelled by hand.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await stopped.value }
            group.addTask { _ = try? await running.value }
            await group.next()
            stopped.cancel()
            running.cancel()
        }
        let outcome = await running.result
        // The client is not shut down: the process exits here, which closes its connections at
        // once, where a graceful shutdown waits up to 5 s per cancelled watch for the server's TLS
        // close_notify. (Exiting also keeps the unshut client from being deinitialized.)
        if case .failure(let error) = outcome, !(error is CancellationError) {
            fail("the controllers stopped: \(error)", code: ExitCode.failure.rawValue)
        }
        say("bosun: plugin \(loaded.info.name) stopped")
        withExtendedLifetime(client) { Foundation.exit(0) }
    }

    private func kubeconfigPath() -> String {
        if let kubeconfig { return kubeconfig }
        if let env = ProcessInfo.processInfo.environment["KUBECONFIG"], !env.isEmpty {
            return String(env.split(separator: ":").first ?? Substring(env))
        }
        return NSHomeDirectory() + "/.kube/config"
    }

    private func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("bosun: error: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
