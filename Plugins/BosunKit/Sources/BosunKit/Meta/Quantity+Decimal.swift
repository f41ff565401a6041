// The exact decimal number inside a quantity.
//
// Upstream keeps an `int64Amount` (value and base-10 scale) and switches to `inf.Dec` when that
// overflows. We keep one normalized form instead — sign, magnitude and base-10 exponent, with the
// magnitude stripped of trailing zeros — so the derived `==` and `hash(into:)` are numeric
// equality, and the magnitude stays a single machine word (no allocation) for every quantity a
// real object carries.

extension Quantity {
    /// The magnitude of an amount: one word when it fits, otherwise an unbounded integer.
    enum Magnitude: Hashable, Sendable {
        case word(UInt64)
        /// Always larger than `UInt64.max`.
        case big(BigUInt)

        init(_ big: BigUInt) {
            if let w = big.word { self = .word(w) } else { self = .big(big) }
        }

        var bigUInt: BigUInt {
            switch self {
            case .word(let w): BigUInt(w)
            case .big(let b): b
            }
        }

        var isZero: Bool { if case .word(0) = self { true } else { false } }

        /// Bounds on the number of decimal digits (`lo...hi`) of a non-zero magnitude.
        var digitCountBounds: (lo: Int64, hi: Int64) {
            switch self {
            case .word(let w):
                var n: Int64 = 1
                while n < 20 && w >= Quantity.powersOfTen[Int(n)] { n += 1 }
                return (n, n)
            case .big(let b):
                // 10^(d-1) <= v < 2^bits; log10(2) is between 0.30102 and 0.30103.
                let bits = Int64(b.bitWidth)
                return ((bits - 1) * 30102 / 100_000 + 1, bits * 30103 / 100_000 + 1)
            }
        }

        static func compare(_ a: Magnitude, _ b: Magnitude) -> Int {
            switch (a, b) {
            case (.word(let x), .word(let y)): x == y ? 0 : (x < y ? -1 : 1)
            case (.word, .big): -1
            case (.big, .word): 1
            case (.big(let x), .big(let y)): BigUInt.compare(x, y)
            }
        }

        /// This magnitude times 10^count.
        func timesPowerOfTen(_ count: Int64) -> Magnitude {
            if count == 0 { return self }
            if case .word(let w) = self, count < 20 {
                let (product, overflow) = w.multipliedReportingOverflow(by: Quantity.powersOfTen[Int(count)])
                if !overflow { return .word(product) }
            }
            var big = bigUInt
            big.multiplyByPowerOfTen(Int(count))
            return Magnitude(big)
        }
    }

    /// An exact decimal: `(negative ? -1 : 1) × magnitude × 10^exponent`.
    ///
    /// Normalized: the magnitude has no factor of ten, and zero is `+0 × 10^0`.
    struct Amount: Hashable, Sendable {
        private(set) var negative: Bool
        private(set) var magnitude: Magnitude
        private(set) var exponent: Int64

        static let zero = Amount(normalized: false, .word(0), 0)

        private init(normalized negative: Bool, _ magnitude: Magnitude, _ exponent: Int64) {
            self.negative = negative
            self.magnitude = magnitude
            self.exponent = exponent
        }

        init(negative: Bool, magnitude: Magnitude, exponent: Int64) {
            switch magnitude {
            case .word(var w):
                guard w != 0 else { self = .zero; return }
                var e = exponent
                while w % 10 == 0 { w /= 10; e += 1 }
                self.init(normalized: negative, .word(w), e)
            case .big(var b):
                var e = exponent
                while b.remainder(dividingBy: Quantity.powersOfTen[19]) == 0 {
                    b.divide(by: Quantity.powersOfTen[19])
                    e += 19
                }
                while b.remainder(dividingBy: 10) == 0 {
                    b.divide(by: 10)
                    e += 1
                }
                self.init(normalized: negative, Magnitude(b), e)
            }
        }

        init(_ value: Int64, exponent: Int64 = 0) {
            self.init(negative: value < 0, magnitude: .word(value.magnitude), exponent: exponent)
        }

        var isZero: Bool { magnitude.isZero }
        var sign: Int { isZero ? 0 : (negative ? -1 : 1) }
        var negated: Amount { isZero ? self : Amount(normalized: !negative, magnitude, exponent) }

        /// Compares absolute values.
        static func compareMagnitudes(_ a: Amount, _ b: Amount) -> Int {
            if a.isZero || b.isZero { return a.isZero ? (b.isZero ? 0 : -1) : 1 }
            if a.exponent == b.exponent { return Magnitude.compare(a.magnitude, b.magnitude) }
            if case .word(let x) = a.magnitude, case .word(let y) = b.magnitude {
                // A word is below 10^20, so a gap of 20 or more decides; otherwise scale and compare.
                let gap = a.exponent > b.exponent ? a.exponent - b.exponent : b.exponent - a.exponent
                if gap >= 20 { return a.exponent > b.exponent ? 1 : -1 }
                let (scaled, overflow) = (a.exponent > b.exponent ? x : y)
                    .multipliedReportingOverflow(by: Quantity.powersOfTen[Int(gap)])
                let other = a.exponent > b.exponent ? y : x
                let sign = overflow || scaled > other ? 1 : (scaled == other ? 0 : -1)
                return a.exponent > b.exponent ? sign : -sign
            }
            // Settle by orders of magnitude first, so 1e2000000000 vs 1 never expands 2e9 digits.
            let (aLo, aHi) = a.magnitude.digitCountBounds
            let (bLo, bHi) = b.magnitude.digitCountBounds
            if aLo - 1 + a.exponent >= bHi + b.exponent { return 1 }
            if bLo - 1 + b.exponent >= aHi + a.exponent { return -1 }
            // Close in size, so the exponent gap is at most about the digit count: cheap to align.
            if a.exponent > b.exponent {
                return Magnitude.compare(a.magnitude.timesPowerOfTen(a.exponent - b.exponent), b.magnitude)
            }
            return Magnitude.compare(a.magnitude, b.magnitude.timesPowerOfTen(b.exponent - a.exponent))
        }

