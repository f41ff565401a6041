/// A JSON number. Integers that fit in 64 bits stay exact; everything else is a `Double`.
public enum JSONNumber: Sendable {
    case int(Int64)
    case double(Double)

    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return Int64(d)
        }
    }

    public var doubleValue: Double {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        }
    }
}

extension JSONNumber: Hashable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): a == b
        default: lhs.doubleValue == rhs.doubleValue
        }
    }

    public func hash(into hasher: inout Hasher) {
        // Equal numbers must hash alike whichever case holds them.
        if let i = int64Value { hasher.combine(i) } else { hasher.combine(doubleValue) }
    }
}
