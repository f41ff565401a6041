import BosunHost
import BosunRuntime
import Foundation
import Testing

/// The isolated plugin's supervisor, with a shell script standing for `bosun plugin run` and a
/// manual clock for the backoff: restarts, the doubling and its cap, the reset after a healthy
/// run, and the exit code that means "do not restart".
@Suite("PluginSupervisor")
struct PluginSupervisorTests {
    /// A script that, run as `sh script plugin run PATH --kubeconfig FILE`, waits until `DIR/go`
    /// exists (removing it), then exits with the code in `DIR/code`. It is run through `/bin/sh`,
    /// not exec'd: a file just written can be "busy" for exec while a process forked in a parallel
    /// test still holds the descriptor it was written through.
    private func fakeBosun(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("fake-bosun").path
        try """
            #!/bin/sh
            while [ ! -f "\(dir.path)/go" ]; do sleep 0.005; done
            rm -f "\(dir.path)/go"
            code=$(cat "\(dir.path)/code")
            echo "bosun: error: exiting with $code" >&2
            exit $code
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-supervisor-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func waitFor(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            if ContinuousClock.now > deadline {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test("a child that exits is restarted after 1 s, 2 s, 4 s ... capped, and the delay resets after a healthy run")
    func backoff() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "1".write(to: dir.appendingPathComponent("code"), atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let supervisor = PluginSupervisor(
            executable: "/bin/sh", prefix: [try fakeBosun(in: dir)], pluginPath: "/plugins/libX.so", kubeconfig: "/k",
            options: .init(initialBackoff: .seconds(1), maxBackoff: .seconds(4), healthyAfter: .seconds(60), forwardOutput: false),
            clock: clock)
        #expect(supervisor.checkName == "plugin/libX.so (isolated)")
        let running = Task { await supervisor.run() }
        let go = dir.appendingPathComponent("go").path

        func crashAndExpect(backoff: Duration, restarts: Int) async throws {
            try await waitFor("the child runs") {
                if case .running = supervisor.phase { return true } else { return false }
            }
            #expect(supervisor.readinessFailure == nil)
            _ = FileManager.default.createFile(atPath: go, contents: nil)
            try await waitFor("the supervisor waits \(backoff) to restart") {
                supervisor.phase == .waitingToRestart(exitCode: 1, backoff: backoff)
            }
            #expect(supervisor.restarts == restarts)
            #expect(supervisor.readinessFailure?.hasPrefix("exited with code 1; restarting in") == true)
            clock.advance(by: backoff)
        }
        try await crashAndExpect(backoff: .seconds(1), restarts: 1)
        try await crashAndExpect(backoff: .seconds(2), restarts: 2)
        try await crashAndExpect(backoff: .seconds(4), restarts: 3)
        try await crashAndExpect(backoff: .seconds(4), restarts: 4)

        // A run that lasts healthyAfter starts the delays over.
        try await waitFor("the child runs") {
            if case .running = supervisor.phase { return true } else { return false }
        }
        clock.advance(by: .seconds(60))
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        try await waitFor("the delay is back to 1 s") { supervisor.phase == .waitingToRestart(exitCode: 1, backoff: .seconds(1)) }

        running.cancel()
        await running.value
        #expect(supervisor.phase == .stopped)
    }

    @Test("exit code 78 (the plugin cannot run isolated) is not restarted; readiness says why")
    func cannotRun() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "78".write(to: dir.appendingPathComponent("code"), atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("go").path, contents: nil)
        let supervisor = PluginSupervisor(
            executable: "/bin/sh", prefix: [try fakeBosun(in: dir)], pluginPath: "/plugins/libX.so", kubeconfig: "/k",
            options: .init(forwardOutput: false), clock: ManualClock())
        await supervisor.run()
        #expect(supervisor.phase == .failed("bosun: error: exiting with 78"))
        #expect(supervisor.restarts == 0)
        #expect(supervisor.readinessFailure == "bosun: error: exiting with 78")
    }

    @Test("a child still running when the supervisor stops gets SIGTERM")
    func stopsChild() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "0".write(to: dir.appendingPathComponent("code"), atomically: true, encoding: .utf8)
        let supervisor = PluginSupervisor(
            executable: "/bin/sh", prefix: [try fakeBosun(in: dir)], pluginPath: "/plugins/libX.so", kubeconfig: "/k",
            options: .init(stopGrace: .seconds(5), forwardOutput: false), clock: ManualClock())
        let running = Task { await supervisor.run() }
        var pid: Int32 = 0
        try await waitFor("the child runs") {
            if case .running(let p) = supervisor.phase { pid = p; return true } else { return false }
        }
        running.cancel()
        await running.value
        #expect(supervisor.phase == .stopped)
        #expect(kill(pid, 0) != 0, "the child is gone")
    }
}