        static func compare(_ a: Amount, _ b: Amount) -> Int {
            if a.sign != b.sign { return a.sign < b.sign ? -1 : 1 }
            let m = compareMagnitudes(a, b)
            return a.negative ? -m : m
        }

        /// How many orders of magnitude apart two addends may be and still be added exactly.
        ///
        /// Aligning `1e2147483647` with `1` would need two billion digits (upstream's `inf.Dec`
        /// tries, and runs out of memory). Past this gap the smaller addend is below the larger
        /// one's ten-thousandth significant digit and is dropped, so arithmetic on absurd
        /// quantities stays cheap; any quantity a real object carries is far inside the limit.
        static let exactAdditionOrders: Int64 = 10_000

        static func + (a: Amount, b: Amount) -> Amount {
            if a.isZero { return b }
            if b.isZero { return a }
            let gap = a.exponent > b.exponent ? a.exponent - b.exponent : b.exponent - a.exponent
            if gap > exactAdditionOrders {
                // 10^(lo-1+e) <= |x| < 10^(hi+e)
                let (aLo, aHi) = a.magnitude.digitCountBounds
                let (bLo, bHi) = b.magnitude.digitCountBounds
                if (aLo - 1 + a.exponent) - (bHi + b.exponent) > exactAdditionOrders { return a }
                if (bLo - 1 + b.exponent) - (aHi + a.exponent) > exactAdditionOrders { return b }
                // Otherwise the addend with the lower exponent already has about `gap` digits,
                // so aligning costs no more than the operands' own size.
            }
            let e = min(a.exponent, b.exponent)
            let x = a.magnitude.timesPowerOfTen(a.exponent - e)
            let y = b.magnitude.timesPowerOfTen(b.exponent - e)
            if case .word(let xw) = x, case .word(let yw) = y {
                if a.negative == b.negative {
                    let (sum, overflow) = xw.addingReportingOverflow(yw)
                    if !overflow { return Amount(negative: a.negative, magnitude: .word(sum), exponent: e) }
                } else {
                    return xw >= yw
                        ? Amount(negative: a.negative, magnitude: .word(xw - yw), exponent: e)
                        : Amount(negative: b.negative, magnitude: .word(yw - xw), exponent: e)
                }
            }
            var xb = x.bigUInt
            if a.negative == b.negative {
                xb.add(y.bigUInt)
                return Amount(negative: a.negative, magnitude: Magnitude(xb), exponent: e)
            }
            let yb = y.bigUInt
            if BigUInt.compare(xb, yb) >= 0 {
                xb.subtract(yb)
                return Amount(negative: a.negative, magnitude: Magnitude(xb), exponent: e)
            }
            var diff = yb
            diff.subtract(xb)
            return Amount(negative: b.negative, magnitude: Magnitude(diff), exponent: e)
        }

        /// Rounds away from zero to a multiple of 10^target; `exact` is false if that changed the value.
        func roundedUp(toExponent target: Int64) -> (amount: Amount, exact: Bool) {
            guard !isZero, exponent < target else { return (self, true) }
            // The magnitude has no trailing zeros, so dropping any digit loses something.
            let drop = target - exponent
            let unit = Amount(normalized: negative, .word(1), target)
            if drop > magnitude.digitCountBounds.hi { return (unit, false) }
            if case .word(let w) = magnitude {
                // drop <= 20 here; the quotient is below 10^19, so adding one cannot overflow.
                let quotient = drop < 20 ? w / Quantity.powersOfTen[Int(drop)] : 0
                return (Amount(negative: negative, magnitude: .word(quotient + 1), exponent: target), false)
            }
            var big = magnitude.bigUInt
            var remaining = drop
            while remaining >= 19 {
                big.divide(by: Quantity.powersOfTen[19])
                remaining -= 19
            }
            if remaining > 0 { big.divide(by: Quantity.powersOfTen[Int(remaining)]) }
            big.multiply(by: 1, adding: 1)
            return (Amount(negative: negative, magnitude: Magnitude(big), exponent: target), false)
        }

        /// The value in units of 10^scale, rounded away from zero and saturated at the Int64 limits.
        func int64(atScale scale: Int64) -> (value: Int64, exact: Bool) {
            let (rounded, roundedExactly) = roundedUp(toExponent: scale)
            if rounded.isZero { return (0, true) }
            let shift = rounded.exponent - scale
            let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
            guard shift < 20, case .word(let w) = rounded.magnitude.timesPowerOfTen(shift), w <= limit else {
                return (negative ? .min : .max, false)
            }
            let value = negative ? (w == limit ? Int64.min : -Int64(w)) : Int64(w)
            return (value, roundedExactly)
        }
    }
}
