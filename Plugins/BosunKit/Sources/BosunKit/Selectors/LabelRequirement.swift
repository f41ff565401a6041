/// One term of a label selector: a key, an operator and the values it relates them to
/// (upstream `labels.Requirement`). A selector is the AND of its requirements.
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    /// How a requirement relates a label's value to its own values (upstream `selection.Operator`;
    /// the raw values are upstream's strings).
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// `key=value`: the label exists and equals the single value.
        case equals = "="
        /// `key==value`: the same as `equals`, written with two equals signs.
        case doubleEquals = "=="
        /// `key!=value`: the label is missing or differs from the single value.
        case notEquals = "!="
        /// `key in (a,b)`: the label exists and is one of the values.
        case `in` = "in"
        /// `key notin (a,b)`: the label is missing or is none of the values.
        case notIn = "notin"
        /// `key`: the label exists, with any value.
        case exists = "exists"
        /// `!key`: the label does not exist.
        case doesNotExist = "!"
        /// `key>n`: the label exists, parses as an integer, and is greater than the single value.
        case gt = "gt"
        /// `key<n`: the label exists, parses as an integer, and is less than the single value.
        case lt = "lt"
    }

    /// The label key the requirement tests.
    public let key: String
    /// How the label's value is compared with `values`.
    public let `operator`: Operator
    /// The values, in the order given (the parser sorts and deduplicates them, as upstream does).
    public let values: [String]
    /// For `gt`/`lt`, the parsed integer bound; `nil` when it does not parse (the requirement then
    /// matches nothing, as upstream).
    let bound: Int64?

    /// Creates a validated requirement, with the rules of upstream `labels.NewRequirement`:
    /// the key must be a qualified name, every value a valid label value, `in`/`notin` need at
    /// least one value, `=`/`==`/`!=` exactly one, `exists`/`!` none, and `gt`/`lt` exactly one
    /// integer. All violations are reported together.
    public init(key: String, operator op: Operator, values: [String]) throws(SelectorError) {
        if let message = Self.validationMessage(key: key, operator: op, values: values) {
            throw SelectorError(message)
        }
        self.init(unchecked: key, operator: op, values: values)
    }

    /// Creates a requirement without validating it (upstream builds such requirements for
    /// `SelectorFromValidatedSet`).
    init(unchecked key: String, operator op: Operator, values: [String]) {
        self.key = key
        self.operator = op
        self.values = values
        if (op == .gt || op == .lt) && values.count == 1 {
            bound = SelectorValidation.parseInt64(values[0])
        } else {
            bound = nil
        }
    }

    static func validationMessage(key: String, operator op: Operator, values: [String]) -> String? {
        typealias V = SelectorValidation
        var errors: [String] = []
        let keyErrors = V.labelKeyErrors(key)
        if !keyErrors.isEmpty { errors.append(V.invalid("key", key, keyErrors.joined(separator: "; "))) }
        switch op {
        case .in, .notIn:
            if values.isEmpty {
                errors.append(V.invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"))
            }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 {
                errors.append(V.invalid("values", values, "exact-match compatibility requires one single value"))
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                errors.append(V.invalid("values", values, "values set must be empty for exists and does not exist"))
            }
        case .gt, .lt:
            if values.count != 1 {
                errors.append(V.invalid("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"))
            }
            for (i, value) in values.enumerated() where V.parseInt64(value) == nil {
                errors.append(
                    V.invalid("values[\(i)]", value, "for 'Gt', 'Lt' operators, the value must be an integer"))
            }
        }
        for (i, value) in values.enumerated() {
            let valueErrors = V.labelValueErrors(value)
            if !valueErrors.isEmpty {
                errors.append(V.invalid("values[\(i)][\(key)]", value, valueErrors.joined(separator: "; ")))
            }
        }
        return V.aggregate(errors)
    }

    /// Whether `labels` satisfies this requirement. Does not allocate.
    @inline(__always)
    public func matches(_ labels: [String: String]) -> Bool {
        matches(label: { labels[$0] })
    }

    /// Whether the labels reached through `lookup` satisfy this requirement. `lookup` returns the
    /// value of a label key, or `nil` when the label is absent.
    @inline(__always)
    public func matches(label lookup: (String) -> String?) -> Bool {
        switch self.operator {
        case .in, .equals, .doubleEquals:
            guard let value = lookup(key) else { return false }
            return hasValue(value)
        case .notIn, .notEquals:
            guard let value = lookup(key) else { return true }
            return !hasValue(value)
        case .exists:
            return lookup(key) != nil
        case .doesNotExist:
            return lookup(key) == nil
        case .gt, .lt:
            guard let bound, let value = lookup(key), let number = SelectorValidation.parseInt64(value) else {
                return false
            }
            return self.operator == .gt ? number > bound : number < bound
        }
    }

    @inline(__always)
    private func hasValue(_ value: String) -> Bool {
        for candidate in values where candidate == value { return true }
        return false
    }

    /// The canonical text of the requirement (upstream `Requirement.String()`): `!key`, `key`,
    /// `key=v`, `key==v`, `key!=v`, `key>n`, `key<n`, `key in (a,b)`, `key notin (a,b)`, with
    /// several values printed sorted.
    public var description: String {
        var text = self.operator == .doesNotExist ? "!" + key : key
        switch self.operator {
        case .exists, .doesNotExist: return text
        case .equals: text += "="
        case .doubleEquals: text += "=="
        case .notEquals: text += "!="
        case .in: text += " in ("
        case .notIn: text += " notin ("
        case .gt: text += ">"
        case .lt: text += "<"
        }
        if values.count == 1 {
            text += values[0]
        } else {
            text += values.sorted { $0.bytewiseLess($1) }.joined(separator: ",")
        }
        if self.operator == .in || self.operator == .notIn { text += ")" }
        return text
    }
}
