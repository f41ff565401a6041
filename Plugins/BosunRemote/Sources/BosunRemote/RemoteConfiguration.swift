import Foundation
import Yams

/// Where a ``RemoteClient`` connects and how it proves who it is: what one kubeconfig context
/// says, resolved (files read, base64 decoded).
public struct RemoteConfiguration: Sendable {
    /// The API server's base URL, `https://host:port` (a path prefix is kept).
    public var server: String
    /// PEM of the CA(s) to trust for the server's certificate; `nil` trusts the system's roots.
    public var certificateAuthorityPEM: String?
    /// Skip verifying the server's certificate (`insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// `tls-server-name`: the name to verify the server's certificate against, when not the URL's host.
    public var tlsServerName: String?
    /// A bearer token, sent as `Authorization: Bearer`.
    public var token: String?
    /// A client certificate and its key (PEM), for servers that authenticate by certificate.
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?
    /// The context's default namespace (`default` when it names none).
    public var namespace: String

    public init(
        server: String, certificateAuthorityPEM: String? = nil, insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil, token: String? = nil, clientCertificatePEM: String? = nil,
        clientKeyPEM: String? = nil, namespace: String = "default"
    ) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.token = token
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.namespace = namespace
    }

    /// The configuration of `context` (the file's `current-context` when `nil`) in the kubeconfig
    /// at `path`. Relative file paths in it (`certificate-authority`, `client-certificate`,
    /// `client-key`, `tokenFile`) are relative to the kubeconfig's directory, as kubectl reads them.
    public static func kubeconfig(at path: String, context: String? = nil) throws -> RemoteConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw KubeconfigError("cannot read kubeconfig \(path): \(error.localizedDescription)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try kubeconfig(text: text, context: context, baseDirectory: directory)
    }

    /// The configuration of `context` in kubeconfig text (YAML or JSON).
    public static func kubeconfig(text: String, context: String? = nil, baseDirectory: String = ".") throws -> RemoteConfiguration {
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch {
            throw KubeconfigError("the kubeconfig is not valid YAML: \(error)")
        }
        guard let root = document as? [String: Any] else { throw KubeconfigError("the kubeconfig is not a mapping") }
        let file = KubeconfigFile(root: root, baseDirectory: baseDirectory)
        let contextName = context ?? (root["current-context"] as? String ?? "")
        guard !contextName.isEmpty else {
            throw KubeconfigError("the kubeconfig has no current-context; name a context")
        }
        let ctx = try file.entry("contexts", named: contextName, field: "context")
        guard let clusterName = ctx["cluster"] as? String else {
            throw KubeconfigError("context \"\(contextName)\" names no cluster")
        }
        let cluster = try file.entry("clusters", named: clusterName, field: "cluster")
        guard let server = cluster["server"] as? String, !server.isEmpty else {
            throw KubeconfigError("cluster \"\(clusterName)\" has no server")
        }
        let user = try (ctx["user"] as? String).map { try file.entry("users", named: $0, field: "user") } ?? [:]
        if user["exec"] != nil || user["auth-provider"] != nil {
            throw KubeconfigError("user of context \"\(contextName)\" authenticates with exec or an auth-provider, which BosunRemote does not run; use a token or a client certificate")
        }
        var token = user["token"] as? String
        if token == nil, let tokenFile = user["tokenFile"] as? String {
            token = try file.read(tokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return RemoteConfiguration(
            server: server.hasSuffix("/") ? String(server.dropLast()) : server,
            certificateAuthorityPEM: try file.pem(cluster, data: "certificate-authority-data", file: "certificate-authority"),
            insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] as? Bool ?? false,
            tlsServerName: cluster["tls-server-name"] as? String,
            token: token,
            clientCertificatePEM: try file.pem(user, data: "client-certificate-data", file: "client-certificate"),
            clientKeyPEM: try file.pem(user, data: "client-key-data", file: "client-key"),
            namespace: (ctx["namespace"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "default")
    }
}

/// A kubeconfig that cannot be used: missing, malformed, or naming what it does not hold.
public struct KubeconfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The parsed kubeconfig: named lists of clusters, users and contexts.
private struct KubeconfigFile {
    let root: [String: Any]
    let baseDirectory: String

    /// The `field` mapping of the element of list `list` whose `name` is `name`.
    func entry(_ list: String, named name: String, field: String) throws -> [String: Any] {
        let items = root[list] as? [Any] ?? []
        for case let item as [String: Any] in items where item["name"] as? String == name {
            return item[field] as? [String: Any] ?? [:]
        }
        throw KubeconfigError("the kubeconfig has no \(field) named \"\(name)\"")
    }

    /// PEM text from a base64 `data` field, or from the file a `file` field names.
    func pem(_ section: [String: Any], data: String, file: String) throws -> String? {
        if let encoded = section[data] as? String, !encoded.isEmpty {
            guard let bytes = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw KubeconfigError("\(data) is not valid base64")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        if let path = section[file] as? String, !path.isEmpty { return try read(path) }
        return nil
    }

    func read(_ path: String) throws -> String {
        let resolved = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        do { return try String(contentsOfFile: resolved, encoding: .utf8) } catch {
            throw KubeconfigError("cannot read \(resolved), named by the kubeconfig: \(error.localizedDescription)")
        }
    }
}
