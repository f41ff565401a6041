/// A fixed-point number with a unit suffix: Kubernetes' `resource.Quantity`
/// (k8s.io/apimachinery/pkg/api/resource), used for CPU, memory, storage and extended resources.
///
/// The text form is `<signedNumber><suffix>`, where the suffix is a binary SI unit
/// (`Ki Mi Gi Ti Pi Ei`, powers of 1024), a decimal SI unit (`n u m "" k M G T P E`) or a decimal
/// exponent (`e3`, `E-6`). Parsing remembers which kind of suffix was used (``format``) and
/// printing uses the same kind again, in canonical form: the largest suffix that needs no
/// fractional digits and loses no precision. So `"1.5Gi"` prints as `1536Mi`, `"0.1"` as `100m`,
/// `"1000m"` as `1` and `"2e3"` as `2e3`.
///
/// Like upstream, a parsed value is rounded *up* (away from zero) to a whole number of nano
/// units, so asking for a tiny amount of a resource still gets some; and a quantity written with
/// a binary suffix is capped at `2^63-1`. Decimal quantities beyond the 64-bit range stay exact
/// (upstream's `inf.Dec` fallback): `"9999999999999999999999"` round-trips unchanged.
///
/// Values are never held as floating point. Equality, hashing and ordering are by value, whatever
/// the format: `"1Gi" == "1073741824"` and `"1000m" == "1"`, as upstream's `Cmp`/`Equal`.
///
/// Where this differs from upstream, on purpose:
/// - Printing is always canonical. Upstream's `String()` returns the parsed text verbatim when a
///   cheap check deems it canonical, which lets a few odd spellings through (`"+1"`, `"01"`,
///   `"1.500"`); we print `1`, `1`, `1500m`.
/// - Arithmetic is exact, never saturating or wrapping, except that an addend more than 10 000
///   orders of magnitude smaller than the other is dropped (upstream would try to expand
///   `1e2147483647 + 1` into two billion digits).
/// - ``value``, ``milliValue`` and ``scaledValue(_:)`` saturate at the Int64 limits for huge
///   values, where upstream's big-number path returns wrapped bits.
/// - A JSON number has no suffix to remember, and ours arrives as an integer or a Double, so
///   `1e3` in JSON decodes as DecimalSI `1k` (upstream keeps the text `1e3`).
public struct Quantity: Sendable, Hashable, Comparable, JSONCodable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// Which kind of suffix a quantity prints with. The raw values are upstream's names.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// Powers of ten written as an exponent, e.g. `12e6`.
        case decimalExponent = "DecimalExponent"
        /// Powers of 1024 with a binary suffix, e.g. `12Mi`.
        case binarySI = "BinarySI"
        /// Powers of 1000 with a decimal suffix, e.g. `12M`.
        case decimalSI = "DecimalSI"
    }

    /// The exact value.
    var amount: Amount

    /// The suffix kind used when printing. Changing it never changes the value.
    public var format: Format

    init(amount: Amount, format: Format) {
        self.amount = amount
        self.format = format
    }

    /// Zero, printed as `0`.
    public static let zero = Quantity(amount: .zero, format: .decimalSI)

    /// Zero in decimal SI format, like Go's zero `Quantity{}` once given a format.
    public init() { self = .zero }

    /// An integer number of units, e.g. `Quantity(2)` is two CPUs; `Quantity(1 << 30, format: .binarySI)`
    /// prints as `1Gi`.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(amount: Amount(value), format: format)
    }

    /// A number of thousandths of a unit, e.g. `Quantity(milli: 250)` prints as `250m`
    /// (upstream `NewMilliQuantity`).
    public init(milli value: Int64, format: Format = .decimalSI) {
        self.init(amount: Amount(value, exponent: -3), format: format)
    }

    /// `value × 10^scale`, e.g. `Quantity(scaled: 5, scale: -9)` is `5n`
    /// (upstream `NewScaledQuantity`). `scale` must fit in an Int32, as upstream's `Scale`.
    public init(scaled value: Int64, scale: Int, format: Format = .decimalSI) {
        precondition(Int32(exactly: scale) != nil, "Quantity scale \(scale) is out of range")
        self.init(amount: Amount(value, exponent: Int64(scale)), format: format)
    }

    /// Parses Kubernetes quantity syntax, e.g. `"500m"`, `"1.5Gi"`, `"2e3"` (upstream
    /// `ParseQuantity`); use `try?` for an optional.
    ///
    /// No surrounding whitespace is allowed (JSON decoding trims it first, as upstream does).
    /// There is deliberately no unlabeled `init?(_: String)`: Swift reads `Quantity("1Gi")` as a
    /// literal, which would make `Quantity("typo")` trap rather than return nil.
    public init(parsing string: String) throws(QuantityError) {
        self = try Quantity.parse(string)
    }

    /// A quantity literal, e.g. `let cpu: Quantity = "250m"`. An invalid literal is a programming
    /// error and traps, like upstream `MustParse`.
    public init(stringLiteral value: String) {
        do {
            self = try Quantity.parse(value)
        } catch {
            preconditionFailure(error.description)
        }
    }

    /// True if the value is zero.
    public var isZero: Bool { amount.isZero }

    /// -1, 0 or 1 as the value is negative, zero or positive.
    public var sign: Int { amount.sign }

    /// The value in whole units, rounded up (away from zero), saturating at the Int64 limits.
    /// `"1500m"` gives 2, `"-1500m"` gives -2 (upstream `Value()`).
    public var value: Int64 { amount.int64(atScale: 0).value }

    /// The value in thousandths, rounded up (away from zero), saturating at the Int64 limits.
    /// `"1.5"` gives 1500, `"1n"` gives 1 (upstream `MilliValue()`).
    public var milliValue: Int64 { amount.int64(atScale: -3).value }

    /// The value in units of 10^scale, rounded up (away from zero), saturating at the Int64 limits
    /// (upstream `ScaledValue`). `scaledValue(-9)` is the value in nano units.
    public func scaledValue(_ scale: Int) -> Int64 {
        // Beyond ±2^40 every non-zero value saturates or rounds to ±1 anyway.
        amount.int64(atScale: Int64(max(-1 << 40, min(1 << 40, scale)))).value
    }

    /// The value as an integer when it is a whole number that fits in Int64 (upstream `AsInt64`,
    /// without its limitation to the fast representation); nil otherwise.
    public var int64Value: Int64? {
        guard amount.exponent >= 0 else { return nil }
        let (v, exact) = amount.int64(atScale: 0)
        return exact ? v : nil
    }

    /// The nearest Double (upstream `AsApproximateFloat64`, but correctly rounded); ±infinity
    /// beyond Double's range.
    public var approximateDouble: Double {
        if amount.isZero { return 0 }
        var text: [UInt8] = amount.negative ? [UInt8(ascii: "-")] : []
        text += amount.magnitude.bigUInt.decimalDigits()
        text += Array("e\(amount.exponent)".utf8)
        return Double(String(decoding: text, as: UTF8.self)) ?? 0
    }

    /// Equal values, whatever their formats (upstream `Equal`).
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount == rhs.amount }

    /// Hashes the value only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(amount) }

    /// Orders by value (upstream `Cmp`).
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        Amount.compare(lhs.amount, rhs.amount) < 0
    }

    /// The canonical text form, e.g. `1536Mi` (upstream `String()`).
    public var description: String {
        guard case .word = amount.magnitude else { return String(decoding: canonicalBytes(), as: UTF8.self) }
        // At most ~95 bytes for a one-word magnitude; see `encodeCanonical(to:)`.
        return String(unsafeUninitializedCapacity: 128) { buffer in
            var sink = BufferSink(base: buffer)
            appendCanonical(to: &sink)
            return sink.count
        }
    }

    // MARK: JSON

    /// Decodes a JSON string (trimmed of surrounding whitespace, as upstream) or a JSON number:
    /// YAML such as `cpu: 2` or `cpu: 0.5` reaches us as a number. A number keeps no suffix, so it
    /// decodes in decimal SI format.
    public init(json: JSONValue) throws(JSONDecodingError) {
        switch json {
        case .string(let s):
            do {
                self = try Quantity.parse(Quantity.trimmingSpace(s))
            } catch {
                throw JSONDecodingError(error.description)
            }
        case .number(.int(let i)):
            self.init(i)
        case .number(.double(let d)):
            // Swift prints the shortest text that reads back as the same Double, which is what
            // the JSON said (e.g. 0.1 → "0.1"), give or take notation.
            guard d.isFinite, var q = try? Quantity.parse(d.description) else {
                throw JSONDecodingError("invalid quantity: \(json.shortDescription)")
            }
            q.format = .decimalSI
            self = q
        default:
            throw .typeMismatch(expected: "quantity (string or number)", got: json)
        }
    }

    /// Encodes as a JSON string in canonical form.
    public func encode(to writer: inout JSONWriter) { encodeCanonical(to: &writer) }

    /// Drops leading and trailing white space, as Go's `strings.TrimSpace`.
    static func trimmingSpace(_ s: String) -> String {
        let utf8 = s.utf8
        if let first = utf8.first, let last = utf8.last,
            first > 0x20 && first < 0x80, last > 0x20 && last < 0x80
        {
            return s
        }
        let scalars = s.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}

