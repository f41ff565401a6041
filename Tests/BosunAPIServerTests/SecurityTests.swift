import BosunAPIServer
import BosunKit
import NIOHTTP1
import BosunStore
import Foundation
import Testing

@Suite("API server: TLS, certificates, token, kubeconfig")
struct SecurityTests {
    private func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "bosun-apiserver-" + UUID().uuidString
    }

    @Test("TLS with the generated CA: the client verifies the server as localhost and speaks HTTP/1.1")
    func tls() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try ServingCertificates.loadOrCreate(in: directory, hosts: ["127.0.0.1"])
        let server = try await TestAPIServer.start(certificates: certificates)
        let client = try await server.client()
        let response = try await client.request(.GET, "/api/v1/namespaces/default")
        #expect(response.status == 200 && response.json[path: ["metadata", "name"]]?.stringValue == "default")
        await client.close()

        // A client trusting another CA refuses the server.
        let other = try ServingCertificates.loadOrCreate(in: directory + "/other", hosts: [])
        let stranger = try await TestHTTPClient.connect(port: server.server.port, token: TestAPIServer.token,
                                                        caPEM: other.caCertificatePEM)
        await #expect(throws: (any Error).self) { _ = try await stranger.request(.GET, "/version") }
        await stranger.close()
        await server.stop()
    }

    @Test("certificates and the token are made once and reused; a new host reissues only the serving certificate")
    func reuse() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try APIServerDataDirectory.configuration(directory: directory, host: "127.0.0.1", port: 6443, insecureHTTP: false)
        let second = try APIServerDataDirectory.configuration(directory: directory, host: "127.0.0.1", port: 6443, insecureHTTP: false)
        #expect(first.token.value.count == 64 && first.token.value == second.token.value)
        #expect(first.certificates?.certificatePEM == second.certificates?.certificatePEM)
        #expect(first.certificates?.privateKeyPEM == second.certificates?.privateKeyPEM)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: directory + "/pki/apiserver.key")
        #expect((keyAttributes[.posixPermissions] as? Int) == 0o600)

        let elsewhere = try ServingCertificates.loadOrCreate(in: directory + "/pki", hosts: ["10.1.2.3"])
        #expect(elsewhere.caCertificatePEM == first.certificates?.caCertificatePEM)
        #expect(elsewhere.certificatePEM != first.certificates?.certificatePEM)

        let insecure = try APIServerDataDirectory.configuration(directory: directory, host: "127.0.0.1", port: 6443, insecureHTTP: true)
        #expect(insecure.certificates == nil && insecure.token.value == first.token.value)
    }

    @Test("the kubeconfig names the server, carries the CA and the token, and only its owner can read it")
    func kubeconfig() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try APIServerDataDirectory.configuration(directory: directory, host: "127.0.0.1", port: 0, insecureHTTP: false)
        let store = try await ObjectStore.open(backend: MemoryBackend())
        let server = try await APIServer.bind(configuration, store: store, logger: quietLogger)
        let path = try APIServerDataDirectory.writeKubeconfig(in: directory, server: server, configuration: configuration)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("server: \"https://127.0.0.1:\(server.port)\""))
        #expect(text.contains("token: \"\(configuration.token.value)\""))
        let caData = Data(configuration.certificates?.caCertificatePEM.utf8 ?? "".utf8).base64EncodedString()
        #expect(text.contains("certificate-authority-data: \(caData)"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        server.shutdown()
        try await server.run()
        await store.close()
    }

    @Test("a new data directory and its pki are 0700; the token and keys 0600, certificates 0644")
    func modes() throws {
        let parent = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let directory = parent + "/nested/data"
        _ = try APIServerDataDirectory.configuration(directory: directory, host: "127.0.0.1", port: 6443, insecureHTTP: false)
        func mode(_ path: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: directory + path)[.posixPermissions] as? Int
        }
        #expect(try mode("") == 0o700)
        #expect(try mode("/pki") == 0o700)
        for secret in ["/token", "/pki/ca.key", "/pki/apiserver.key"] { #expect(try mode(secret) == 0o600, "\(secret)") }
        for certificate in ["/pki/ca.crt", "/pki/apiserver.crt"] { #expect(try mode(certificate) == 0o644, "\(certificate)") }
    }

    @Test("plain HTTP is refused on an address other than loopback")
    func insecureOnLoopbackOnly() async throws {
        let store = try await ObjectStore.open(backend: MemoryBackend())
        await #expect(throws: APIServerError.self) {
            _ = try await APIServer.bind(APIServerConfiguration(host: "0.0.0.0", port: 0, certificates: nil, token: BearerToken("t")),
                                         store: store, logger: quietLogger)
        }
        await store.close()
    }
}
