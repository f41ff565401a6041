import BosunAPIServer
import BosunKit
import BosunStore
import BosunRuntime
import Synchronization

/// An API server on a free loopback port over an in-memory store, with a manual clock for watch
/// timeouts; plain HTTP unless certificates are given.
final class TestAPIServer: Sendable {
    static let token = "test-token-0123456789"

    let store: ObjectStore
    let server: APIServer
    let clock: ManualClock
    let certificates: ServingCertificates?
    private let readiness: Readiness
    private let running: Task<Void, any Error>

    static func start(
        certificates: ServingCertificates? = nil, ready: Bool = true, historyCapacity: Int = 100_000,
        storeOnManualClock: Bool = false, podLogs: PodLogSource? = nil, timeouts: ConnectionTimeouts = ConnectionTimeouts()
    ) async throws -> TestAPIServer {
        let clock = ManualClock()
        // Tables print ages: a store on the server's clock stamps objects on the time tests move.
        let store = try await ObjectStore.open(backend: MemoryBackend(), clock: storeOnManualClock ? clock : SystemStoreClock(),
                                               historyCapacity: historyCapacity)
        let readiness = Readiness(ready)
        let server = try await APIServer.bind(
            APIServerConfiguration(host: "127.0.0.1", port: 0, certificates: certificates, token: BearerToken(token),
                                 timeouts: timeouts),
            store: store, clock: clock, isReady: { readiness.value }, podLogs: podLogs,
            logger: quietLogger)
        return TestAPIServer(store: store, server: server, clock: clock, certificates: certificates, readiness: readiness)
    }

    private init(store: ObjectStore, server: APIServer, clock: ManualClock, certificates: ServingCertificates?, readiness: Readiness) {
        self.store = store
        self.server = server
        self.clock = clock
        self.certificates = certificates
        self.readiness = readiness
        running = Task { try await server.run() }
    }

    func setReady(_ value: Bool) { readiness.value = value }

    /// A client with the right token, or with `token` when given (`""` sends none).
    func client(token: String = TestAPIServer.token) async throws -> TestHTTPClient {
        try await TestHTTPClient.connect(
            port: server.port, token: token.isEmpty ? nil : token, caPEM: certificates?.caCertificatePEM)
    }

    /// Shuts the server down and waits until it has stopped.
    func stop() async {
        server.shutdown()
        _ = try? await running.value
        await store.close()
    }
}

private final class Readiness: Sendable {
    private let flag: Mutex<Bool>
    init(_ value: Bool) { flag = Mutex(value) }
    var value: Bool {
        get { flag.withLock { $0 } }
        set { flag.withLock { $0 = newValue } }
    }
}

/// Request logs would drown the test output.
let quietLogger = Logger(label: "bosun.apiserver.test", factory: { _ in SwiftLogNoOpLogHandler() })
