// The unbounded unsigned integer behind quantities that do not fit in 64 bits.
//
// Upstream falls back to `inf.Dec` (a `big.Int` and a scale) when a quantity outgrows an int64;
// this is the part of that we need: schoolbook arithmetic on 64-bit limbs, with only the
// operations a decimal quantity uses (scale by small factors, add, subtract, compare, divide by a
// word, print in base 10). Nested in `Quantity` so the name cannot collide with other code.

extension Quantity {
    /// An unsigned integer of any size, as little-endian 64-bit limbs with no high zero limb
    /// (so zero is the empty array and structural equality is numeric equality).
    struct BigUInt: Hashable, Sendable {
        private(set) var limbs: [UInt64]

        init(_ value: UInt64) { limbs = value == 0 ? [] : [value] }

        var isZero: Bool { limbs.isEmpty }

        /// The value, if it fits in one word.
        var word: UInt64? {
            switch limbs.count {
            case 0: 0
            case 1: limbs[0]
            default: nil
            }
        }

        /// Number of significant bits.
        var bitWidth: Int {
            guard let top = limbs.last else { return 0 }
            return limbs.count * 64 - top.leadingZeroBitCount
        }

        /// Number of trailing zero bits (the power of two dividing this value); 0 for zero.
        var trailingZeroBitCount: Int {
            for (i, limb) in limbs.enumerated() where limb != 0 {
                return i * 64 + limb.trailingZeroBitCount
            }
            return 0
        }

        private mutating func trim() {
            while let top = limbs.last, top == 0 { limbs.removeLast() }
        }

        /// `self = self * factor + addend`.
        mutating func multiply(by factor: UInt64, adding addend: UInt64 = 0) {
            guard factor != 0 else { self = BigUInt(addend); return }
            var carry = addend
            for i in limbs.indices {
                let (high, low) = limbs[i].multipliedFullWidth(by: factor)
                let (sum, overflow) = low.addingReportingOverflow(carry)
                limbs[i] = sum
                // high <= factor - 2 when factor > 1, so adding one cannot overflow.
                carry = high &+ (overflow ? 1 : 0)
            }
            if carry != 0 { limbs.append(carry) }
        }

        /// Multiplies by 10^count.
        mutating func multiplyByPowerOfTen(_ count: Int) {
            var remaining = count
            while remaining >= 19 {
                multiply(by: Quantity.powersOfTen[19])
                remaining -= 19
            }
            if remaining > 0 { multiply(by: Quantity.powersOfTen[remaining]) }
        }

        /// Divides in place and returns the remainder.
        @discardableResult
        mutating func divide(by divisor: UInt64) -> UInt64 {
            var remainder: UInt64 = 0
            for i in limbs.indices.reversed() {
                let (q, r) = divisor.dividingFullWidth((remainder, limbs[i]))
                limbs[i] = q
                remainder = r
            }
            trim()
            return remainder
        }

        /// The remainder of a division, without changing the value.
        func remainder(dividingBy divisor: UInt64) -> UInt64 {
            var remainder: UInt64 = 0
            for limb in limbs.reversed() {
                remainder = divisor.dividingFullWidth((remainder, limb)).remainder
            }
            return remainder
        }

        mutating func add(_ other: BigUInt) {
            if other.limbs.count > limbs.count {
                limbs.append(contentsOf: repeatElement(0, count: other.limbs.count - limbs.count))
            }
            var carry = false
            for i in limbs.indices {
                if i >= other.limbs.count && !carry { break }
                let rhs = i < other.limbs.count ? other.limbs[i] : 0
                let (s1, o1) = limbs[i].addingReportingOverflow(rhs)
                let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
                limbs[i] = s2
                carry = o1 || o2
            }
            if carry { limbs.append(1) }
        }

        /// Subtracts a value no larger than `self`.
        mutating func subtract(_ other: BigUInt) {
            var borrow = false
            for i in limbs.indices {
                if i >= other.limbs.count && !borrow { break }
                let rhs = i < other.limbs.count ? other.limbs[i] : 0
                let (d1, o1) = limbs[i].subtractingReportingOverflow(rhs)
                let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                limbs[i] = d2
                borrow = o1 || o2
            }
            precondition(!borrow, "BigUInt subtraction underflow")
            trim()
        }

        static func compare(_ a: BigUInt, _ b: BigUInt) -> Int {
            if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count ? -1 : 1 }
            for i in a.limbs.indices.reversed() where a.limbs[i] != b.limbs[i] {
                return a.limbs[i] < b.limbs[i] ? -1 : 1
            }
            return 0
        }

        /// Base-10 digits, most significant first, as ASCII; "0" for zero.
        func decimalDigits() -> [UInt8] {
            if let w = word { return Quantity.asciiDigits(w) }
            var chunks: [UInt64] = []
            var rest = self
            while !rest.isZero { chunks.append(rest.divide(by: Quantity.powersOfTen[19])) }
            var out = Quantity.asciiDigits(chunks.removeLast())
            out.reserveCapacity(out.count + chunks.count * 19)
            for chunk in chunks.reversed() {
                let digits = Quantity.asciiDigits(chunk)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 19 - digits.count))
                out.append(contentsOf: digits)
            }
            return out
        }
    }

    /// 10^0 through 10^19, every power of ten a UInt64 holds.
    static let powersOfTen: [UInt64] = {
        var table: [UInt64] = [1]
        for _ in 1...19 { table.append(table.last! &* 10) }
        return table
    }()

    /// The decimal digits of a word, as ASCII.
    static func asciiDigits(_ value: UInt64) -> [UInt8] {
        if value < 10 { return [UInt8(ascii: "0") + UInt8(value)] }
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var v = value
        while v > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        digits.reverse()
        return digits
    }
}
