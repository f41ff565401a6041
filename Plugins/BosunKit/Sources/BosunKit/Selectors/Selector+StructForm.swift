extension Selector {
    /// Compiles the struct form of a label selector (upstream `metav1.LabelSelectorAsSelector`),
    /// given its fields: `matchLabels` become `key=value` requirements, `matchExpressions` use the
    /// operators `In`, `NotIn` (which need values) and `Exists`, `DoesNotExist` (which forbid
    /// them). Keys and values are validated as in `LabelRequirement.init`.
    ///
    /// A selector with neither labels nor expressions selects everything. A *missing* selector
    /// (`nil` `LabelSelector`) selects nothing; callers map it to `Selector.nothing` themselves.
    ///
    /// An unknown operator is an error: `"Foo" is not a valid label selector operator`.
    public init(
        matchLabels: [String: String]?,
        matchExpressions: [(key: String, operator: String, values: [String])]?
    ) throws(SelectorError) {
        let labels = matchLabels ?? [:]
        let expressions = matchExpressions ?? []
        if labels.isEmpty && expressions.isEmpty {
            self = .everything
            return
        }
        var requirements: [LabelRequirement] = []
        requirements.reserveCapacity(labels.count + expressions.count)
        // Sorted so that the first error reported is deterministic (upstream walks a Go map).
        for key in labels.keys.sorted(by: { $0.bytewiseLess($1) }) {
            requirements.append(try LabelRequirement(key: key, operator: .equals, values: [labels[key]!]))
        }
        for expression in expressions {
            let op: LabelRequirement.Operator
            switch expression.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw SelectorError(
                    SelectorValidation.goQuoted(expression.operator) + " is not a valid label selector operator")
            }
            requirements.append(try LabelRequirement(key: expression.key, operator: op, values: expression.values))
        }
        self.init(requirements)
    }
}
