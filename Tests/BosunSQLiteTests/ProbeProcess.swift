import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The StoreCrashProbe child process: spawned with its stdout on a pipe that a thread of its own
/// drains, so the probe never blocks on a full pipe however long it runs.
final class ProbeProcess: Sendable {
    enum Exit: Equatable {
        case killed(signal: Int32)
        case exited(code: Int32)
    }

    let pid: pid_t
    let stderrPath: String
    private let readEnd: Int32
    /// When the reader gives up if the pipe is still open (monotonic nanoseconds).
    private let deadline = Atomic<UInt64>(.max)

    /// The executable built next to the test bundle by `swift build`.
    static func executablePath(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let exe = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle may sit inside `X.xctest/` on some layouts; search upwards a little.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("StoreCrashProbe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        Issue.record(
            "StoreCrashProbe not found next to \(exe): run `swift build` (it builds the probe) before `swift test`",
            sourceLocation: sourceLocation)
        throw CancellationError()
    }

    init(executable: String, arguments: [String], stderrPath: String) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        // Not inherited by other children this process may spawn meanwhile (dup2 clears it on
        // the probe's stdout).
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(fds[1])
        guard code == 0 else {
            close(fds[0])
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        self.pid = pid
        self.readEnd = fds[0]
        self.stderrPath = stderrPath
    }

    /// Everything the probe writes to stdout until the pipe closes (the probe died), or until
    /// `giveUp(after:)`'s deadline passed; `true` if the pipe did close.
    func output() async -> ([UInt8], closed: Bool) {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                continuation.resume(returning: self.readUntilClosed())
            }
            thread.start()
        }
    }

    /// Makes `output()` return at most `seconds` from now.
    func giveUp(after seconds: UInt64) {
        deadline.store(Self.now() + seconds * 1_000_000_000, ordering: .relaxed)
    }

    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Reaps the process (call after it was killed or its output closed).
    func wait() -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? .exited(code: (status >> 8) & 0xff) : .killed(signal: signal)
    }

    var stderr: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    private func readUntilClosed() -> ([UInt8], closed: Bool) {
        defer { close(readEnd) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while Self.now() < deadline.load(ordering: .relaxed) {
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            if ready < 0 && errno != EINTR { return (output, false) }
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count == 0 { return (output, true) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return (output, false)
            }
            output.append(contentsOf: buffer[0..<count])
        }
        return (output, false)
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
