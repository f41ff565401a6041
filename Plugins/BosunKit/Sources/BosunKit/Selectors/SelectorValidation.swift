// Validation of label keys and values, with the error texts of upstream
// k8s.io/apimachinery/pkg/api/validate/content (IsLabelKey, IsLabelValue, IsDNS1123Subdomain)
// and the `field.Error` / aggregate formatting that labels.NewRequirement reports through.
// Implemented with byte scans rather than regular expressions.

enum SelectorValidation {
    static let labelKeyMaxLength = 63
    static let labelValueMaxLength = 63
    static let dns1123SubdomainMaxLength = 253

    static let labelKeyFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let labelKeyMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFormat = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

    // MARK: Upstream message builders

    static func maxLenError(_ length: Int) -> String { "must be no more than \(length) bytes" }
    static let emptyError = "must be non-empty"

    /// `content.RegexError`, spacing included.
    static func regexError(_ message: String, _ format: String, _ examples: String...) -> String {
        guard !examples.isEmpty else { return message + " (regex used for validation is '" + format + "')" }
        var text = message + " (e.g. "
        for (i, example) in examples.enumerated() {
            if i > 0 { text += " or " }
            text += "'" + example + "', "
        }
        return text + "regex used for validation is '" + format + "')"
    }

    // MARK: Checks

    /// `content.IsLabelKey`: an optional DNS-1123 subdomain prefix and `/`, then a name.
    static func labelKeyErrors(_ key: String) -> [String] {
        let parts = key.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var errors: [String] = []
        let name: Substring.UTF8View
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part " + emptyError)
            } else {
                errors += dns1123SubdomainErrors(prefix).map { "prefix part " + $0 }
            }
        default:
            return [
                "a valid label key " + regexError(labelKeyMessage, labelKeyFormat, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errors.append("name part " + emptyError)
        } else if name.count > labelKeyMaxLength {
            errors.append("name part " + maxLenError(labelKeyMaxLength))
        }
        if !isQualifiedNamePart(name) {
            errors.append("name part " + regexError(labelKeyMessage, labelKeyFormat, "MyName", "my.name", "123-abc"))
        }
        return errors
    }

    /// `content.IsLabelValue`: at most 63 bytes, empty or a qualified-name-like token.
    static func labelValueErrors(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = value.utf8
        if bytes.count > labelValueMaxLength { errors.append(maxLenError(labelValueMaxLength)) }
        if !bytes.isEmpty && !isQualifiedNamePart(bytes) {
            errors.append(regexError(labelValueMessage, labelValueFormat, "MyValue", "my_value", "12345"))
        }
        return errors
    }

    static func dns1123SubdomainErrors<C: Collection<UInt8>>(_ value: C) -> [String] {
        var errors: [String] = []
        if value.count > dns1123SubdomainMaxLength { errors.append(maxLenError(dns1123SubdomainMaxLength)) }
        if !isDNS1123Subdomain(value) {
            errors.append(regexError(dns1123SubdomainMessage, dns1123SubdomainFormat, "example.com"))
        }
        return errors
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A)
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, non-empty.
    static func isQualifiedNamePart<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        var last = first
        for b in bytes {
            guard isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
            else { return false }
            last = b
        }
        return isAlphanumeric(last)
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`.
    static func isDNS1123Subdomain<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var atLabelStart = true
        var previous: UInt8 = 0
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if atLabelStart || !isLowerAlphanumeric(previous) { return false }
                atLabelStart = true
            } else if atLabelStart {
                guard isLowerAlphanumeric(b) else { return false }
                atLabelStart = false
            } else {
                guard isLowerAlphanumeric(b) || b == UInt8(ascii: "-") else { return false }
            }
            previous = b
        }
        return !atLabelStart && isLowerAlphanumeric(previous)
    }

    // MARK: field.Error formatting

    /// `field.Invalid(path, value, detail).Error()`.
    static func invalid(_ path: String, _ value: String, _ detail: String) -> String {
        path + ": Invalid value: " + goQuoted(value) + ": " + detail
    }

    /// `field.Invalid` for a list of strings (rendered as JSON, as upstream does).
    static func invalid(_ path: String, _ values: [String], _ detail: String) -> String {
        path + ": Invalid value: [" + values.map(goQuoted).joined(separator: ",") + "]: " + detail
    }

    /// `utilerrors.NewAggregate(...).Error()`: one message as is, several deduplicated in brackets.
    static func aggregate(_ messages: [String]) -> String? {
        var seen = Set<String>()
        let unique = messages.filter { seen.insert($0).inserted }
        switch unique.count {
        case 0: return nil
        case 1: return unique[0]
        default: return "[" + unique.joined(separator: ", ") + "]"
        }
    }

    /// Go's `%q` for a string: double-quoted with backslash escapes.
    static func goQuoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, at least one decimal digit, no overflow.
    static func parseInt64(_ s: String) -> Int64? {
        var iterator = s.utf8.makeIterator()
        guard var b = iterator.next() else { return nil }
        var negative = false
        if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
            negative = b == UInt8(ascii: "-")
            guard let next = iterator.next() else { return nil }
            b = next
        }
        // Accumulate negatively so that Int64.min parses without overflow.
        var value: Int64 = 0
        while true {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.subtractingReportingOverflow(Int64(b &- 0x30))
            if o1 || o2 { return nil }
            value = sum
            guard let next = iterator.next() else { break }
            b = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }
}

extension String {
    /// Byte-wise ordering, as Go compares strings.
    @inline(__always)
    func bytewiseLess(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }
}
