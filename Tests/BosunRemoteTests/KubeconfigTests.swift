import BosunRemote
import Foundation
import Testing

@Suite("BosunRemote: reading a kubeconfig")
struct KubeconfigTests {
    static let yaml = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: prod
          cluster:
            server: https://prod.example.com:6443/
            certificate-authority: ca.pem
            tls-server-name: api.prod
        - name: lab
          cluster:
            server: https://10.0.0.1:6443
            insecure-skip-tls-verify: true
        users:
        - name: alice
          user:
            client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
            client-key: keys/alice.key
        - name: bot
          user:
            tokenFile: token
        contexts:
        - name: dev
          context: {cluster: lab, user: bot, namespace: team-a}
        - name: prod
          context: {cluster: prod, user: alice}
        """

    private func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-kubeconfig-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try "CA".write(to: dir.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        try "KEY".write(to: dir.appendingPathComponent("keys/alice.key"), atomically: true, encoding: .utf8)
        try "s3cret\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try Self.yaml.write(to: dir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test("the current context: token from a file relative to the kubeconfig, insecure, the context's namespace")
    func currentContext() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try RemoteConfiguration.kubeconfig(at: dir.appendingPathComponent("config").path)
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.insecureSkipTLSVerify && config.certificateAuthorityPEM == nil)
        #expect(config.token == "s3cret" && config.clientCertificatePEM == nil)
        #expect(config.namespace == "team-a")
    }

    @Test("a named context: CA file, client certificate data and key file, trailing slash dropped, default namespace")
    func namedContext() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try RemoteConfiguration.kubeconfig(at: dir.appendingPathComponent("config").path, context: "prod")
        #expect(config.server == "https://prod.example.com:6443")
        #expect(config.certificateAuthorityPEM == "CA" && config.tlsServerName == "api.prod")
        #expect(config.clientCertificatePEM == "CERT" && config.clientKeyPEM == "KEY" && config.token == nil)
        #expect(config.namespace == "default" && !config.insecureSkipTLSVerify)
    }

    @Test("what cannot be used is refused with a message naming it")
    func errors() throws {
        #expect(throws: KubeconfigError.self) { try RemoteConfiguration.kubeconfig(text: Self.yaml, context: "missing") }
        do {
            _ = try RemoteConfiguration.kubeconfig(text: Self.yaml, context: "missing")
        } catch {
            #expect("\(error)" == "the kubeconfig has no context named \"missing\"")
        }
        do {
            _ = try RemoteConfiguration.kubeconfig(text: "clusters: []\n")
            Issue.record("a kubeconfig without a current-context was accepted")
        } catch {
            #expect("\(error)".contains("no current-context"))
        }
        let exec = """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k:6443"}}]
            users: [{name: u, user: {exec: {command: aws}}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """
        do {
            _ = try RemoteConfiguration.kubeconfig(text: exec)
            Issue.record("an exec user was accepted")
        } catch {
            #expect("\(error)".contains("exec"))
        }
        // A JSON kubeconfig is YAML too.
        let json = #"{"current-context":"c","clusters":[{"name":"k","cluster":{"server":"http://127.0.0.1:8080"}}],"contexts":[{"name":"c","context":{"cluster":"k"}}]}"#
        #expect(try RemoteConfiguration.kubeconfig(text: json).server == "http://127.0.0.1:8080")
    }
}
