/// Go's `time.ParseDuration`: a signed sequence of decimal numbers with units ("300ms",
/// "-1.5h", "2h45m"), units `ns`, `us` (`µs`, `μs`), `ms`, `s`, `m`, `h`. Errors carry Go's
/// messages (`time: unknown unit "x" in duration "5x"`), which the API server passes on.
public enum GoDuration {
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private static let units: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let invalid = ParseError(message: "time: invalid duration \(GoSyntax.quote(text))")
        var s = Substring(text)
        var negative = false
        if let sign = s.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            s = s.dropFirst()
        }
        if s == "0" { return .zero }
        if s.isEmpty { throw invalid }
        let limit = UInt64(1) << 63
        var total: UInt64 = 0
        while !s.isEmpty {
            guard let first = s.first, first == "." || first.isASCIIDigit else { throw invalid }
            // The integer part.
            let digits = s.prefix { $0.isASCIIDigit }
            var value: UInt64 = 0
            for digit in digits.utf8 {
                guard value <= (limit - 1) / 10 else { throw invalid }
                value = value * 10 + UInt64(digit - 0x30)
                guard value <= limit else { throw invalid }
            }
            s = s.dropFirst(digits.count)
            // The fraction, kept as digits over a power of ten (extra digits are dropped).
            var fraction: UInt64 = 0, scale: Double = 1, hasFraction = false
            if s.first == "." {
                s = s.dropFirst()
                let fractionDigits = s.prefix { $0.isASCIIDigit }
                var overflow = false
                for digit in fractionDigits.utf8 where !overflow {
                    if fraction > (limit - 1) / 10 {
                        overflow = true
                        continue
                    }
                    fraction = fraction * 10 + UInt64(digit - 0x30)
                    scale *= 10
                }
                hasFraction = !fractionDigits.isEmpty
                s = s.dropFirst(fractionDigits.count)
            }
            if digits.isEmpty && !hasFraction { throw invalid }
            let unitText = s.prefix { $0 != "." && !$0.isASCIIDigit }
            if unitText.isEmpty { throw ParseError(message: "time: missing unit in duration \(GoSyntax.quote(text))") }
            s = s.dropFirst(unitText.count)
            guard let unit = units[String(unitText)] else {
                throw ParseError(message: "time: unknown unit \(GoSyntax.quote(String(unitText))) in duration \(GoSyntax.quote(text))")
            }
            guard value <= limit / unit else { throw invalid }
            value *= unit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                guard value <= limit else { throw invalid }
            }
            total += value
            guard total <= limit else { throw invalid }
        }
        if negative { return .nanoseconds(total == limit ? .min : -Int64(total)) }
        guard total <= limit - 1 else { throw invalid }
        return .nanoseconds(Int64(total))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
