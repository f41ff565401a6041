// Quantity parsing: a single pass over the UTF-8 bytes, accepting exactly what upstream's
// `ParseQuantity` accepts (its `parseQuantityString` scanner, suffix table and rounding rules).

extension Quantity {
    /// A parsed suffix: the power it stands for and the format it implies.
    struct Suffix {
        /// 10 or 2.
        var base: Int
        var exponent: Int64
        var format: Format
    }

    static func parse(_ string: String) throws(QuantityError) -> Quantity {
        var copy = string
        let result = copy.withUTF8 { parse(bytes: $0) }
        switch result {
        case .success(let q): return q
        case .failure(let kind): throw QuantityError(kind, input: string)
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    /// The letters upstream lets a suffix start with: `eEinumkKMGTP`.
    private static func isSuffixLetter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "i"), UInt8(ascii: "n"),
            UInt8(ascii: "u"), UInt8(ascii: "m"), UInt8(ascii: "k"), UInt8(ascii: "K"),
            UInt8(ascii: "M"), UInt8(ascii: "G"), UInt8(ascii: "T"), UInt8(ascii: "P"):
            true
        default: false
        }
    }

    /// The outcome of parsing, before the input is attached to an error.
    enum ParseOutcome {
        case success(Quantity)
        case failure(QuantityError.Kind)
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> ParseOutcome {
        let end = b.count
        guard end > 0 else { return .failure(.formatWrong) }
        var pos = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") {
            negative = true
            pos = 1
        } else if b[0] == UInt8(ascii: "+") {
            pos = 1
        }
        // Leading zeros. A sign and zeros alone are zero (upstream returns before any suffix).
        let zerosStart = pos
        while pos < end && b[pos] == UInt8(ascii: "0") { pos += 1 }
        if pos == end { return .success(.zero) }
        let sawZero = pos > zerosStart

        let numStart = pos
        while pos < end && isDigit(b[pos]) { pos += 1 }
        let numEnd = pos
        var denomStart = pos
        var denomEnd = pos
        if pos < end && b[pos] == UInt8(ascii: ".") {
            pos += 1
            denomStart = pos
            while pos < end && isDigit(b[pos]) { pos += 1 }
            denomEnd = pos
        }

        // Suffix: letters, then an optional sign and digits (an exponent), then the end.
        let suffixStart = pos
        while pos < end && isSuffixLetter(b[pos]) { pos += 1 }
        if pos < end && (b[pos] == UInt8(ascii: "-") || b[pos] == UInt8(ascii: "+")) { pos += 1 }
        while pos < end && isDigit(b[pos]) { pos += 1 }
        guard pos == end else { return .failure(.formatWrong) }

        guard let suffix = interpretSuffix(UnsafeBufferPointer(rebasing: b[suffixStart..<end])) else {
            return .failure(.suffix)
        }

        let denomCount = denomEnd - denomStart
        if numEnd == numStart && denomCount == 0 && !sawZero {
            // No digits at all ("." or "-."): upstream's fast path reads that as zero, but its
            // exact path (taken for exponents below nano) rejects it.
            if suffix.base == 10 && suffix.exponent < -9 { return .failure(.numeric) }
            return .success(Quantity(amount: .zero, format: suffix.format))
        }

        // Trailing zeros go to the exponent rather than into the magnitude, so "1" followed by
        // a million zeros costs no big arithmetic.
        var digits = DigitAccumulator()
        var pendingZeros: Int64 = 0
        for i in numStart..<denomEnd where i < numEnd || i >= denomStart {  // skip the point
            if b[i] == UInt8(ascii: "0") {
                pendingZeros += 1
                continue
            }
            while pendingZeros > 0 {
                digits.push(UInt8(ascii: "0"))
                pendingZeros -= 1
            }
            digits.push(b[i])
        }
        var magnitude = digits.finish()

        var exponent = pendingZeros - Int64(denomCount)
        if suffix.base == 10 {
            exponent += suffix.exponent
        } else if case .word(let w) = magnitude,
            case let (product, overflow) = w.multipliedReportingOverflow(by: 1 << UInt64(suffix.exponent)), !overflow
        {
            magnitude = .word(product)
        } else if !magnitude.isZero {
            var big = magnitude.bigUInt
            big.multiply(by: 1 << UInt64(suffix.exponent))
            magnitude = Magnitude(big)
        }

        var amount = Amount(negative: negative, magnitude: magnitude, exponent: exponent)
        // Round up to whole nano units: whoever asks for some of a resource gets some.
        if amount.exponent < -9 {
            amount = amount.roundedUp(toExponent: -9).amount
        }
        var format = suffix.format
        if format == .binarySI {
            if Amount.compareMagnitudes(amount, Quantity.maxBinaryAmount) > 0 {
                amount = negative ? Quantity.maxBinaryAmount.negated : Quantity.maxBinaryAmount
            } else if !amount.isZero && Amount.compareMagnitudes(amount, Quantity.oneAmount) < 0 {
                // A fraction of a byte cannot be written with a binary suffix.
                format = .decimalSI
            }
        }
        return .success(Quantity(amount: amount, format: format))
    }

    /// Upstream caps quantities written with a binary suffix at the largest int64.
    static let maxBinaryAmount = Amount(Int64.max)
    static let oneAmount = Amount(1)

    /// Interprets a suffix (upstream `quantitySuffixer.interpret`).
    static func interpretSuffix(_ s: UnsafeBufferPointer<UInt8>) -> Suffix? {
        switch s.count {
        case 0:
            return Suffix(base: 10, exponent: 0, format: .decimalSI)
        case 1:
            let e: Int64
            switch s[0] {
            case UInt8(ascii: "n"): e = -9
            case UInt8(ascii: "u"): e = -6
            case UInt8(ascii: "m"): e = -3
            case UInt8(ascii: "k"): e = 3
            case UInt8(ascii: "M"): e = 6
            case UInt8(ascii: "G"): e = 9
            case UInt8(ascii: "T"): e = 12
            case UInt8(ascii: "P"): e = 15
            case UInt8(ascii: "E"): e = 18
            default: return nil
            }
            return Suffix(base: 10, exponent: e, format: .decimalSI)
        default:
            if s.count == 2 && s[1] == UInt8(ascii: "i") {
                let e: Int64
                switch s[0] {
                case UInt8(ascii: "K"): e = 10
                case UInt8(ascii: "M"): e = 20
                case UInt8(ascii: "G"): e = 30
                case UInt8(ascii: "T"): e = 40
                case UInt8(ascii: "P"): e = 50
                case UInt8(ascii: "E"): e = 60
                default: return nil
                }
                return Suffix(base: 2, exponent: e, format: .binarySI)
            }
            guard s[0] == UInt8(ascii: "e") || s[0] == UInt8(ascii: "E"),
                let e = parseExponent(UnsafeBufferPointer(rebasing: s[1...]))
            else { return nil }
            return Suffix(base: 10, exponent: e, format: .decimalExponent)
        }
    }

    /// A signed decimal integer as Go's `strconv.ParseInt` reads it, limited to ±(2^31-1):
    /// upstream keeps the exponent in an int32 scale that it negates, and rejects anything wider
    /// rather than wrapping it.
    private static func parseExponent(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < s.count && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < s.count else { return nil }
        var value: Int64 = 0
        while i < s.count {
            guard isDigit(s[i]) else { return nil }
            value = value * 10 + Int64(s[i] &- UInt8(ascii: "0"))
            guard value <= Int64(Int32.max) else { return nil }
            i += 1
        }
        return negative ? -value : value
    }

    /// Collects ASCII digits into a magnitude: one word while it fits, then 19-digit chunks.
    struct DigitAccumulator {
        private var word: UInt64 = 0
        private var big: BigUInt?
        private var chunk: UInt64 = 0
        private var chunkLength = 0

        mutating func push(_ ascii: UInt8) {
            let d = UInt64(ascii &- UInt8(ascii: "0"))
            if big == nil {
                let (m, o1) = word.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(d)
                if !o1 && !o2 {
                    word = s
                    return
                }
                big = BigUInt(word)
            }
            chunk = chunk * 10 + d
            chunkLength += 1
            if chunkLength == 19 { flush() }
        }

        private mutating func flush() {
            guard chunkLength > 0 else { return }
            big!.multiply(by: Quantity.powersOfTen[chunkLength], adding: chunk)
            chunk = 0
            chunkLength = 0
        }

        mutating func finish() -> Magnitude {
            guard big != nil else { return .word(word) }
            flush()
            return Magnitude(big!)
        }
    }
}
