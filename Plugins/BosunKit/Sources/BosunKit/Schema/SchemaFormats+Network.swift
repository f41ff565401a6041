// Network string formats: Go's `net.ParseIP` (strict) and k8s.io/utils' sloppy variant that
// tolerates leading zeros, `ParseCIDRSloppy`, `net.ParseMAC`, `url.ParseRequestURI`,
// `net/mail.ParseAddress` and strfmt's hostname rule.

extension SchemaFormats {
    // MARK: IP addresses

    /// 4 or 16 bytes, or `nil`; `strict` rejects IPv4 octets with leading zeros (Go ≥ 1.17).
    static func parseIP(_ s: String, strict: Bool) -> [UInt8]? {
        let b = Array(s.utf8)
        for c in b {
            if c == UInt8(ascii: ".") { return parseIPv4(b[...], strict: strict) }
            if c == UInt8(ascii: ":") { return parseIPv6(b[...], strict: strict) }
        }
        return nil
    }

    /// Decimal digits at the start: (value, count), value capped like Go's `dtoi`.
    static func decimalPrefix(_ s: ArraySlice<UInt8>) -> (Int, Int)? {
        var n = 0, count = 0
        for c in s {
            guard isDigit(c) else { break }
            n = n * 10 + Int(c - 0x30)
            count += 1
            if n >= 0xFFFFFF { return nil }
        }
        return count > 0 ? (n, count) : nil
    }

    static func parseIPv4(_ input: ArraySlice<UInt8>, strict: Bool) -> [UInt8]? {
        var s = input
        var out: [UInt8] = []
        for i in 0..<4 {
            if i > 0 {
                guard s.first == UInt8(ascii: ".") else { return nil }
                s = s.dropFirst()
            }
            guard let (n, count) = decimalPrefix(s), n <= 0xFF else { return nil }
            if strict && count > 1 && s.first == UInt8(ascii: "0") { return nil }
            s = s.dropFirst(count)
            out.append(UInt8(n))
        }
        return s.isEmpty ? out : nil
    }

    static func parseIPv6(_ input: ArraySlice<UInt8>, strict: Bool) -> [UInt8]? {
        var s = input
        var ip = [UInt8](repeating: 0, count: 16)
        var ellipsis = -1
        if s.count >= 2, s.first == UInt8(ascii: ":"), s.dropFirst().first == UInt8(ascii: ":") {
            ellipsis = 0
            s = s.dropFirst(2)
            if s.isEmpty { return ip }
        }
        var i = 0
        while i < 16 {
            var n = 0, count = 0
            for c in s {
                guard isHex(c) else { break }
                n = n * 16 + Int(c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10)
                count += 1
                if n >= 0xFFFFFF { return nil }
            }
            guard count > 0, n <= 0xFFFF, !(strict && count > 4) else { return nil }
            if s.dropFirst(count).first == UInt8(ascii: ".") {
                guard ellipsis >= 0 || i == 12, i + 4 <= 16, let v4 = parseIPv4(s, strict: strict) else { return nil }
                ip.replaceSubrange(i..<i + 4, with: v4)
                i += 4
                s = []
                break
            }
            ip[i] = UInt8(n >> 8)
            ip[i + 1] = UInt8(n & 0xFF)
            i += 2
            s = s.dropFirst(count)
            if s.isEmpty { break }
            guard s.first == UInt8(ascii: ":"), s.count > 1 else { return nil }
            s = s.dropFirst()
            if s.first == UInt8(ascii: ":") {
                guard ellipsis < 0 else { return nil }
                ellipsis = i
                s = s.dropFirst()
                if s.isEmpty { break }
            }
        }
        guard s.isEmpty else { return nil }
        if i < 16 {
            guard ellipsis >= 0 else { return nil }
            let shift = 16 - i
            for j in stride(from: i - 1, through: ellipsis, by: -1) { ip[j + shift] = ip[j] }
            for j in ellipsis..<ellipsis + shift { ip[j] = 0 }
        } else if ellipsis >= 0 {
            return nil
        }
        return ip
    }

    /// k8s.io/utils `ParseCIDRSloppy`.
    @Sendable static func isCIDR(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let slash = b.firstIndex(of: UInt8(ascii: "/")) else { return false }
        let addr = b[..<slash], mask = b[(slash + 1)...]
        var bits = 32
        var ip = parseIPv4(addr, strict: false)
        if ip == nil {
            bits = 128
            ip = parseIPv6(addr, strict: false)
        }
        guard ip != nil, let (n, count) = decimalPrefix(mask), count == mask.count, n <= bits else { return false }
        return true
    }

