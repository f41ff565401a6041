// How Go prints the JSON values that appear in schema validation messages. Custom resources are
// decoded by kube-apiserver into `map[string]interface{}` trees (int64 for integral numbers,
// float64 otherwise), so bad values print with `field.Error`'s rules: `%v` for numbers and
// booleans, `%q` for strings, `%#v` for maps and slices; enum values print via `json.Marshal`.

enum GoRender {
    /// A value as `field.Error` prints its `BadValue`.
    static func badValue(_ value: JSONValue) -> String {
        switch value {
        case .null: "\"null\""
        case .bool(let b): b ? "true" : "false"
        case .number(let n): number(n)
        case .string(let s): GoFormat.quoted(s)
        case .object, .array: sharpV(value)
        }
    }

    /// `%v` of an int64 or float64.
    static func number(_ n: JSONNumber) -> String {
        switch n {
        case .int(let i): String(i)
        case .double(let d): float(d)
        }
    }

    /// Go's `%#v` of a JSON value held in an `interface{}`.
    static func sharpV(_ value: JSONValue) -> String {
        switch value {
        case .null: return "interface {}(nil)"
        case .bool, .number, .string: return badValue(value)
        case .array(let items):
            return "[]interface {}{" + items.map(sharpV).joined(separator: ", ") + "}"
        case .object(let object):
            let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return "map[string]interface {}{" + members.map { GoFormat.quoted($0.key) + ":" + sharpV($0.value) }
                .joined(separator: ", ") + "}"
        }
    }

    /// Go's `%v` of a JSON value (used only where a message embeds a whole list).
    static func plainV(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return number(n)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(plainV).joined(separator: " ") + "]"
        case .object(let object):
            let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return "map[" + members.map { $0.key + ":" + plainV($0.value) }.joined(separator: " ") + "]"
        }
    }

    /// `encoding/json.Marshal`: sorted keys, HTML-safe string escapes, Go's float spelling.
    static func json(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(.int(let i)): return String(i)
        case .number(.double(let d)): return jsonFloat(d)
        case .string(let s): return jsonString(s)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .object(let object):
            let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return "{" + members.map { jsonString($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    static func jsonString(_ s: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}", "\u{00}"..."\u{1F}":
                let v = scalar.value
                out += "\\u"
                for shift in stride(from: 12, through: 0, by: -4) {
                    out.unicodeScalars.append(Unicode.Scalar(hex[Int((v >> UInt32(shift)) & 0xF)]))
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Go's `%v` of a float64: the shortest digits, in exponent form (`1e+06`, `1e-05`) when the
    /// exponent is below -4 or at least 6 (`strconv`'s 'g' with the shortest precision).
    static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        let (digits, point, negative) = shortestDigits(d)
        if digits.isEmpty { return negative ? "-0" : "0" }
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 { return exponential(digits, exponent, negative, minExponentDigits: 2) }
        return fixed(digits, point, negative)
    }

    /// `encoding/json`'s float64: fixed notation in [1e-6, 1e21), else `1e+21` / `1e-7`.
    static func jsonFloat(_ d: Double) -> String {
        guard d.isFinite else { return float(d) }
        let (digits, point, negative) = shortestDigits(d)
        if digits.isEmpty { return negative ? "-0" : "0" }
        let magnitude = abs(d)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            return exponential(digits, point - 1, negative, minExponentDigits: 1)
        }
        return fixed(digits, point, negative)
    }

    private static func fixed(_ digits: [UInt8], _ point: Int, _ negative: Bool) -> String {
        var s = negative ? "-" : ""
        let text = String(decoding: digits, as: UTF8.self)
        if point <= 0 {
            s += "0." + String(repeating: "0", count: -point) + text
        } else if point >= digits.count {
            s += text + String(repeating: "0", count: point - digits.count)
        } else {
            s += String(decoding: digits[..<point], as: UTF8.self) + "." + String(decoding: digits[point...], as: UTF8.self)
        }
        return s
    }

    private static func exponential(_ digits: [UInt8], _ exponent: Int, _ negative: Bool, minExponentDigits: Int) -> String {
        var s = negative ? "-" : ""
        s += String(decoding: digits[..<1], as: UTF8.self)
        if digits.count > 1 { s += "." + String(decoding: digits[1...], as: UTF8.self) }
        let e = String(abs(exponent))
        s += (exponent < 0 ? "e-" : "e+") + String(repeating: "0", count: max(0, minExponentDigits - e.count)) + e
        return s
    }

    /// The shortest round-trip decimal digits of `d` (no leading or trailing zeros) and the
    /// position of the decimal point: `d = 0.digits × 10^point`.
    static func shortestDigits(_ d: Double) -> (digits: [UInt8], point: Int, negative: Bool) {
        let text = Array(d.description.utf8)  // Swift prints the shortest round-trip digits
        var negative = false
        var mantissa = text[...]
        var exponent = 0
        if mantissa.first == UInt8(ascii: "-") {
            negative = true
            mantissa = mantissa.dropFirst()
        }
        if let e = mantissa.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            exponent = Int(String(decoding: mantissa[(e + 1)...], as: UTF8.self)) ?? 0
            mantissa = mantissa[..<e]
        }
        var digits: [UInt8] = []
        var point = 0
        var sawPoint = false
        for c in mantissa {
            if c == UInt8(ascii: ".") { sawPoint = true; continue }
            digits.append(c)
            if !sawPoint { point += 1 }
        }
        point += exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point, negative)
    }

    /// Go's `int64(f)` on amd64: truncation, with out-of-range values becoming `math.MinInt64`.
    static func int64(truncating f: Double) -> Int64 {
        guard f.isFinite, f >= -9.223372036854775808e18, f < 9.223372036854775808e18 else { return .min }
        return Int64(f.rounded(.towardZero))
    }

    /// Go's `string(rune(i))` for an int64 converted to a string type.
    static func runeString(_ i: Int64) -> String {
        guard i >= 0, i <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(i)) else { return "\u{FFFD}" }
        return String(Character(scalar))
    }
}
