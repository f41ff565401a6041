/// A value that is either a 32-bit integer or a string: Kubernetes' `intstr.IntOrString`
/// (k8s.io/apimachinery/pkg/util/intstr).
///
/// API fields use it where either a number or a name fits (a Service `targetPort` of `8080` or
/// `"http"`) and where either an absolute count or a percentage fits (a Deployment's
/// `maxSurge: 1` or `maxSurge: "25%"`). In JSON it is the bare number or the bare string.
public enum IntOrString: Sendable, Hashable, JSONCodable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    /// A number, e.g. a port or a count.
    case int(Int32)
    /// A name (`"http"`) or a percentage (`"25%"`).
    case string(String)

    /// `3`, or `"25%"` — whichever the literal is.
    public init(integerLiteral value: Int32) { self = .int(value) }

    /// `"http"` or `"25%"`.
    public init(stringLiteral value: String) { self = .string(value) }

    /// Reads a string as an integer if it is one that fits in 32 bits, else keeps it as a string
    /// (upstream `intstr.Parse`, which would truncate an out-of-range integer instead).
    public init(parsing text: String) {
        if let i = IntOrString.atoi(text), let narrow = Int32(exactly: i) {
            self = .int(narrow)
        } else {
            self = .string(text)
        }
    }

    /// The string value, or the integer in decimal (upstream `String()`).
    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        }
    }

    /// The integer value; a string is read as a decimal integer, 0 if it is not one
    /// (upstream `IntValue()`).
    public var intValue: Int {
        switch self {
        case .int(let i): Int(i)
        case .string(let s): IntOrString.atoi(s) ?? 0
        }
    }

    /// Resolves an absolute count or a percentage of `total` (upstream
    /// `GetScaledValueFromIntOrPercent`): `.int(n)` is `n`; `"25%"` of 10 is 3 rounding up and 2
    /// rounding down. A string that is not a percentage is an error, as upstream, because a bare
    /// `"5"` is ambiguous (upstream's older helper silently read it as a percentage).
    public func scaledValue(total: Int, roundUp: Bool) throws(IntOrStringError) -> Int {
        switch self {
        case .int(let i):
            return Int(i)
        case .string(let s):
            guard s.hasSuffix("%") else {
                throw IntOrStringError("invalid type: string is not a percentage")
            }
            let digits = String(s.dropLast())
            guard let percent = IntOrString.atoi(digits) else {
                let reason = IntOrString.atoiFailure(digits)
                throw IntOrStringError("invalid value \(GoFormat.quoted(s)): \(reason)")
            }
            // Upstream computes in float64, value × total / 100, then ceil or floor; doing the same
            // keeps results identical at the edges.
            let scaled = Double(percent) * Double(total) / 100
            let rounded = roundUp ? scaled.rounded(.up) : scaled.rounded(.down)
            guard rounded > -9.223372036854775808e18, rounded < 9.223372036854775808e18 else {
                return rounded < 0 ? .min : .max
            }
            return Int(rounded)
        }
    }

    /// Decodes a JSON number (which must be an integer that fits in 32 bits) or a JSON string.
    public init(json: JSONValue) throws(JSONDecodingError) {
        switch json {
        case .string(let s):
            self = .string(s)
        case .number:
            self = .int(try Int32(json: json))
        default:
            throw .typeMismatch(expected: "integer or string", got: json)
        }
    }

    /// Encodes as a bare JSON number or string.
    public func encode(to writer: inout JSONWriter) {
        switch self {
        case .int(let i): writer.int(Int64(i))
        case .string(let s): writer.string(s)
        }
    }

    /// Go's `strconv.Atoi` for 64-bit ints.
    static func atoi(_ s: String) -> Int? { GoFormat.parseInt64(s).map { Int($0) } }

    /// The text of Go's `strconv.Atoi` error for a string `atoi` rejected.
    static func atoiFailure(_ s: String) -> String {
        var body = s.utf8[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        let allDigits = !body.isEmpty && body.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
        return "strconv.Atoi: parsing \(GoFormat.quoted(s)): \(allDigits ? "value out of range" : "invalid syntax")"
    }
}

/// Why an ``IntOrString`` could not be resolved to a number, in upstream's words, e.g.
/// `invalid value for IntOrString: invalid type: string is not a percentage`.
public struct IntOrStringError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reason, without the `invalid value for IntOrString: ` prefix.
    public var reason: String

    /// Creates an error with the given reason.
    public init(_ reason: String) { self.reason = reason }

    /// The full message, as upstream formats it.
    public var description: String { "invalid value for IntOrString: \(reason)" }
}