    /// Go's `net.ParseMAC`: 6, 8 or 20 octets as `xx:xx`, `xx-xx` or `xxxx.xxxx`.
    @Sendable static func isMAC(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 14 else { return false }
        func pair(_ at: Int, _ separator: UInt8?) -> Bool {
            guard at + 2 <= b.count, isHex(b[at]), isHex(b[at + 1]) else { return false }
            if let separator, at + 2 < b.count, b[at + 2] != separator { return false }
            return true
        }
        if b[2] == UInt8(ascii: ":") || b[2] == UInt8(ascii: "-") {
            guard (b.count + 1) % 3 == 0, [6, 8, 20].contains((b.count + 1) / 3) else { return false }
            return stride(from: 0, to: b.count, by: 3).allSatisfy { pair($0, b[2]) }
        }
        if b[4] == UInt8(ascii: ".") {
            guard (b.count + 1) % 5 == 0, [6, 8, 20].contains(2 * (b.count + 1) / 5) else { return false }
            return stride(from: 0, to: b.count, by: 5).allSatisfy { pair($0, nil) && pair($0 + 2, b[4]) }
        }
        return false
    }

    // MARK: URIs, e-mail addresses, host names

    /// Go's `url.ParseRequestURI` succeeds.
    @Sendable static func isRequestURI(_ s: String) -> Bool {
        let b = Array(s.utf8)
        if b.contains(where: { $0 < 0x20 || $0 == 0x7F }) || b.isEmpty { return false }
        if s == "*" { return true }
        var rest = b[...]
        var scheme = false
        for (i, c) in b.enumerated() {
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
            if letter { continue }
            if isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") {
                if i == 0 { break }
                continue
            }
            if c == UInt8(ascii: ":") {
                if i == 0 { return false }  // missing protocol scheme
                scheme = true
                rest = b[(i + 1)...]
            }
            break
        }
        if let q = rest.firstIndex(of: UInt8(ascii: "?")) { rest = rest[..<q] }
        guard rest.first == UInt8(ascii: "/") else { return scheme }  // opaque needs a scheme
        var path = rest
        if scheme, rest.starts(with: [0x2F, 0x2F]), !rest.starts(with: [0x2F, 0x2F, 0x2F]) {
            let authority = rest.dropFirst(2)
            let end = authority.firstIndex(of: UInt8(ascii: "/")) ?? authority.endIndex
            guard validAuthority(authority[..<end]) else { return false }
            path = authority[end...]
        }
        return validEscapes(path)
    }

    static func validEscapes(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == UInt8(ascii: "%") {
                guard i + 2 < s.endIndex, isHex(s[i + 1]), isHex(s[i + 2]) else { return false }
                i += 3
            } else {
                i += 1
            }
        }
        return true
    }

    static func validAuthority(_ authority: ArraySlice<UInt8>) -> Bool {
        var host = authority
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { host = authority[(at + 1)...] }
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let port = host[(close + 1)...]
            return port.isEmpty || (port.first == UInt8(ascii: ":") && port.dropFirst().allSatisfy(isDigit))
        }
        if let colon = host.lastIndex(of: UInt8(ascii: ":")), !host[(colon + 1)...].allSatisfy(isDigit) { return false }
        let allowed = Set("-._~!$&'()*+,;=:<>\"%".utf8)
        return host.allSatisfy { $0 >= 0x80 || isDigit($0) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) || allowed.contains($0) }
            && validEscapes(host)
    }

    /// `net/mail.ParseAddress`: `local@domain` or `Display Name <local@domain>`, without comments.
    @Sendable static func isEmail(_ s: String) -> Bool {
        let trimmed = s.trimmingASCIISpaces
        if isAddrSpec(trimmed) { return true }
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else { return false }
        let name = String(trimmed[..<open]).trimmingASCIISpaces
        let spec = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        let words = name.split(separator: " ", omittingEmptySubsequences: true)
        let nameOK = words.allSatisfy { w in
            (w.hasPrefix("\"") && w.hasSuffix("\"") && w.count >= 2) || w.unicodeScalars.allSatisfy { isAtext($0) || $0 == "." }
        }
        return nameOK && isAddrSpec(spec)
    }

    static func isAtext(_ c: Unicode.Scalar) -> Bool {
        c.value >= 0x80 || c.regexIsAlphanumeric || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(c)
    }

    static func isDotAtom(_ s: Substring) -> Bool {
        !s.isEmpty && !s.hasPrefix(".") && !s.hasSuffix(".") && !s.contains("..")
            && s.unicodeScalars.allSatisfy { isAtext($0) || $0 == "." }
    }

    static func isAddrSpec(_ s: String) -> Bool {
        guard let at = s.lastIndex(of: "@") else { return false }
        let local = s[..<at], domain = s[s.index(after: at)...]
        let localOK = isDotAtom(local)
            || (local.count >= 2 && local.hasPrefix("\"") && local.hasSuffix("\"") && !local.dropFirst().dropLast().contains("\""))
        let domainOK = isDotAtom(domain) || (domain.hasPrefix("[") && domain.hasSuffix("]") && domain.count >= 2)
        return localOK && domainOK
    }

    static let hostnamePattern = pattern(
        #"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$"#)

    /// strfmt's `IsHostname`: the RFC 1034 pattern, at most 255 bytes, labels of at most 63.
    @Sendable static func isHostname(_ s: String) -> Bool {
        guard hostnamePattern.matches(s), s.utf8.count <= 255 else { return false }
        return s.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { $0.count <= 63 }
    }
}

private extension StringProtocol {
    /// Trims the spaces and tabs net/mail skips around an address.
    var trimmingASCIISpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
