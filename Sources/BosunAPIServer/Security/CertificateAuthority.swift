import Crypto
import Foundation
import SwiftASN1
import X509

/// The cluster's certificate authority and the API server's serving certificate, as PEM text.
///
/// On first start both are generated (ECDSA P-256): the CA for ten years, the serving
/// certificate for one year with the SANs `localhost`, `127.0.0.1`, `::1` and the listen host.
/// Later starts reuse them; the serving certificate is reissued when it expires within 30 days,
/// does not name a host the server is asked to serve, or was not issued by the CA on disk.
public struct ServingCertificates: Sendable {
    public var caCertificatePEM: String
    public var certificatePEM: String
    public var privateKeyPEM: String

    static let caValidity: TimeInterval = 10 * 365 * 24 * 3600
    static let servingValidity: TimeInterval = 365 * 24 * 3600
    static let renewBefore: TimeInterval = 30 * 24 * 3600

    /// The hosts every serving certificate names.
    public static let loopbackHosts = ["localhost", "127.0.0.1", "::1"]

    /// Loads the certificates in `directory` (`ca.crt`, `ca.key`, `apiserver.crt`,
    /// `apiserver.key`), making or renewing what is missing or unfit.
    public static func loadOrCreate(in directory: String, hosts: [String], now: Date = Date()) throws -> ServingCertificates {
        try SecureFile.createPrivateDirectory(directory)
        let caCertPath = directory + "/ca.crt", caKeyPath = directory + "/ca.key"
        let certPath = directory + "/apiserver.crt", keyPath = directory + "/apiserver.key"

        var ca: (certificate: Certificate, key: P256.Signing.PrivateKey)
        if let certPEM = try SecureFile.read(caCertPath), let keyPEM = try SecureFile.read(caKeyPath),
           let certificate = try? Certificate(pemEncoded: certPEM),
           let key = try? P256.Signing.PrivateKey(pemRepresentation: keyPEM),
           certificate.notValidAfter > now.addingTimeInterval(renewBefore) {
            ca = (certificate, key)
        } else {
            ca = try makeCA(now: now)
            try SecureFile.write(try ca.certificate.serializeAsPEM().pemString, to: caCertPath, mode: 0o644)
            try SecureFile.write(ca.key.pemRepresentation, to: caKeyPath)
        }

        let wanted = Array(Set(loopbackHosts + hosts.filter { !isWildcard($0) })).sorted()
        if let certPEM = try SecureFile.read(certPath), let keyPEM = try SecureFile.read(keyPath),
           let certificate = try? Certificate(pemEncoded: certPEM),
           (try? P256.Signing.PrivateKey(pemRepresentation: keyPEM)) != nil,
           fits(certificate, issuer: ca.certificate, hosts: wanted, now: now) {
            return ServingCertificates(
                caCertificatePEM: try ca.certificate.serializeAsPEM().pemString, certificatePEM: certPEM,
                privateKeyPEM: keyPEM)
        }
        let serving = try makeServingCertificate(hosts: wanted, ca: ca, now: now)
        let certPEM = try serving.certificate.serializeAsPEM().pemString
        try SecureFile.write(certPEM, to: certPath, mode: 0o644)
        try SecureFile.write(serving.key.pemRepresentation, to: keyPath)
        return ServingCertificates(
            caCertificatePEM: try ca.certificate.serializeAsPEM().pemString, certificatePEM: certPEM,
            privateKeyPEM: serving.key.pemRepresentation)
    }

    static func isWildcard(_ host: String) -> Bool {
        host.isEmpty || host == "0.0.0.0" || host == "::" || host == "*"
    }

    private static func makeCA(now: Date) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let signer = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("bosun")
            CommonName("bosun-ca")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: signer.publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signer.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(caValidity),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: signer)
        return (certificate, key)
    }

    private static func makeServingCertificate(
        hosts: [String], ca: (certificate: Certificate, key: P256.Signing.PrivateKey), now: Date
    ) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PrivateKey(key).publicKey
        let subject = try DistinguishedName {
            OrganizationName("bosun")
            CommonName("bosun-apiserver")
        }
        let names = hosts.map { host -> GeneralName in
            if let address = IPAddress.bytes(host) { return .ipAddress(ASN1OctetString(contentBytes: address[...])) }
            return .dnsName(host)
        }
        let caKeyIdentifier = (try? ca.certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
            AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(servingValidity),
            issuer: ca.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(ca.key))
        return (certificate, key)
    }

    /// Whether a stored serving certificate still serves: issued by `issuer` (its signature
    /// checks out), valid for 30 more days, and naming every host.
    private static func fits(_ certificate: Certificate, issuer: Certificate, hosts: [String], now: Date) -> Bool {
        guard certificate.issuer == issuer.subject,
              issuer.publicKey.isValidSignature(certificate.signature, for: certificate),
              certificate.notValidAfter > now.addingTimeInterval(renewBefore),
              let names = try? certificate.extensions.subjectAlternativeNames
        else { return false }
        let present = Set(names.map { name -> String in
            switch name {
            case .dnsName(let dns): return dns
            case .ipAddress(let octets): return IPAddress.text(Array(octets.bytes)) ?? ""
            default: return ""
            }
        })
        return hosts.allSatisfy { host in present.contains(IPAddress.bytes(host).flatMap(IPAddress.text) ?? host) }
    }
}

/// IP addresses in text and bytes, for certificate SANs.
enum IPAddress {
    /// 4 or 16 bytes, or `nil` if `text` is not an IP address.
    static func bytes(_ text: String) -> [UInt8]? {
        let host = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The canonical text of 4 or 16 bytes.
    static func text(_ bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : bytes.count == 16 ? AF_INET6 : -1
        guard family != -1 else { return nil }
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
