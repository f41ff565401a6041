// Format checks with Kubernetes' exact messages (k8s.io/apimachinery/pkg/util/validation, 1.32),
// written as byte scans: no regular expression runs on these hot paths.

/// Kubernetes' validation building blocks, usable by plugins for their own kinds.
///
/// The `is…` checks return Kubernetes' messages for every way the value is wrong (empty when it
/// is fine); the `validate…` functions wrap them in ``FieldError``s at a path.
public enum Validation {
    /// Longest DNS-1123 label (and label value, and qualified-name name part).
    public static let dns1123LabelMaxLength = 63
    /// Longest DNS-1123 subdomain.
    public static let dns1123SubdomainMaxLength = 253
    /// Longest DNS-1035 label.
    public static let dns1035LabelMaxLength = 63

    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?"
    static let dns1035LabelMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFormat = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    // MARK: Message builders

    /// `must be no more than 63 characters`.
    public static func maxLengthMessage(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// `must be between 1 and 65535, inclusive`.
    public static func inclusiveRangeMessage(_ low: Int, _ high: Int) -> String {
        "must be between \(low) and \(high), inclusive"
    }

    /// Upstream `RegexError`, including its double spaces between examples.
    public static func regexMessage(_ message: String, format: String, examples: [String]) -> String {
        guard !examples.isEmpty else { return message + " (regex used for validation is '" + format + "')" }
        var text = message + " (e.g. "
        for (i, example) in examples.enumerated() {
            if i > 0 { text += " or " }
            text += "'" + example + "', "
        }
        return text + "regex used for validation is '" + format + "')"
    }

    // MARK: Byte classes

    @inline(__always) static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool {
        isLowerAlnum(b) || (b >= 0x41 && b <= 0x5A)
    }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isLowerAlpha(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }

    /// Runs `body` over the UTF-8 bytes of `value` without copying them (native strings are
    /// contiguous; others are copied once).
    @inline(__always) static func withUTF8<R>(_ value: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(value.utf8).withUnsafeBufferPointer(body)
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over `bytes[start..<end]`.
    static func matchesDNSLabel(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start < end, isLowerAlnum(bytes[start]), isLowerAlnum(bytes[end - 1]) else { return false }
        for i in start..<end where !(isLowerAlnum(bytes[i]) || bytes[i] == 0x2D) { return false }
        return true
    }

    static func matchesDNSLabel(_ value: String) -> Bool {
        withUTF8(value) { matchesDNSLabel($0, 0, $0.count) }
    }

    /// Dot-separated DNS labels over `bytes[start..<end]`.
    static func matchesDNSSubdomain(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        var labelStart = start
        for i in start...end where i == end || bytes[i] == 0x2E {
            if !matchesDNSLabel(bytes, labelStart, i) { return false }
            labelStart = i + 1
        }
        return true
    }

    static func matchesDNSSubdomain(_ value: String) -> Bool {
        withUTF8(value) { matchesDNSSubdomain($0, 0, $0.count) }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` over `bytes[start..<end]`.
    static func matchesQualifiedNamePart(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start < end, isAlnum(bytes[start]), isAlnum(bytes[end - 1]) else { return false }
        for i in start..<end {
            let b = bytes[i]
            guard isAlnum(b) || b == 0x2D || b == 0x5F || b == 0x2E else { return false }
        }
        return true
    }

    /// Whether ``isQualifiedName(_:)`` finds nothing wrong, without building its messages.
    static func isValidQualifiedName(_ value: String) -> Bool {
        withUTF8(value) { bytes in
            var slash = -1
            for i in 0..<bytes.count where bytes[i] == 0x2F {
                if slash >= 0 { return false }
                slash = i
            }
            let nameStart = slash + 1
            guard bytes.count - nameStart <= dns1123LabelMaxLength,
                  matchesQualifiedNamePart(bytes, nameStart, bytes.count)
            else { return false }
            return slash < 0 || (slash <= dns1123SubdomainMaxLength && matchesDNSSubdomain(bytes, 0, slash))
        }
    }

    // MARK: Checks

    /// A DNS-1123 label (`my-name`): namespace names, container names, volume names.
    public static func isDNS1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errors.append(maxLengthMessage(dns1123LabelMaxLength)) }
        if !matchesDNSLabel(value) {
            errors.append(regexMessage(dns1123LabelMessage, format: dns1123LabelFormat, examples: ["my-name", "123-abc"]))
        }
        return errors
    }

    /// A DNS-1123 subdomain (`example.com`): most object names.
    public static func isDNS1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errors.append(maxLengthMessage(dns1123SubdomainMaxLength)) }
        if !matchesDNSSubdomain(value) {
            errors.append(regexMessage(dns1123SubdomainMessage, format: dns1123SubdomainFormat, examples: ["example.com"]))
        }
        return errors
    }

    /// A DNS-1035 label (`my-name`, starting with a letter): Service names, CRD names.
    public static func isDNS1035Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1035LabelMaxLength { errors.append(maxLengthMessage(dns1035LabelMaxLength)) }
        let ok = value.utf8.first.map(isLowerAlpha) == true && matchesDNSLabel(value)
        if !ok {
            errors.append(regexMessage(dns1035LabelMessage, format: dns1035LabelFormat, examples: ["my-name", "abc-123"]))
        }
        return errors
    }

    /// A qualified name: label keys, annotation keys, finalizers (`example.com/MyName`).
    public static func isQualifiedName(_ value: String) -> [String] {
        if isValidQualifiedName(value) { return [] }
        var errors: [String] = []
        let parts = value.utf8.split(separator: 0x2F, omittingEmptySubsequences: false)
        let name: Substring.UTF8View
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += isDNS1123Subdomain(String(decoding: prefix, as: UTF8.self)).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name "
                + regexMessage(qualifiedNameMessage, format: qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"])
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.count > dns1123LabelMaxLength {
            errors.append("name part " + maxLengthMessage(dns1123LabelMaxLength))
        }
        if !withUTF8(String(decoding: name, as: UTF8.self), { matchesQualifiedNamePart($0, 0, $0.count) }) {
            errors.append("name part "
                + regexMessage(qualifiedNameMessage, format: qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"]))
        }
        return errors
    }

    /// A label value: empty, or up to 63 alphanumerics with `-`, `_`, `.` inside.
    public static func isValidLabelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errors.append(maxLengthMessage(dns1123LabelMaxLength)) }
        if !value.isEmpty && !withUTF8(value, { matchesQualifiedNamePart($0, 0, $0.count) }) {
            errors.append(regexMessage(labelValueMessage, format: labelValueFormat, examples: ["MyValue", "my_value", "12345"]))
        }
        return errors
    }

    /// A ConfigMap or Secret key.
    public static func isConfigMapKey(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errors.append(maxLengthMessage(dns1123SubdomainMaxLength)) }
        let ok = !value.isEmpty && value.utf8.allSatisfy { isAlnum($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        if !ok {
            errors.append(regexMessage("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                       format: "[-._a-zA-Z0-9]+", examples: ["key.name", "KEY_NAME", "key-name"]))
        }
        errors += dotNameErrors(value)
        return errors
    }

    /// A port number, 1 through 65535.
    public static func isValidPortNumber(_ port: Int) -> [String] {
        (1...65535).contains(port) ? [] : [inclusiveRangeMessage(1, 65535)]
    }

    /// A named port (IANA service name): up to 15 of `[-a-z0-9]`, with a letter, no `--`, no edge `-`.
    public static func isValidPortName(_ port: String) -> [String] {
        var errors: [String] = []
        let bytes = port.utf8
        if bytes.count > 15 { errors.append(maxLengthMessage(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlnum($0) || $0 == 0x2D }) {
            errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: isLowerAlpha) { errors.append("must contain at least one letter (a-z)") }
        if port.contains("--") { errors.append("must not contain consecutive hyphens") }
        if let f = bytes.first, let l = bytes.last, f == 0x2D || l == 0x2D {
            errors.append("must not begin or end with a hyphen")
        }
        return errors
    }

    /// A percentage string such as `25%`.
    public static func isValidPercent(_ value: String) -> [String] {
        let bytes = value.utf8
        let ok = bytes.count >= 2 && bytes.last == 0x25 && bytes.dropLast().allSatisfy(isDigit)
        return ok ? [] : [regexMessage("a valid percent string must be a numeric string followed by an ending '%'",
                                       format: "[0-9]+%", examples: ["1%", "93%"])]
    }

    /// An HTTP header name.
    public static func isHTTPHeaderName(_ value: String) -> [String] {
        let ok = !value.isEmpty && value.utf8.allSatisfy { isAlnum($0) || $0 == 0x2D }
        return ok ? [] : [regexMessage("a valid HTTP header must consist of alphanumeric characters or '-'",
                                       format: "[-A-Za-z0-9]+", examples: ["X-Header-Name"])]
    }

    /// An environment variable name (`[-._a-zA-Z][-._a-zA-Z0-9]*`, not `.`/`..`).
    public static func isEnvVarName(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = value.utf8
        let ok = bytes.first.map { !isDigit($0) } == true
            && bytes.allSatisfy { isAlnum($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
        if !ok {
            errors.append(regexMessage(
                "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
                format: "[-._a-zA-Z][-._a-zA-Z0-9]*", examples: ["my.env-name", "MY_ENV.NAME", "MyEnvName1"]))
        }
        errors += dotNameErrors(value)
        return errors
    }

    /// Upstream's `hasChDirPrefix` family: `.`, `..` and names starting with `..` are refused
    /// for config keys and environment variable names alike.
    static func dotNameErrors(_ value: String) -> [String] {
        if value == "." { return ["must not be '.'"] }
        if value == ".." { return ["must not be '..'"] }
        if value.hasPrefix("..") { return ["must not start with '..'"] }
        return []
    }

    // MARK: Name functions (`ValidateNameFunc`)

    /// How a kind's `metadata.name` is checked. `prefix` is true for `generateName`, whose
    /// trailing dash is allowed.
    public typealias NameValidator = @Sendable (_ name: String, _ prefix: Bool) -> [String]

    static func maskTrailingDash(_ name: String) -> String {
        guard name.hasSuffix("-") else { return name }
        // Upstream replaces the last two bytes with "a" (name[:len-2] + "a").
        let bytes = Array(name.utf8)
        return String(decoding: bytes.dropLast(min(2, bytes.count)), as: UTF8.self) + "a"
    }

    /// Names that must be DNS-1123 subdomains (most kinds).
    public static let nameIsDNSSubdomain: NameValidator = { name, prefix in
        isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name)
    }

    /// Names that must be DNS-1123 labels (Namespace, StatefulSet).
    public static let nameIsDNSLabel: NameValidator = { name, prefix in
        isDNS1123Label(prefix ? maskTrailingDash(name) : name)
    }

    /// Names that must be DNS-1035 labels (Service).
    public static let nameIsDNS1035Label: NameValidator = { name, prefix in
        isDNS1035Label(prefix ? maskTrailingDash(name) : name)
    }

    /// Names that only need to be safe URL path segments (Lease, Event, ...).
    public static let nameIsPathSegment: NameValidator = { name, prefix in
        if !prefix, name == "." || name == ".." { return ["may not be '\(name)'"] }
        var errors: [String] = []
        if name.contains("/") { errors.append("may not contain '/'") }
        if name.contains("%") { errors.append("may not contain '%'") }
        return errors
    }
}
