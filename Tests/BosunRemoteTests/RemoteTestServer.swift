import BosunAPIServer
import BosunKit
import BosunRemote
import BosunRuntime
import Foundation
import Logging
import Testing

/// The real API server (BosunAPIServer) over an in-memory store, on a free loopback port with
/// TLS from a CA made for the test, and a ``RemoteClient`` configured as a kubeconfig would.
final class RemoteTestServer: Sendable {
    static let token = "remote-test-token-0123456789"

    let store: ObjectStore
    let server: APIServer
    let client: RemoteClient
    let kubeconfigYAML: String
    let directory: String
    private let running: Task<Void, any Error>

    static func start(historyCapacity: Int = 100_000) async throws -> RemoteTestServer {
        let directory = NSTemporaryDirectory() + "bosun-remote-" + UUID().uuidString
        let certificates = try ServingCertificates.loadOrCreate(in: directory + "/pki", hosts: ["127.0.0.1"])
        let store = try await ObjectStore.open(backend: MemoryBackend(), historyCapacity: historyCapacity)
        let server = try await APIServer.bind(
            APIServerConfiguration(host: "127.0.0.1", port: 0, certificates: certificates, token: BearerToken(token)),
            store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        // The kubeconfig `bosun up` writes, read back as any client would read it.
        let yaml = Kubeconfig(server: server.url, certificateAuthorityPEM: certificates.caCertificatePEM, token: token).yaml
        let client = try RemoteClient(RemoteConfiguration.kubeconfig(text: yaml))
        return RemoteTestServer(store: store, server: server, client: client, yaml: yaml, directory: directory)
    }

    private init(store: ObjectStore, server: APIServer, client: RemoteClient, yaml: String, directory: String) {
        self.store = store
        self.server = server
        self.client = client
        kubeconfigYAML = yaml
        self.directory = directory
        running = Task { try await server.run() }
    }

    func stop() async {
        // The server first: it ends the watches from its side. A watch the client cancelled
        // otherwise holds the client's shutdown for NIOSSL's 5 s close_notify wait, as the server
        // does not read a connection while it streams a watch on it.
        server.shutdown()
        _ = try? await running.value
        try? await client.shutdown()
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Checks `condition` until it holds, for at most `limit` of real time; the first checks only
/// yield, later ones pause a millisecond, so waiting does not spin a core.
func waitUntil(_ what: String, limit: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    var checks = 0
    while try await !condition() {
        if ContinuousClock.now > deadline {
            Issue.record("timed out waiting until \(what)")
            throw CancellationError()
        }
        checks += 1
        if checks < 64 { await Task.yield() } else { try await Task.sleep(for: .milliseconds(checks < 500 ? 2 : 25)) }
    }
}

func configMap(_ name: String, namespace: String = "default", labels: [String: String]? = nil, data: [String: String] = [:]) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(labels: labels, name: name, namespace: namespace), data: data)
}
