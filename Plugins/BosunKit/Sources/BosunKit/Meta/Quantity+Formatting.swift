// Canonical printing, as upstream's `CanonicalizeBytes`:
//
// - Decimal formats: move every factor of ten into the exponent, then lower the exponent to a
//   multiple of three (`1.5` → `1500` × 10^-3 → `1500m`). DecimalSI names the power with a letter
//   (n u m "" k M G T P E); DecimalExponent writes `e<exp>`.
// - BinarySI: values strictly between -1024 and 1024, and values with a fractional part, print as
//   DecimalSI (no rounding, no confusion); otherwise factors of 1024 move into the suffix
//   (`1610612736` → `1536Mi`).
// - Past the last suffix (beyond E = 10^18 or below n = 10^-9 in DecimalSI, beyond Ei = 2^60 in
//   BinarySI) the value prints in DecimalExponent form rather than silently losing magnitude, as
//   upstream does since it fixed `1000E` printing as `1`.

extension Quantity {
    /// The DecimalSI letter for a power of ten: 0 for no letter (10^0), nil if there is none.
    private static func decimalSILetter(_ exponent: Int64) -> UInt8? {
        switch exponent {
        case -9: UInt8(ascii: "n")
        case -6: UInt8(ascii: "u")
        case -3: UInt8(ascii: "m")
        case 0: 0
        case 3: UInt8(ascii: "k")
        case 6: UInt8(ascii: "M")
        case 9: UInt8(ascii: "G")
        case 12: UInt8(ascii: "T")
        case 15: UInt8(ascii: "P")
        case 18: UInt8(ascii: "E")
        default: nil
        }
    }

    private static let binarySISuffixes: [[UInt8]] = [
        [], Array("Ki".utf8), Array("Mi".utf8), Array("Gi".utf8), Array("Ti".utf8), Array("Pi".utf8),
        Array("Ei".utf8),
    ]

    private static let amount1024 = Amount(1024)

    /// Where canonical text is written: an array, or a stack buffer when encoding.
    protocol ByteSink {
        mutating func append(_ byte: UInt8)
        mutating func append(contentsOf bytes: [UInt8])
    }

    /// A sink over a caller-provided buffer, which must be large enough.
    struct BufferSink: ByteSink {
        let base: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func append(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        mutating func append(contentsOf bytes: [UInt8]) {
            for b in bytes { append(b) }
        }
    }

    /// The canonical text form as UTF-8.
    func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(18)
        appendCanonical(to: &out)
        return out
    }

    /// Writes the canonical form as a JSON string, through a stack buffer when the magnitude is
    /// one word (then the text is at most ~95 bytes: up to 89 digits for a binary value with
    /// up to 69 decimal zeros, or 22 digits plus a 21-character exponent).
    func encodeCanonical(to writer: inout JSONWriter) {
        if !printsExactly { writer.markInexact() }
        guard case .word = amount.magnitude else {
            var bytes: [UInt8] = [UInt8(ascii: "\"")]
            appendCanonical(to: &bytes)
            bytes.append(UInt8(ascii: "\""))
            writer.raw(bytes)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer in
            var sink = BufferSink(base: buffer)
            sink.append(UInt8(ascii: "\""))
            appendCanonical(to: &sink)
            sink.append(UInt8(ascii: "\""))
            writer.raw(UnsafeBufferPointer(rebasing: buffer[..<sink.count]))
        }
    }

