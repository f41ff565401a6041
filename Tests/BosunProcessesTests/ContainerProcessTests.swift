import BosunKit
import BosunProcesses
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether any process (zombies included) is left in the process group `pgid`.
private func groupAlive(_ pgid: pid_t) -> Bool {
    kill(-pgid, 0) == 0
}

@Suite("Container processes")
struct ContainerProcessTests {
    init() {
        ContainerProcess.adoptOrphans()
    }

    @Test("perl prints pi to stdout and exits 0")
    func perlPi() async throws {
        let log = ContainerLog()
        let process = try ContainerProcess.start(ProcessSpec(arguments: ["perl", "-e", "print 3.14159"]), log: log)
        #expect(await process.wait() == .exited(0))
        #expect(String(decoding: log.read(), as: UTF8.self) == "3.14159\n")
    }

    @Test("a shell's output and exit code are kept, stdout and stderr apart")
    func shellExitCode() async throws {
        let log = ContainerLog()
        let process = try ContainerProcess.start(
            ProcessSpec(arguments: ["sh", "-c", "echo hi; echo oops >&2; exit 3"]), log: log)
        let status = await process.wait()
        #expect(status == .exited(3))
        #expect(status.exitCode == 3)
        #expect(log.lines.map(\.text) .sorted() == ["hi", "oops"])
        #expect(log.lines.first { $0.text == "oops" }?.stream == .stderr)
    }

    @Test("environment, working directory and arguments reach the process")
    func environmentAndDirectory() async throws {
        let log = ContainerLog()
        let process = try ContainerProcess.start(
            ProcessSpec(arguments: ["sh", "-c", "echo \"$GREETING from $(pwd)\" \"$0\"", "arg0"],
                        environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], workingDirectory: "/tmp"),
            log: log)
        #expect(await process.wait() == .exited(0))
        #expect(String(decoding: log.read(), as: UTF8.self) == "hello from /tmp arg0\n")
    }

    @Test("a missing executable fails to start with the runtime's message")
    func missingExecutable() async throws {
        do {
            _ = try ContainerProcess.start(ProcessSpec(arguments: ["no-such-binary-bosun"]), log: ContainerLog())
            Issue.record("a missing executable started")
        } catch let error as ProcessStartError {
            #expect(error.description == "exec: \"no-such-binary-bosun\": executable file not found in $PATH")
        }
    }

    @Test("stop sends SIGTERM to the whole group, and nothing of it is left")
    func stopKillsTheGroup() async throws {
        let log = ContainerLog()
        let process = try ContainerProcess.start(
            ProcessSpec(arguments: ["sh", "-c", "sleep 1000 & sleep 1000 & echo started; wait"]), log: log)
        // The shell says it started its children before it is stopped.
        for await chunk in log.follow() where String(decoding: chunk, as: UTF8.self).contains("started") { break }
        #expect(groupAlive(process.pid))
        let status = await process.stop(grace: .seconds(5))
        #expect(status == .signaled(SIGTERM))
        #expect(status.exitCode == 143)
        #expect(!groupAlive(process.pid))
    }

    @Test("a process that ignores SIGTERM is killed after the grace period")
    func gracePeriodThenKill() async throws {
        let log = ContainerLog()
        let process = try ContainerProcess.start(
            ProcessSpec(arguments: ["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done"]), log: log)
        for await chunk in log.follow() where String(decoding: chunk, as: UTF8.self).contains("ready") { break }
        let status = await process.stop(grace: .milliseconds(300))
        #expect(status == .signaled(SIGKILL))
        #expect(!groupAlive(process.pid))
    }

    @Test("a container outlives the thread that started it: the parent-death signal follows the forking thread")
    func outlivesStartingThread() async throws {
        final class Started: @unchecked Sendable { var process: ContainerProcess? }
        let started = Started()
        var thread = pthread_t()
        let context = Unmanaged.passRetained(started).toOpaque()
        pthread_create(&thread, nil, { context in
            let started = Unmanaged<Started>.fromOpaque(context!).takeRetainedValue()
            started.process = try? ContainerProcess.start(ProcessSpec(arguments: ["sleep", "1000"]), log: ContainerLog())
            return nil
        }, context)
        pthread_join(thread, nil)
        let process = try #require(started.process)
        // Had it been forked from the thread that just exited, the kernel would have sent it
        // SIGKILL; it is still there for our SIGTERM.
        #expect(await process.stop(grace: .seconds(5)) == .signaled(SIGTERM))
    }

    @Test("log reads honour tailLines, limitBytes and timestamps")
    func logOptions() {
        let log = ContainerLog()
        let t0 = Time(secondsSinceEpoch: 1_700_000_000, nanoseconds: 5)
        log.append(Array("one\ntwo\nthr".utf8), from: .stdout, at: t0)
        log.append(Array("ee\n".utf8), from: .stdout, at: t0.advanced(by: .seconds(1)))
        #expect(String(decoding: log.read(), as: UTF8.self) == "one\ntwo\nthree\n")
        #expect(String(decoding: log.read(.init(tailLines: 2)), as: UTF8.self) == "two\nthree\n")
        #expect(String(decoding: log.read(.init(limitBytes: 5)), as: UTF8.self) == "one\nt")
        #expect(String(decoding: log.read(.init(tailLines: 1, timestamps: true)), as: UTF8.self)
            == "2023-11-14T22:13:21.000000005Z three\n")
        #expect(String(decoding: log.read(.init(sinceTime: t0.advanced(by: .milliseconds(500)))), as: UTF8.self) == "three\n")
    }
}
