import BosunKit
import BosunNodes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An event a probe caused, recorded on the pod at its next sync.
struct ProbeEvent: Sendable, Hashable {
    var type: EventRecorder.EventType
    var reason: String
    var message: String
}

/// What one probe found: whether it passed, and what it said (the event's text when it failed).
struct ProbeOutcome: Sendable, Hashable {
    var passed: Bool
    var output: String
}

/// One probe of a local container, as the kubelet's prober runs its handlers: `exec` runs the
/// command beside the container (its environment and directory) and passes on exit code 0;
/// `httpGet` sends a GET (header `User-Agent: kube-probe/1.32`, the probe's `httpHeaders`) to
/// `host` (default the pod's IP, 127.0.0.1) and passes on a status from 200 to 399 (redirects are
/// not followed; HTTPS is not verified, as the kubelet does not); `tcpSocket` passes when a
/// connection opens. A probe that does not finish within `timeoutSeconds` fails. `grpc` probes
/// are not supported: they fail, saying so.
enum ProbeAction {
    static func run(_ probe: Probe, container: Container, spec: ProcessSpec, timeout: Duration, clock: any RuntimeClock) async -> ProbeOutcome {
        if let command = probe.exec?.command {
            return await exec(ContainerEnvironment.probeCommand(command, of: container), like: spec, timeout: timeout, clock: clock)
        }
        if let action = probe.httpGet {
            guard let port = port(action.port, of: container) else {
                return ProbeOutcome(passed: false, output: "couldn't find port: \(action.port) in \(container.name)")
            }
            return await httpGet(action, port: port, timeout: timeout)
        }
        if let action = probe.tcpSocket {
            guard let port = port(action.port, of: container) else {
                return ProbeOutcome(passed: false, output: "couldn't find port: \(action.port) in \(container.name)")
            }
            return await tcp(host: action.host ?? LocalProcessRuntime.loopback, port: port, timeout: timeout)
        }
        if probe.grpc != nil {
            return ProbeOutcome(passed: false, output: "gRPC probes are not supported by the local process runtime")
        }
        return ProbeOutcome(passed: false, output: "missing probe handler for \(container.name)")
    }

    /// A number, or the `containerPort` of the container's port of that name.
    static func port(_ port: IntOrString, of container: Container) -> Int? {
        switch port {
        case .int(let number):
            return (1...65_535).contains(number) ? Int(number) : nil
        case .string(let name):
            if let number = Int(name), (1...65_535).contains(number) { return number }
            return (container.ports ?? []).first { $0.name == name }.map { Int($0.containerPort) }
        }
    }

    /// Runs the command with the container's environment and directory; passes when it exits 0
    /// in time. A probe that outlives its timeout is killed. Its output is the event's text.
    static func exec(_ command: [String], like container: ProcessSpec, timeout: Duration, clock: any RuntimeClock) async -> ProbeOutcome {
        let spec = ProcessSpec(arguments: command, environment: container.environment, workingDirectory: container.workingDirectory)
        let log = ContainerLog(capacity: 64 << 10)
        let process: ContainerProcess
        do {
            process = try ContainerProcess.start(spec, log: log)
        } catch {
            return ProbeOutcome(passed: false, output: String(describing: error))
        }
        let timedOut = TimeoutFlag()
        let timer = Task {
            try await clock.sleep(for: timeout)
            timedOut.set()
            await process.stop(grace: .zero)
        }
        let status = await withTaskCancellationHandler {
            await process.wait()
        } onCancel: {
            Task { await process.stop(grace: .zero) }
        }
        timer.cancel()
        if timedOut.isSet {
            return ProbeOutcome(passed: false, output: "command \"\(command.joined(separator: " "))\" timed out")
        }
        let output = log.lines.map(\.text).joined(separator: "\n")
        return ProbeOutcome(passed: status == .exited(0), output: output)
    }

    static func tcp(host: String, port: Int, timeout: Duration) async -> ProbeOutcome {
        do {
            let channel = try await withDeadline(timeout) {
                try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(timeout.components.seconds))
                    .connect(host: host, port: port).get()
            }
            try? await channel.close()
            return ProbeOutcome(passed: true, output: "")
        } catch {
            return ProbeOutcome(passed: false, output: "dial tcp \(host):\(port): \(describe(error))")
        }
    }

    static func httpGet(_ action: HTTPGetAction, port: Int, timeout: Duration) async -> ProbeOutcome {
        let host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? LocalProcessRuntime.loopback
        let secure = (action.scheme ?? "HTTP").uppercased() == "HTTPS"
        let path = (action.path ?? "/").hasPrefix("/") ? action.path ?? "/" : "/" + (action.path ?? "")
        let url = "\(secure ? "https" : "http")://\(host):\(port)\(path)"
        do {
            let code = try await withDeadline(timeout) {
                try await request(host: host, port: port, path: path, secure: secure, headers: action.httpHeaders ?? [])
            }
            guard (200..<400).contains(code) else {
                return ProbeOutcome(passed: false, output: "HTTP probe failed with statuscode: \(code)")
            }
            return ProbeOutcome(passed: true, output: "")
        } catch {
            return ProbeOutcome(passed: false, output: "Get \"\(url)\": \(describe(error))")
        }
    }

    /// One GET; the response's status code.
    private static func request(host: String, port: Int, path: String, secure: Bool, headers: [HTTPHeader]) async throws -> Int {
        let tls = try secure ? NIOSSLContext(configuration: {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return configuration
        }()) : nil
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            head.headers.add(name: "User-Agent", value: "kube-probe/1.32")
            head.headers.add(name: "Accept", value: "*/*")
            head.headers.add(name: "Connection", value: "close")
            for header in headers { head.headers.replaceOrAdd(name: header.name, value: header.value) }
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            for try await part in inbound {
                if case .head(let response) = part { return Int(response.status.code) }
            }
            throw ProbeFailure("EOF")
        }
    }

    /// `body`'s result, or a timeout failure once `timeout` has passed (wall-clock time: a
    /// network probe waits on the network, not on a test's clock).
    private static func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ProbeFailure("context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw ProbeFailure("no result") }
            return first
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let failure = error as? ProbeFailure { return failure.message }
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return "connect: \(describe(first.error))"
        }
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED ? "connection refused" : String(describing: io) }
        return String(describing: error)
    }
}

struct ProbeFailure: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Set once, from the timer task, read by the probe.
private final class TimeoutFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
