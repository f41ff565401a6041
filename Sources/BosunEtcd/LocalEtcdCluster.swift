import BosunStore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// etcd members started on free loopback ports in a temporary directory, for tests and
/// benchmarks (`etcd` from Debian's `etcd-server`, found on `PATH` or in `/usr/bin`).
///
/// Members can be killed (SIGKILL) and started again on the same ports and data, which is how
/// the failover tests take a cluster's quorum away and give it back.
public final class LocalEtcdCluster: @unchecked Sendable {
    // @unchecked: the members' processes are touched only through the lock.
    public struct Member: Sendable {
        public var name: String
        public var clientURL: String
        public var peerURL: String
        public var dataDirectory: String
    }

    public let members: [Member]
    public let directory: String
    private let lock = NSLock()
    /// Per running member: the shell that runs it.
    private var processes: [Process?]
    private let executable: String

    /// The members' client URLs, for ``EtcdBackend/init(endpoints:prefix:requestTimeout:pageSize:)``.
    public var endpoints: [String] { members.map(\.clientURL) }

    /// Starts `size` members and waits until the cluster answers.
    ///
    /// A port found free can be taken by another process (a parallel test binding port 0) before
    /// etcd binds it; etcd then exits with "address already in use", and the cluster is started
    /// again on other ports.
    public static func start(size: Int = 1) async throws -> LocalEtcdCluster {
        var attempt = 0
        while true {
            attempt += 1
            let cluster = try LocalEtcdCluster(size: size)
            do {
                for index in 0..<size { try cluster.startMember(index) }
                try await cluster.waitUntilHealthy()
                return cluster
            } catch let error as LocalEtcdError where error.description.contains("address already in use") && attempt < 5 {
                cluster.stop()
            } catch {
                cluster.stop()
                throw error
            }
        }
    }

    private init(size: Int) throws {
        guard let executable = Self.findEtcd() else {
            throw LocalEtcdError("etcd is not installed (apt-get install etcd-server)")
        }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bosun-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var members: [Member] = []
        for index in 0..<size {
            members.append(Member(
                name: "m\(index)", clientURL: "http://127.0.0.1:\(try Self.freePort())",
                peerURL: "http://127.0.0.1:\(try Self.freePort())", dataDirectory: directory + "/m\(index)"))
        }
        self.members = members
        processes = Array(repeating: nil, count: size)
    }

    /// Starts member `index` (again, after ``kill(_:)``, on its ports and data).
    public func startMember(_ index: Int) throws {
        let member = members[index]
        let cluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        // etcd runs under a shell that writes its pid to a file and SIGKILLs it once this
        // process is gone, however it went, so no member outlives a test run. (A pipe closing
        // would be the usual signal, but its write end leaks into the other members' processes
        // when they are spawned concurrently, and then never closes.)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let script = #""$0" "$@" & pid=$!; echo $pid > "$BOSUN_ETCD_PIDFILE"; "#
            + #"while kill -0 "$BOSUN_ETCD_OWNER" 2>/dev/null && [ -e /proc/$pid ] "#
            + #"&& ! grep -q '^State:.*Z' /proc/$pid/status 2>/dev/null; do sleep 0.1; done; kill -9 $pid 2>/dev/null"#
        var environment = ProcessInfo.processInfo.environment
        environment["BOSUN_ETCD_PIDFILE"] = member.dataDirectory + ".pid"
        environment["BOSUN_ETCD_OWNER"] = String(getpid())
        process.environment = environment
        try? FileManager.default.removeItem(atPath: member.dataDirectory + ".pid")
        process.arguments = ["-c", script, executable] + [
            "--name", member.name, "--data-dir", member.dataDirectory,
            "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
            "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
            "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "bosun-test",
            // Tests want a quick election after a member dies; the defaults (100 ms, 1 s) are
            // for WANs.
            "--heartbeat-interval", "50", "--election-timeout", "500",
            // Tests check the client's keepalive PINGs at intervals under etcd's 5 s default
            // minimum, which it would answer with GOAWAY (too_many_pings).
            "--grpc-keepalive-min-time", "500ms",
            "--logger", "zap", "--log-outputs", member.dataDirectory + ".log",
        ]
        let devNull = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = devNull
        process.standardError = devNull
        try process.run()
        lock.withLock { processes[index] = process }
    }

    /// Kills member `index` with SIGKILL and waits for it to exit.
    public func kill(_ index: Int) {
        guard let shell = lock.withLock({ processes[index] }) else { return }
        if let pid = pid(of: index) { Glibc.kill(pid, SIGKILL) }
        shell.waitUntilExit()
        lock.withLock { processes[index] = nil }
    }

    /// Freezes member `index` (SIGSTOP): its sockets stay open and nothing answers, as with a
    /// member behind a network partition. ``resume(_:)`` thaws it.
    public func pause(_ index: Int) {
        if let pid = pid(of: index) { Glibc.kill(pid, SIGSTOP) }
    }

    /// Thaws a member frozen by ``pause(_:)``.
    public func resume(_ index: Int) {
        if let pid = pid(of: index) { Glibc.kill(pid, SIGCONT) }
    }

    /// Member `index`'s etcd process, which its shell writes to a file as soon as it starts.
    private func pid(of index: Int) -> Int32? {
        let pidFile = members[index].dataDirectory + ".pid"
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(10_000)
        }
        return nil
    }

    /// Kills every member and removes the directory.
    public func stop() {
        for index in members.indices { kill(index) }
        try? FileManager.default.removeItem(atPath: directory)
    }


    /// Waits until a linearizable read succeeds, which takes a leader and a quorum (members
    /// join and elect a leader within a second or two).
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        let backend = try EtcdBackend(endpoints: endpoints, requestTimeout: .seconds(2))
        var lastError = ""
        while ContinuousClock.now < deadline {
            // A member that exited (a port taken meanwhile) will not answer: say so now.
            if lock.withLock({ processes.contains { $0?.isRunning == false } }) { break }
            do {
                _ = try await backend.client.range(EtcdRangeRequest(key: Array("/bosun-health".utf8)))
                await backend.close()
                return
            } catch {
                lastError = error.message
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        await backend.close()
        // What etcd said of itself (a port taken meanwhile, a data directory refused) is in its log.
        let logs = members.map { member -> String in
            let text = (try? String(contentsOfFile: member.dataDirectory + ".log", encoding: .utf8)) ?? "(no log)"
            return "\(member.name): " + text.split(separator: "\n").suffix(5).joined(separator: "\n")
        }
        throw LocalEtcdError("etcd did not become healthy within \(timeout): \(lastError)\n" + logs.joined(separator: "\n"))
    }

    static func findEtcd() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for directory in directories {
            let candidate = directory + "/etcd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A port the kernel had free a moment ago (bound to port 0, then released).
    /// A free loopback port, never one this process handed out before. The kernel gives a port
    /// just closed to the next bind to port 0, so two clusters started at once in one process
    /// (tests run in parallel) could otherwise both choose it, and the second's health check
    /// would be answered by the first's etcd.
    static func freePort() throws -> Int {
        while true {
            let port = try unusedPort()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    private static let handedOut = Mutex<Set<Int>>([])

    private static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalEtcdError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LocalEtcdError("bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw LocalEtcdError("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct LocalEtcdError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