/// Why a string is not a quantity, with upstream's wording and the offending input.
public struct QuantityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The three failures upstream distinguishes.
    public enum Kind: Sendable, Hashable {
        /// The text does not have the shape of a number followed by a suffix (`ErrFormatWrong`).
        case formatWrong
        /// The number part has no digits where digits are needed (`ErrNumeric`).
        case numeric
        /// The suffix is not a known unit or exponent (`ErrSuffix`).
        case suffix
    }

    /// What went wrong.
    public var kind: Kind
    /// The text that failed to parse.
    public var input: String

    /// Creates an error for `input`.
    public init(_ kind: Kind, input: String) {
        self.kind = kind
        self.input = input
    }

    /// The regular expression upstream quotes in its format error.
    public static let pattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

    /// Upstream's error text, without the input.
    public var message: String {
        switch kind {
        case .formatWrong: "quantities must match the regular expression '\(Self.pattern)'"
        case .numeric: "unable to parse numeric part of quantity"
        case .suffix: "unable to parse quantity's suffix"
        }
    }

    /// E.g. `invalid quantity "1.1.M": quantities must match the regular expression '…'`.
    public var description: String {
        let clipped = input.count > 64 ? String(input.prefix(64)) + "…" : input
        return "invalid quantity \"\(clipped)\": \(message)"
    }
}
