// Quantity arithmetic. All of it is exact: where upstream's int64 fast path would overflow it
// moves to `inf.Dec`, and so do we (to a `BigUInt` magnitude), so sums of quota across a cluster
// never wrap or saturate.
//
// Format follows upstream: a zero quantity takes the format of what is added to or subtracted
// from it (so `0 + 1Gi` prints `1Gi`); otherwise the receiver keeps its own.

extension Quantity {
    /// Adds `other` in place (upstream `Add`). A zero receiver adopts `other`'s format.
    public mutating func add(_ other: Quantity) {
        if amount.isZero { format = other.format }
        amount = amount + other.amount
    }

    /// Subtracts `other` in place (upstream `Sub`). A zero receiver adopts `other`'s format.
    public mutating func sub(_ other: Quantity) {
        if amount.isZero { format = other.format }
        amount = amount + other.amount.negated
    }

    /// Negates in place (upstream `Neg`).
    public mutating func negate() { amount = amount.negated }

    /// This quantity times an integer, exactly, in the receiver's format (upstream `Mul`, which
    /// instead reports whether the product still fits in an int64).
    public func multiplied(by factor: Int64) -> Quantity {
        guard factor != 0, !amount.isZero else { return Quantity(amount: .zero, format: format) }
        var big = amount.magnitude.bigUInt
        big.multiply(by: factor.magnitude)
        let product = Amount(
            negative: amount.negative != (factor < 0), magnitude: Magnitude(big), exponent: amount.exponent)
        return Quantity(amount: product, format: format)
    }

    /// Rounds away from zero to a multiple of 10^scale (upstream `RoundUp`; `scale` -3 keeps
    /// milli precision). Returns false if that changed the value. `scale` must fit in an Int32.
    @discardableResult
    public mutating func roundUp(scale: Int) -> Bool {
        precondition(Int32(exactly: scale) != nil, "Quantity scale \(scale) is out of range")
        let (rounded, exact) = amount.roundedUp(toExponent: Int64(scale))
        amount = rounded
        return exact
    }

    /// -1, 0 or 1 as this quantity is less than, equal to or greater than `other` (upstream `Cmp`).
    public func compare(to other: Quantity) -> Int { Amount.compare(amount, other.amount) }

    /// The sum, in the left operand's format (or the right's if the left is zero).
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        var result = lhs
        result.add(rhs)
        return result
    }

    /// The difference, in the left operand's format (or the right's if the left is zero).
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        var result = lhs
        result.sub(rhs)
        return result
    }

    /// The negation, in the same format.
    public static prefix func - (operand: Quantity) -> Quantity {
        var result = operand
        result.negate()
        return result
    }

    /// Adds in place; see ``add(_:)``.
    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs.add(rhs) }

    /// Subtracts in place; see ``sub(_:)``.
    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs.sub(rhs) }
}
