/// Why a patch could not be applied, with the HTTP status kube-apiserver answers for it.
///
/// `message` is the specific text of the upstream library (evanphx/json-patch v4 for JSON patch and
/// merge patch, apimachinery's `strategicpatch` for strategic merge patch), e.g.
/// `testing value /spec/replicas failed: test failed`. `statusMessage` is what kube-apiserver puts
/// in the `Status` it returns: for a JSON patch that fails to apply that is the generic
/// `the server rejected our request due to an error in our request`, because the handler wraps the
/// library error in `NewGenericServerResponse(422, ...)`, which drops the specific text.
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status: 400 malformed patch, 413 too many operations, 415 patch type not supported
    /// for the resource, 422 patch that cannot apply to this object, 500 strategic merge patch
    /// failures that kube-apiserver does not classify.
    public var code: Int
    /// The `metav1.StatusReason`: `BadRequest`, `Invalid`, `UnsupportedMediaType`,
    /// `RequestEntityTooLarge`, or `""` (unknown) for unclassified failures.
    public var reason: String
    /// The specific, library-worded reason.
    public var message: String
    /// The `message` of the `Status` object kube-apiserver returns for this error.
    public var statusMessage: String

    /// Makes an error; `statusMessage` defaults to `message`.
    public init(code: Int, reason: String, message: String, statusMessage: String? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.statusMessage = statusMessage ?? message
    }

    /// The specific message.
    public var description: String { message }

    /// The generic 422 text of `apimachinery/pkg/api/errors.NewGenericServerResponse`.
    public static let genericInvalidMessage = "the server rejected our request due to an error in our request"

    /// The media types kube-apiserver accepts in a PATCH of a custom resource.
    public static let customResourcePatchTypes = [
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
    ]

    /// 415: strategic merge patch on a type without patch metadata, i.e. a custom resource, worded
    /// as `negotiation.NewUnsupportedMediaTypeError`.
    public static func unsupportedForCustomResources(acceptedMediaTypes: [String] = customResourcePatchTypes) -> PatchError {
        PatchError(code: 415, reason: "UnsupportedMediaType",
                   message: "the body of the request was in an unknown format - accepted media types include: "
                       + acceptedMediaTypes.joined(separator: ", "))
    }

    /// 400 `BadRequest` with `message` as the status message.
    public static func badRequest(_ message: String) -> PatchError {
        PatchError(code: 400, reason: "BadRequest", message: message)
    }

    /// 422 `Invalid` as `NewGenericServerResponse(422, ...)` makes it: specific `message`, generic
    /// status message.
    public static func unprocessable(_ message: String) -> PatchError {
        PatchError(code: 422, reason: "Invalid", message: message, statusMessage: genericInvalidMessage)
    }

    /// 500 with an empty reason: a plain Go error that reached `ErrorToAPIStatus`.
    static func unclassified(_ message: String) -> PatchError {
        PatchError(code: 500, reason: "", message: message)
    }
}

/// Go's `fmt` rendering of decoded JSON (`map[string]interface{}` and friends), for messages that
/// embed values the way the Go libraries print them with `%v` and `%s`.
enum GoValueFormat {
    /// `%v`: `map[a:1 b:[x y]]` with sorted keys, `<nil>` for null, strings unquoted.
    static func v(_ value: JSONValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    static func v(_ object: JSONObject) -> String { v(.object(object)) }

    private static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "<nil>"
        case .bool(let b): out += b ? "true" : "false"
        case .string(let s): out += s
        case .number(let n): out += number(n)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += " " }
                write(item, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "map["
            let sorted = object.members.sorted { goLess($0.key, $1.key) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out += " " }
                out += member.key + ":"
                write(member.value, to: &out)
            }
            out += "]"
        }
    }

    /// `%s` of `reflect.TypeOf(x)` for a decoded JSON value, as in `mergepatch.ErrBadArgType`.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "%!s(<nil>)"
        case .bool: "bool"
        case .string: "string"
        case .number(let n): if case .int = n { "int64" } else { "float64" }
        case .array: "[]interface {}"
        case .object: "map[string]interface {}"
        }
    }

    /// The word `encoding/json` uses for a JSON value in an `UnmarshalTypeError`.
    static func jsonKind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .string: "string"
        case .number: "number"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Go's `<` on strings: byte-wise.
    static func goLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// `%v` of an `int64` or a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits,
    /// exponent form when the exponent is below -4 or at least 6, as `fmt.Println(1e6)` shows).
    static func number(_ n: JSONNumber) -> String {
        switch n {
        case .int(let i): return String(i)
        case .double(let d): return float(d)
        }
    }

    static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Shortest round-trip digits from Swift, re-laid out the way Go prints them.
        var text = "\(d.magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var digits = ""
        var pointPosition = text.count
        if let dot = text.firstIndex(of: ".") {
            pointPosition = text.distance(from: text.startIndex, to: dot)
            digits = text.filter { $0 != "." }
        } else {
            digits = text
        }
        // Normalise: strip leading zeros (moving the point) and trailing zeros.
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let decimalExponent = pointPosition + exponent - 1  // exponent of the first digit
        let sign = d < 0 ? "-" : ""
        // %v is %g with the shortest precision, for which strconv uses %e when the exponent is
        // below -4 or at least 6.
        if decimalExponent < -4 || decimalExponent >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let expSign = decimalExponent < 0 ? "-" : "+"
            let expDigits = String(abs(decimalExponent))
            return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
        }
        if decimalExponent < 0 {
            return sign + "0." + String(repeating: "0", count: -decimalExponent - 1) + digits
        }
        let integerDigits = decimalExponent + 1
        if digits.count <= integerDigits {
            return sign + digits + String(repeating: "0", count: integerDigits - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: integerDigits)
        return sign + digits[..<split] + "." + digits[split...]
    }
}
