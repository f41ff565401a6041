/// One term of a field selector: `field=value` or `field!=value` (upstream `fields.Requirement`).
public struct FieldRequirement: Sendable, Hashable, CustomStringConvertible {
    /// The comparison a field requirement makes. `==` parses to `equals`.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// The field's value equals `value` (a missing field has the value `""`).
        case equals = "="
        /// The field's value differs from `value`.
        case notEquals = "!="
    }

    /// The selectable field, e.g. `spec.nodeName`.
    public let field: String
    /// How the field's value is compared with `value`.
    public let `operator`: Operator
    /// The unescaped value to compare with.
    public let value: String

    /// Creates a requirement. Fields are not validated here; see `FieldSelector.validate(forKind:)`.
    public init(field: String, operator op: Operator, value: String) {
        self.field = field
        self.operator = op
        self.value = value
    }

    /// Whether `fields` satisfies this requirement; a field missing from `fields` counts as `""`.
    @inline(__always)
    public func matches(_ fields: [String: String]) -> Bool {
        matches(field: { fields[$0] })
    }

    /// Whether the fields reached through `lookup` satisfy this requirement; `nil` counts as `""`.
    @inline(__always)
    public func matches(field lookup: (String) -> String?) -> Bool {
        let actual = lookup(field)
        let equal = actual.map { $0 == value } ?? value.isEmpty
        return self.operator == .equals ? equal : !equal
    }

    /// `field=value` or `field!=value`, with the value escaped (`\`, `,`, `=`).
    public var description: String {
        field + self.operator.rawValue + FieldSelector.escapeValue(value)
    }
}

/// A compiled field selector: the AND of `field=value` / `field!=value` terms (upstream
/// `fields.Selector`). Matching does not allocate.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// The terms, in parse order (sorted by their text, as upstream sorts them).
    public let requirements: [FieldRequirement]

    /// A selector made of `requirements`, in the given order.
    public init(_ requirements: [FieldRequirement]) { self.requirements = requirements }

    /// A selector requiring every field of `set` to equal its value (upstream `SelectorFromSet`),
    /// sorted by field.
    public init(set: [String: String]) {
        requirements = set.keys.sorted { $0.bytewiseLess($1) }.map {
            FieldRequirement(field: $0, operator: .equals, value: set[$0]!)
        }
    }

    /// The selector that matches everything.
    public static let everything = FieldSelector([])

    /// A selector with the single term `field=value` (upstream `OneTermEqualSelector`).
    public static func oneTermEqual(_ field: String, _ value: String) -> FieldSelector {
        FieldSelector([FieldRequirement(field: field, operator: .equals, value: value)])
    }

    /// True when the selector does not restrict the selection.
    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether `fields` satisfies every term (a missing field counts as `""`). Does not allocate.
    public func matches(_ fields: [String: String]) -> Bool {
        for index in requirements.indices where !requirements[index].matches(fields) { return false }
        return true
    }

    /// Whether the fields reached through `lookup` satisfy every term; `nil` counts as `""`.
    public func matches(field lookup: (String) -> String?) -> Bool {
        for index in requirements.indices where !requirements[index].matches(field: lookup) { return false }
        return true
    }

    /// The value the selector requires `field` to have, if some `field=value` term pins it
    /// (upstream `RequiresExactMatch`); lets a store answer `spec.nodeName=n1` from an index.
    public func requiresExactMatch(_ field: String) -> String? {
        for requirement in requirements where requirement.field == field && requirement.operator == .equals {
            return requirement.value
        }
        return nil
    }

    /// The terms' descriptions joined by `,` (upstream `String()`).
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// Parses a field selector (upstream `fields.ParseSelector`): terms separated by unescaped
    /// commas, each `field=value`, `field==value` or `field!=value`, split at the first operator.
    /// In values, `\\`, `\,` and `\=` stand for `\`, `,` and `=`; any other escape, or a bare
    /// `,` or `=`, is an error. Empty terms are skipped, terms are sorted by their text, and a
    /// term with an empty field and an empty value is dropped. The empty string selects everything.
    public static func parse(_ selector: String) throws(SelectorError) -> FieldSelector {
        var terms = splitTerms(selector)
        terms.sort { $0.bytewiseLess($1) }
        var requirements: [FieldRequirement] = []
        for term in terms where !term.isEmpty {
            guard let (field, op, rawValue) = splitTerm(term) else {
                throw SelectorError("invalid selector: '\(selector)'; can't understand '\(term)'")
            }
            let value = try unescapeValue(rawValue)
            if field.isEmpty && value.isEmpty { continue }
            requirements.append(FieldRequirement(field: field, operator: op, value: value))
        }
        return FieldSelector(requirements)
    }

    /// Escapes `\`, `,` and `=` with a backslash, for use as a value in a field selector
    /// (upstream `fields.EscapeValue`).
    public static func escapeValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x2C || $0 == 0x3D }) else { return value }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 4)
        for b in value.utf8 {
            if b == 0x5C || b == 0x2C || b == 0x3D { bytes.append(0x5C) }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Undoes `escapeValue` (upstream `fields.UnescapeValue`).
    public static func unescapeValue(_ value: String) throws(SelectorError) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x2C || $0 == 0x3D }) else { return value }
        var out = String.UnicodeScalarView()
        var inSlash = false
        for scalar in value.unicodeScalars {
            if inSlash {
                switch scalar {
                case "\\", ",", "=":
                    out.append(scalar)
                default:
                    throw SelectorError("invalid field selector: invalid escape sequence: \\\(scalar)")
                }
                inSlash = false
                continue
            }
            switch scalar {
            case "\\": inSlash = true
            case ",", "=": throw SelectorError("invalid field selector: unescaped character in value: '\(scalar)'")
            default: out.append(scalar)
            }
        }
        if inSlash { throw SelectorError("invalid field selector: invalid escape sequence: \\") }
        return String(out)
    }

    /// Splits at commas not preceded by an escaping backslash; the backslashes stay.
    static func splitTerms(_ selector: String) -> [String] {
        if selector.isEmpty { return [] }
        let bytes = Array(selector.utf8)
        var terms: [String] = []
        var start = 0
        var inSlash = false
        for (i, b) in bytes.enumerated() {
            if inSlash {
                inSlash = false
            } else if b == 0x5C {
                inSlash = true
            } else if b == 0x2C {
                terms.append(String(decoding: bytes[start..<i], as: UTF8.self))
                start = i + 1
            }
        }
        terms.append(String(decoding: bytes[start...], as: UTF8.self))
        return terms
    }

    /// Splits a term at the first position where `!=`, `==` or `=` starts (tried in that order).
    static func splitTerm(_ term: String) -> (String, FieldRequirement.Operator, String)? {
        let bytes = Array(term.utf8)
        for i in bytes.indices {
            let rest = bytes[i...]
            let op: FieldRequirement.Operator
            let length: Int
            if rest.starts(with: [0x21, 0x3D]) {
                (op, length) = (.notEquals, 2)
            } else if rest.starts(with: [0x3D, 0x3D]) {
                (op, length) = (.equals, 2)
            } else if rest.first == 0x3D {
                (op, length) = (.equals, 1)
            } else {
                continue
            }
            return (
                String(decoding: bytes[..<i], as: UTF8.self), op,
                String(decoding: bytes[(i + length)...], as: UTF8.self)
            )
        }
        return nil
    }
}
