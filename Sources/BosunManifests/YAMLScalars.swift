import BosunKit

/// A YAML scalar resolved the way go-yaml v2 resolves it into an `interface{}`, which is what
/// sigs.k8s.io/yaml (and so kubectl and the API server) do before turning YAML into JSON.
enum ResolvedScalar: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer beyond `Int64` that go-yaml keeps as a `uint64` or `big.Int`: still a JSON
    /// number (as a `Double` here, like ``JSONParser`` does), but not usable as a mapping key.
    case bigInteger(Double)
    case float(Double)
    case string(String)

    /// go-yaml's short tag for the resolved value, as used in its messages.
    var tagName: String {
        switch self {
        case .null: "!!null"
        case .bool: "!!bool"
        case .int, .bigInteger: "!!int"
        case .float: "!!float"
        case .string: "!!str"
        }
    }
}

/// go-yaml v2's scalar resolution (sigs.k8s.io/yaml/goyaml.v2 `resolve.go`), and sigs.k8s.io/yaml's
/// conversion of the resolved values to JSON values and JSON object keys.
enum YAMLScalars {
    /// Plain scalars that resolve to fixed values: YAML 1.1 booleans (including `yes`/`no`/`on`/
    /// `off`/`y`/`n`), nulls, infinities and NaN.
    private static let specials: [String: ResolvedScalar] = {
        var table: [String: ResolvedScalar] = [:]
        for s in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { table[s] = .bool(true) }
        for s in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { table[s] = .bool(false) }
        for s in ["", "~", "null", "Null", "NULL"] { table[s] = .null }
        for s in [".nan", ".NaN", ".NAN"] { table[s] = .float(.nan) }
        for s in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { table[s] = .float(.infinity) }
        for s in ["-.inf", "-.Inf", "-.INF"] { table[s] = .float(-.infinity) }
        return table
    }()

