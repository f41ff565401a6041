import BosunAPIServer
import BosunKit
import BosunRemote
import BosunRuntime
import Foundation
import Testing

/// The plugin's remote and isolated modes, end to end with real processes: `bosun up`, and
/// `bosun plugin run` against it, with the CrashOnDemand sample plugin.
@Suite("Plugin modes: remote (bosun plugin run) and isolated (bosun up --isolated-plugin)", .serialized)
struct PluginModesTests {
    static let watched = ["crash-on-demand.bosun.dev/watch": "true"]
    static let pidKey = "crash-on-demand.bosun.dev/pid"
    static let crashKey = "crash-on-demand.bosun.dev/crash"

    /// The pid the plugin stamped on ConfigMap `name`, once it has.
    static func stampedPid(_ client: RemoteClient, _ name: String) async throws -> String? {
        try await client.getIfPresent(ConfigMap.self, namespace: "default", name: name)?.metadata.annotations?[pidKey]
    }

    @Test("remote: bosun plugin run runs a plugin's controller against a second bosun up over HTTPS")
    func remote() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let up = try await BosunUp.start(in: dir)
        let plugin = try BosunProcess(
            ["plugin", "run", try BosunProcess.library("CrashOnDemandPlugin"), "--kubeconfig", up.kubeconfig],
            in: dir, name: "plugin")
        defer { plugin.stop() }
        _ = try await up.client.create(configMap("remote", labels: Self.watched))
        try await waitUntil("the plugin's controller stamped the ConfigMap", limit: .seconds(30)) {
            try await Self.stampedPid(up.client, "remote") == String(plugin.process.processIdentifier)
        }
        plugin.stop()
        #expect(plugin.log.contains("running against https://127.0.0.1:"))
        #expect(plugin.process.terminationReason == .exit && plugin.process.terminationStatus == 0, "stops cleanly on SIGTERM")
        await up.stop()
    }

    @Test("remote: a plugin with admission hooks is refused with exit code 78 and a clear message")
    func refusesHooks() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let kubeconfig = dir.appendingPathComponent("kubeconfig").path
        // No server is needed: the plugin is refused before anything is sent.
        try Kubeconfig(server: "https://127.0.0.1:1", certificateAuthorityPEM: nil, token: "t").write(to: kubeconfig)
        let plugin = try BosunProcess(
            ["plugin", "run", try BosunProcess.library("DeploymentDefaultsPlugin"), "--kubeconfig", kubeconfig],
            in: dir, name: "plugin")
        plugin.process.waitUntilExit()
        #expect(plugin.process.terminationStatus == 78)
        #expect(plugin.log.contains("admission hook") && plugin.log.contains("bosun up --plugin"))
    }

    @Test("isolated: a plugin that crashes is restarted while the control plane keeps serving")
    func isolated() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let up = try await BosunUp.start(["--isolated-plugin", try BosunProcess.library("CrashOnDemandPlugin")], in: dir)
        let api = up.client
        _ = try await api.create(configMap("before", labels: Self.watched))
        try await waitUntil("the isolated plugin stamped a ConfigMap", limit: .seconds(30)) {
            try await Self.stampedPid(api, "before") != nil
        }
        let first = try #require(try await Self.stampedPid(api, "before"))

        var crash = configMap("crash", labels: Self.watched)
        crash.metadata.annotations = [Self.crashKey: "now"]
        _ = try await api.create(crash)
        // The child marks the request done, then dies; the host keeps serving throughout.
        try await waitUntil("the crash request was taken", limit: .seconds(30)) {
            try await api.get(ConfigMap.self, namespace: "default", name: "crash").metadata.annotations?[Self.crashKey] == "done"
        }
        _ = try await api.create(configMap("after", labels: Self.watched))
        try await waitUntil("a restarted plugin process stamped the new ConfigMap", limit: .seconds(30)) {
            guard let pid = try await Self.stampedPid(api, "after") else { return false }
            return pid != first
        }
        #expect(up.process.process.isRunning, "the control plane survived the plugin's crash")
        #expect(try await api.list(Node.self, namespace: nil, options: ListOptions()).items.isEmpty)
        #expect(up.process.log.contains("crash-on-demand: asked to crash"), "the child's output is forwarded")
        await up.stop()
        #expect(up.process.process.terminationStatus == 0)
    }
}