    /// Whether parsing the canonical text gives this quantity back, format included. It does not
    /// when the text cannot carry the format (a binary-SI value below 1024 or fractional prints
    /// as decimal SI, a decimal exponent of zero prints no suffix), when parsing would round
    /// (below nano units) or cap (binary SI beyond Int64), or for a zero in another format.
    /// Values beyond 64 bits are left to the slow path.
    var printsExactly: Bool {
        if amount.isZero { return format == .decimalSI }
        guard case .word = amount.magnitude, amount.exponent >= -9 else { return false }
        switch format {
        case .binarySI:
            if Amount.compareMagnitudes(amount, Quantity.amount1024) < 0 || amount.exponent < 0 { return false }
            guard case .word(let integer) = amount.magnitude.timesPowerOfTen(amount.exponent),
                  integer <= UInt64(Int64.max)
            else { return false }
            // Parsed back as binary SI only when printed with a suffix (Ki to Ei).
            let power = Int64(integer.trailingZeroBitCount) / 10
            return power >= 1 && power <= 6
        case .decimalSI, .decimalExponent:
            let e = amount.exponent
            var e3 = e / 3 * 3
            if e3 > e { e3 -= 3 }
            let hasLetter = Quantity.decimalSILetter(e3) != nil
            return format == .decimalSI ? hasLetter : e3 != 0
        }
    }

    /// Appends the canonical text form.
    func appendCanonical<Sink: ByteSink>(to out: inout Sink) {
        guard !amount.isZero else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var format = self.format
        if format == .binarySI {
            if Amount.compareMagnitudes(amount, Quantity.amount1024) < 0 || amount.exponent < 0 {
                // Between -1024 and 1024, or fractional (the magnitude has no trailing zeros, so
                // a negative exponent means a fraction): print as DecimalSI.
                format = .decimalSI
            } else if appendBinary(to: &out) {
                return
            } else {
                format = .decimalExponent
            }
        }
        appendDecimal(to: &out, format: format)
    }

    /// Writes an integral value of at least 1024 with a binary suffix; false if it needs a power
    /// of 1024 beyond Ei.
    private func appendBinary<Sink: ByteSink>(to out: inout Sink) -> Bool {
        // value = magnitude × 10^e = magnitude × 2^e × 5^e, so its power of two is known without
        // expanding it; only values that fit a suffix (2^69 divides them at most) get expanded.
        let twos: Int64
        switch amount.magnitude {
        case .word(let w): twos = Int64(w.trailingZeroBitCount) + amount.exponent
        case .big(let b): twos = Int64(b.trailingZeroBitCount) + amount.exponent
        }
        let power = twos / 10
        guard power <= 6 else { return false }
        if amount.negative { out.append(UInt8(ascii: "-")) }
        if case .word(let integer) = amount.magnitude.timesPowerOfTen(amount.exponent) {
            Quantity.appendDigits(integer >> (10 * power), to: &out)
        } else {
            var integer = amount.magnitude.timesPowerOfTen(amount.exponent).bigUInt
            for _ in 0..<power { integer.divide(by: 1024) }
            out.append(contentsOf: integer.decimalDigits())
        }
        out.append(contentsOf: Quantity.binarySISuffixes[Int(power)])
        return true
    }

    private func appendDecimal<Sink: ByteSink>(to out: inout Sink, format: Format) {
        // Lower the exponent to a multiple of three (floor division, also for negatives).
        let e = amount.exponent
        var e3 = e / 3 * 3
        if e3 > e { e3 -= 3 }
        let mantissa = amount.magnitude.timesPowerOfTen(e - e3)
        if amount.negative { out.append(UInt8(ascii: "-")) }
        switch mantissa {
        case .word(let w): Quantity.appendDigits(w, to: &out)
        case .big(let b): out.append(contentsOf: b.decimalDigits())
        }
        if format == .decimalSI, let letter = Quantity.decimalSILetter(e3) {
            if letter != 0 { out.append(letter) }
        } else if e3 != 0 {
            out.append(UInt8(ascii: "e"))
            if e3 < 0 { out.append(UInt8(ascii: "-")) }
            Quantity.appendDigits(e3.magnitude, to: &out)
        }
    }

    /// Appends the decimal digits of a word without allocating.
    static func appendDigits<Sink: ByteSink>(_ value: UInt64, to out: inout Sink) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while true {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            if divisor == 1 { break }
            divisor /= 10
        }
    }
}

extension Array: Quantity.ByteSink where Element == UInt8 {}