    /// Resolves an untagged plain scalar.
    static func resolvePlain(_ text: String) -> ResolvedScalar {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
            UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"),
            UInt8(ascii: "~"):
            return specials[text] ?? .string(text)
        case UInt8(ascii: "."):
            if let special = specials[text] { return special }
            // Go's ParseFloat on the text as written: `.5`, `.5e3`.
            if isYAMLStyleFloat(text.utf8), let d = Double(text), d.isFinite { return .float(d) }
            return .string(text)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let special = specials[text] { return special }
            // Timestamps (`2024-01-31`) are tried first by go-yaml but come out as strings when
            // decoded into an interface{}, which is what they stay here.
            let plain = text.utf8.contains(UInt8(ascii: "_")) ? String(text.filter { $0 != "_" }) : text
            if let integer = parseGoInteger(plain) { return integer }
            if isYAMLStyleFloat(plain.utf8), let d = Double(plain), d.isFinite { return .float(d) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    /// Resolves a scalar with an explicit tag (`!!int "3"`, `!!str 3`); a tag that contradicts the
    /// value fails with go-yaml's message (`cannot decode !!str `x` as a !!int`). Tags other than
    /// the core ones (`!foo`, `!`) leave the scalar a string, as in go-yaml.
    static func resolveTagged(_ text: String, tag: String) -> Result<ResolvedScalar, ResolutionError> {
        let coreTagPrefix = "tag:yaml.org,2002:"
        let short = tag.hasPrefix(coreTagPrefix) ? "!!" + tag.dropFirst(coreTagPrefix.count) : tag
        switch short {
        case "!!str", "!!timestamp":
            return .success(.string(text))
        case "!!binary":
            return .failure(ResolutionError(message: "!!binary values are not supported: write the base64 text as a plain string"))
        case "!!null", "!!bool", "!!int", "!!float":
            let resolved = resolvePlain(text)
            if resolved.tagName == short { return .success(resolved) }
            if short == "!!float" {
                if case .int(let i) = resolved { return .success(.float(Double(i))) }
                if case .bigInteger(let d) = resolved { return .success(.float(d)) }
            }
            return .failure(ResolutionError(message: "cannot decode \(resolved.tagName) `\(text)` as a \(short)"))
        default:
            return .success(.string(text))
        }
    }

    /// Why a tagged scalar could not be resolved.
    struct ResolutionError: Error {
        var message: String
    }

    /// The JSON value of a resolved scalar; `nil` for infinities and NaN, which JSON cannot hold
    /// (sigs.k8s.io/yaml fails on them with `json: unsupported value`).
    static func jsonValue(_ scalar: ResolvedScalar) -> JSONValue? {
        switch scalar {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(.int(i))
        case .bigInteger(let d), .float(let d): return d.isFinite ? .number(.double(d)) : nil
        case .string(let s): return .string(s)
        }
    }

    /// The JSON object key sigs.k8s.io/yaml makes of a resolved scalar key: integers in decimal,
    /// booleans as `true`/`false`, floats as Go's `FormatFloat(f, 'g', -1, 32)`. `nil` for keys
    /// it rejects (`null`, integers beyond `Int64`).
    static func keyString(_ scalar: ResolvedScalar) -> String? {
        switch scalar {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .float(let d): return goFormatFloat32(d)
        case .null, .bigInteger: return nil
        }
    }

    // MARK: - Go number syntax

    /// Go's `strconv.ParseInt(s, 0, 64)`, falling back as go-yaml does when it overflows:
    /// unsigned values up to `UInt64.max` and larger unsigned non-decimal ones are still integers,
    /// larger decimal ones become floats, and signed non-decimal overflows stay strings.
    /// `nil` when `s` is not an integer literal at all.
    static func parseGoInteger(_ s: String) -> ResolvedScalar? {
        var bytes = Array(s.utf8)[...]
        var negative = false
        var signed = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            signed = true
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var base: UInt64 = 10
        if bytes.count >= 2, bytes.first == UInt8(ascii: "0") {
            switch bytes[bytes.startIndex + 1] | 0x20 {
            case UInt8(ascii: "x"): base = 16; bytes = bytes.dropFirst(2)
            case UInt8(ascii: "o"): base = 8; bytes = bytes.dropFirst(2)
            case UInt8(ascii: "b"): base = 2; bytes = bytes.dropFirst(2)
            default: base = 8; bytes = bytes.dropFirst()
            }
        }
        guard !bytes.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        var approximate = 0.0
        var overflow = false
        for c in bytes {
            let digit: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            approximate = approximate * Double(base) + Double(digit)
            let (m, o1) = magnitude.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true }
            magnitude = a
        }
        if !overflow {
            if negative, magnitude <= UInt64(Int64.max) + 1 {
                return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
            }
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if !signed { return .bigInteger(approximate) }
        }
        if base == 10 {
            // go-yaml's float check comes next and accepts any decimal digit string.
            let d = negative ? -approximate : approximate
            if d.isFinite { return .float(d) }
            return signed ? .string(s) : .bigInteger(d)
        }
        return signed ? .string(s) : .bigInteger(approximate)
    }

    /// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isYAMLStyleFloat(_ text: String.UTF8View) -> Bool {
        let bytes = Array(text)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                _ = digits()
            }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == bytes.count
    }

    /// Go's `strconv.FormatFloat(d, 'g', -1, 32)` with sigs.k8s.io/yaml's spellings of the
    /// non-finite values (`.inf`, `-.inf`, `.nan`).
    static func goFormatFloat32(_ d: Double) -> String {
        let f = Float(d)
        if f.isNaN { return ".nan" }
        if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        // Swift prints the shortest digits that round-trip, as Go does; take them apart.
        let text = f.magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var digits = Array(mantissa[0].utf8) + (mantissa.count == 2 ? Array(mantissa[1].utf8) : [])
        // The value is 0.d1d2d3… × 10^point.
        var point = mantissa[0].utf8.count + exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        var out = f < 0 ? "-" : ""
        let decimalExponent = point - 1
        if decimalExponent < -4 || decimalExponent >= 6 {
            // %e: d.ddde±XX with at least two exponent digits.
            out += String(UnicodeScalar(digits[0]))
            if digits.count > 1 { out += "." + String(decoding: digits[1...], as: UTF8.self) }
            out += decimalExponent < 0 ? "e-" : "e+"
            let magnitude = abs(decimalExponent)
            out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
            return out
        }
        // %f with as many fraction digits as needed.
        if point > 0 {
            for i in 0..<point { out += i < digits.count ? String(UnicodeScalar(digits[i])) : "0" }
        } else {
            out += "0"
        }
        let fractionDigits = max(digits.count - point, 0)
        if fractionDigits > 0 {
            out += "."
            for i in point..<(point + fractionDigits) { out += i >= 0 ? String(UnicodeScalar(digits[i])) : "0" }
        }
        return out
    }
}
