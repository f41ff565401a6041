import BosunProcesses
import BosunRuntime
import Foundation
import Logging
import Synchronization

/// Runs one plugin isolated: `bosun plugin run PATH --kubeconfig FILE` as a child process that
/// talks to this control plane's API server, restarted when it ends, as a kubelet restarts a
/// crashing container — after 1 s, doubling to 60 s, and back to 1 s once a run has lasted
/// ``Options/healthyAfter``. A crash in the plugin (`fatalError`, a segfault) ends only the child.
///
/// A child that exits with ``PluginSupervisor/cannotRunExitCode`` found the plugin unusable
/// (not a plugin, built for another host, or registering what cannot run isolated): it is not
/// restarted, and readiness reports why.
public final class PluginSupervisor: Sendable {
    /// What `bosun plugin run` exits with when the plugin cannot be run at all (EX_CONFIG).
    public static let cannotRunExitCode: Int32 = 78

    public struct Options: Sendable {
        public var initialBackoff: Duration
        public var maxBackoff: Duration
        /// A run that lasted this long resets the backoff.
        public var healthyAfter: Duration
        /// How long the child gets between SIGTERM and SIGKILL on shutdown.
        public var stopGrace: Duration
        /// Copy the child's output to this process's standard error, each line prefixed.
        public var forwardOutput: Bool

        public init(
            initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60),
            healthyAfter: Duration = .seconds(60), stopGrace: Duration = .seconds(10), forwardOutput: Bool = true
        ) {
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.healthyAfter = healthyAfter
            self.stopGrace = stopGrace
            self.forwardOutput = forwardOutput
        }
    }

    /// Where the child is in its life.
    public enum Phase: Sendable, Hashable {
        case starting
        case running(pid: Int32)
        /// Ended with this exit code (128 + signal for a signal); starts again after the backoff.
        case waitingToRestart(exitCode: Int32, backoff: Duration)
        /// Will not be started again: the plugin cannot run, or the child could not be started.
        case failed(String)
        case stopped
    }

    /// The plugin library's path: readiness names the check after its file.
    public let pluginPath: String
    public let arguments: [String]
    public let options: Options
    private let clock: any RuntimeClock
    private let logger: Logger
    private let state = Mutex<(phase: Phase, restarts: Int)>((.starting, 0))

    /// A supervisor that will run `executable [prefix...] plugin run PATH --kubeconfig KUBECONFIG`:
    /// `prefix` holds arguments of a wrapper run as `executable` (`nice -n 10 bosun`, say).
    public init(
        executable: String, prefix: [String] = [], pluginPath: String, kubeconfig: String, options: Options = Options(),
        clock: any RuntimeClock = SystemRuntimeClock(), logger: Logger = Logger(label: "bosun.plugins")
    ) {
        self.pluginPath = pluginPath
        arguments = [executable] + prefix + ["plugin", "run", pluginPath, "--kubeconfig", kubeconfig]
        self.options = options
        self.clock = clock
        self.logger = logger
    }

    public var phase: Phase { state.withLock { $0.phase } }
    /// How many times the child has been started again after ending.
    public var restarts: Int { state.withLock { $0.restarts } }

    /// The readiness check's name: `plugin/<file name>`.
    public var checkName: String { "plugin/" + URL(fileURLWithPath: pluginPath).lastPathComponent + " (isolated)" }

    /// `nil` while the child runs; otherwise why the check fails.
    public var readinessFailure: String? {
        switch phase {
        case .running: nil
        case .starting: "starting"
        case .waitingToRestart(let code, let backoff):
            "exited with code \(code); restarting in \(backoff) (restart \(restarts + 1))"
        case .failed(let reason): reason
        case .stopped: "stopped"
        }
    }

    /// Runs and restarts the child until the task is cancelled, then stops it (SIGTERM, SIGKILL
    /// after the grace period).
    public func run() async {
        var backoff = options.initialBackoff
        while !Task.isCancelled {
            set(.starting)
            let log = ContainerLog(capacity: 1 << 20)
            let process: ContainerProcess
            do {
                process = try ContainerProcess.start(
                    ProcessSpec(arguments: arguments, environment: ProcessInfo.processInfo.environment), log: log)
            } catch {
                set(.failed("cannot start \(arguments[0]): \(error)"))
                logger.error("isolated plugin not started", metadata: ["plugin": "\(pluginPath)", "error": "\(error)"])
                return
            }
            set(.running(pid: process.pid))
            logger.info("isolated plugin started", metadata: ["plugin": "\(pluginPath)", "pid": "\(process.pid)"])
            // The forwarding ends by itself when the child's output closes.
            if options.forwardOutput { forward(log, pid: process.pid) }
            let started = clock.now()
            let status = await withTaskCancellationHandler {
                await process.wait()
            } onCancel: {
                Task { await process.stop(grace: self.options.stopGrace) }
            }
            if Task.isCancelled { break }
            if status == .exited(Self.cannotRunExitCode) {
                let reason = Self.lastLine(of: log) ?? "the plugin cannot run isolated"
                set(.failed(reason))
                logger.error("isolated plugin cannot run; not restarting", metadata: ["plugin": "\(pluginPath)", "reason": "\(reason)"])
                return
            }
            if started.duration(to: clock.now()) >= options.healthyAfter { backoff = options.initialBackoff }
            state.withLock { s in
                s.phase = .waitingToRestart(exitCode: status.exitCode, backoff: backoff)
                s.restarts += 1
            }
            logger.warning("isolated plugin exited; restarting", metadata: [
                "plugin": "\(pluginPath)", "exitCode": "\(status.exitCode)", "backoff": "\(backoff)",
            ])
            do { try await clock.sleep(for: backoff) } catch { break }
            backoff = min(backoff * 2, options.maxBackoff)
        }
        set(.stopped)
    }

    private func set(_ phase: Phase) {
        state.withLock { $0.phase = phase }
    }

    /// Copies the child's output to standard error as it comes.
    private func forward(_ log: ContainerLog, pid: Int32) {
        let prefix = "[plugin \(URL(fileURLWithPath: pluginPath).lastPathComponent) pid \(pid)] "
        Task {
            for await chunk in log.follow() {
                let text = String(decoding: chunk, as: UTF8.self)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                var out = ""
                for line in lines where !line.isEmpty { out += prefix + line + "\n" }
                FileHandle.standardError.write(Data(out.utf8))
            }
        }
    }

    /// The child's last line of output: why it could not run.
    private static func lastLine(of log: ContainerLog) -> String? {
        log.lines.last(where: { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty })?.text
    }
}
