import BosunKit
import CProcessSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What to run for a container: its command and args, environment and working directory.
public struct ProcessSpec: Sendable, Hashable {
    /// `command` followed by `args`; the first element is looked up in `PATH` when it has no slash.
    public var arguments: [String]
    public var environment: [String: String]
    public var workingDirectory: String?

    public init(arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// How a process ended.
public enum ExitStatus: Sendable, Hashable {
    case exited(Int32)
    case signaled(Int32)

    /// The exit code Kubernetes reports: the code, or 128 + the signal.
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

public struct ProcessStartError: Error, Hashable, CustomStringConvertible {
    public var executable: String
    public var errno: Int32

    /// As the container runtime words it, e.g. `exec: "nosuch": executable file not found in $PATH`.
    public var description: String {
        errno == ENOENT
            ? "exec: \"\(executable)\": executable file not found in $PATH"
            : "exec: \"\(executable)\": \(String(cString: strerror(errno)))"
    }
}

/// A container's process: started as the leader of its own process group, its output captured
/// into a ``ContainerLog``, stopped as Kubernetes stops containers (SIGTERM to the group, SIGKILL
/// after the grace period).
///
/// No process outlives its container: stopping signals the whole group, and the kernel kills the
/// direct child if Bosun itself dies. (A process that moves itself out of the group and away
/// from its parent can escape the second guarantee; only cgroups would close that gap.)
public final class ContainerProcess: Sendable {
    public let pid: pid_t
    public let log: ContainerLog
    /// The output readers; the log closes once both reached EOF (or shortly after exit, if a
    /// leftover process keeps the pipes open).
    private let readers = DispatchGroup()
    private let exit = Mutex<(status: ExitStatus?, waiters: [CheckedContinuation<ExitStatus, Never>])>((nil, []))

    /// Makes this process the adopter of the processes containers leave behind, so stopping a
    /// container can reap its whole group instead of leaving zombies to an init that may not
    /// reap. A runtime calls it once before starting containers.
    public static func adoptOrphans() {
        _ = bosun_become_subreaper()
    }

    /// Starts `spec`, writing its output to `log`.
    public static func start(_ spec: ProcessSpec, log: ContainerLog) throws -> ContainerProcess {
        guard let executable = spec.arguments.first, !executable.isEmpty else {
            throw ProcessStartError(executable: "", errno: ENOENT)
        }
        let out = try Pipe.make(), err = try Pipe.make(), failure = try Pipe.make()
        let environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let (pid, spawnErrno) = ForkingThread.shared.run {
            let pid = withCStrings(spec.arguments) { argv in
                withCStrings(environment) { envp in
                    if let directory = spec.workingDirectory {
                        return directory.withCString { bosun_spawn(argv, envp, $0, out.write, err.write, failure.write) }
                    }
                    return bosun_spawn(argv, envp, nil, out.write, err.write, failure.write)
                }
            }
            return (pid, errno)
        }
        Glibc.close(out.write)
        Glibc.close(err.write)
        Glibc.close(failure.write)
        if pid < 0 {
            let code = spawnErrno
            [out.read, err.read, failure.read].forEach { _ = Glibc.close($0) }
            throw ProcessStartError(executable: executable, errno: code)
        }
        // The failure pipe is close-on-exec: it reads EOF when exec succeeded, an errno when not.
        var code: Int32 = 0
        let got = Glibc.read(failure.read, &code, MemoryLayout<Int32>.size)
        Glibc.close(failure.read)
        let process = ContainerProcess(pid: pid, log: log)
        process.capture(out.read, as: .stdout)
        process.capture(err.read, as: .stderr)
        process.reap()
        if got == MemoryLayout<Int32>.size {
            throw ProcessStartError(executable: executable, errno: code)
        }
        return process
    }

    private init(pid: pid_t, log: ContainerLog) {
        self.pid = pid
        self.log = log
    }

    /// Waits for the process to end.
    public func wait() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let status = exit.withLock { e -> ExitStatus? in
                if let status = e.status { return status }
                e.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// The status if the process has ended.
    public var status: ExitStatus? { exit.withLock { $0.status } }

    /// Stops the container: SIGTERM to its process group, SIGKILL after `grace`. Returns how the
    /// process ended.
    @discardableResult
    public func stop(grace: Duration) async -> ExitStatus {
        if let status { return status }
        kill(-pid, SIGTERM)
        let killer = Task {
            try await Task.sleep(for: grace)
            kill(-self.pid, SIGKILL)
        }
        let status = await wait()
        killer.cancel()
        // Whatever the leader left behind in its group goes too, and is reaped if it was
        // adopted (see ``adoptOrphans()``).
        kill(-pid, SIGKILL)
        reapGroup()
        return status
    }

    /// Reaps the group's remaining members that are our children, waiting a little for the
    /// SIGKILL to land.
    private func reapGroup() {
        for _ in 0..<100 {
            var raw: Int32 = 0
            let reaped = waitpid(-pid, &raw, WNOHANG)
            if reaped < 0 { return }  // no child of ours left in the group
            if reaped == 0 { usleep(1_000) }
        }
    }

    /// Reads `fd` on a thread of its own until EOF, into the log.
    private func capture(_ fd: Int32, as stream: ContainerLog.Stream) {
        let log = self.log
        let readers = self.readers
        readers.enter()
        Thread.detachNewThread {
            defer { readers.leave() }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                log.append(buffer[..<n], from: stream, at: Time.now())
            }
            Glibc.close(fd)
        }
    }

    /// Waits for the child on a thread of its own (Linux has no process event source in
    /// Dispatch), then wakes the waiters.
    private func reap() {
        Thread.detachNewThread { [self] in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            let status: ExitStatus = (raw & 0x7f) == 0 ? .exited((raw >> 8) & 0xff) : .signaled(raw & 0x7f)
            _ = readers.wait(timeout: .now() + .milliseconds(200))
            log.close(at: Time.now())
            let waiters = exit.withLock { e -> [CheckedContinuation<ExitStatus, Never>] in
                e.status = status
                defer { e.waiters.removeAll() }
                return e.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
    }
}

/// The one thread every container is forked from. The kernel's parent-death signal fires when
/// the *thread* that forked the child exits, not its process; the cooperative pool's threads come
/// and go, so forking from them could kill a running container when its forking thread retires.
/// This thread lives as long as Bosun.
private final class ForkingThread: @unchecked Sendable {
    static let shared = ForkingThread()

    private let condition = NSCondition()
    private var requests: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "bosun-fork"
        thread.start()
    }

    /// Runs `body` on the forking thread and returns its result; the caller waits (a fork takes
    /// microseconds).
    func run<R>(_ body: @escaping () -> R) -> R {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox<R>()
        condition.lock()
        requests.append {
            result.value = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return result.value!
    }

    private func loop() {
        while true {
            condition.lock()
            while requests.isEmpty { condition.wait() }
            let request = requests.removeFirst()
            condition.unlock()
            request()
        }
    }

    private final class ResultBox<R>: @unchecked Sendable {
        var value: R?
    }
}

private struct Pipe {
    var read: Int32
    var write: Int32

    static func make() throws -> Pipe {
        var fds: [Int32] = [0, 0]
        guard bosun_pipe_cloexec(&fds) == 0 else { throw ProcessStartError(executable: "pipe", errno: errno) }
        return Pipe(read: fds[0], write: fds[1])
    }
}

/// Runs `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
