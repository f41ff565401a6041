import Foundation

/// The kubeconfig `bosun up` writes for kubectl and other clients: one cluster (`bosun`) with
/// the server's URL and, over TLS, the CA that signed its certificate; one user with the bearer
/// token; one context selecting both, namespace `default`.
public struct Kubeconfig: Sendable {
    public var server: String
    /// PEM of the CA to trust; `nil` for plain HTTP.
    public var certificateAuthorityPEM: String?
    public var token: String

    public init(server: String, certificateAuthorityPEM: String?, token: String) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.token = token
    }

    /// The YAML text. Every value is a URL, base64 or hex, so none needs quoting beyond the
    /// plain double quotes used.
    public var yaml: String {
        var cluster = "    server: \"\(server)\"\n"
        if let ca = certificateAuthorityPEM {
            cluster += "    certificate-authority-data: \(Data(ca.utf8).base64EncodedString())\n"
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: bosun
              cluster:
            \(cluster)users:
            - name: bosun-admin
              user:
                token: "\(token)"
            contexts:
            - name: bosun
              context:
                cluster: bosun
                user: bosun-admin
                namespace: default
            current-context: bosun
            preferences: {}

            """
    }

    /// Writes the kubeconfig to `path`, readable by the owner only (it holds the token).
    public func write(to path: String) throws {
        try SecureFile.write(yaml, to: path, mode: 0o600)
    }
}
