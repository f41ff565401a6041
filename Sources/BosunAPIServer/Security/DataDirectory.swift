import Foundation

/// The API server's files in `bosun up`'s data directory:
///
/// - `pki/ca.crt`, `pki/ca.key`: the CA (generated once);
/// - `pki/apiserver.crt`, `pki/apiserver.key`: the serving certificate (reissued when unfit);
/// - `token`: the bearer token (generated once, mode 0600);
/// - `kubeconfig`: written on every start (mode 0600), since the address may change.
public enum APIServerDataDirectory {
    /// The configuration to serve `host:port` with the credentials kept in `directory`, made on
    /// first use. With `insecureHTTP`, no certificate is made or used.
    public static func configuration(directory: String, host: String, port: Int, insecureHTTP: Bool) throws -> APIServerConfiguration {
        try SecureFile.createPrivateDirectory(directory)
        let token = try loadOrCreateToken(at: directory + "/token")
        let certificates = insecureHTTP
            ? nil : try ServingCertificates.loadOrCreate(in: directory + "/pki", hosts: [host])
        return APIServerConfiguration(host: host, port: port, certificates: certificates, token: token)
    }

    /// Writes `directory/kubeconfig` for `server` and returns its path.
    @discardableResult
    public static func writeKubeconfig(in directory: String, server: APIServer, configuration: APIServerConfiguration) throws -> String {
        let path = directory + "/kubeconfig"
        try Kubeconfig(server: server.url, certificateAuthorityPEM: configuration.certificates?.caCertificatePEM,
                       token: configuration.token.value).write(to: path)
        return path
    }

    static func loadOrCreateToken(at path: String) throws -> BearerToken {
        if let text = try SecureFile.read(path) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return BearerToken(value) }
        }
        let token = BearerToken.generate()
        try SecureFile.write(token.value + "\n", to: path)
        return token
    }
}
