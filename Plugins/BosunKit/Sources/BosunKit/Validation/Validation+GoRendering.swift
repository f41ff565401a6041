// Kubernetes prints a structured bad value with Go's `%#v`. These helpers render the few
// structured values that built-in validation reports, byte for byte as Go would (map keys
// sorted, nil collections as `T(nil)`).

extension FieldError {
    /// An `Invalid value` error whose value is already rendered (e.g. in Go `%#v` syntax).
    static func invalid(_ field: FieldPath, rendered: String, _ detail: String) -> FieldError {
        FieldError(.invalid, field, value: rendered, detail)
    }

    /// `Invalid value: <new>: field is immutable`.
    static func immutable(_ field: FieldPath, rendered: String) -> FieldError {
        FieldError(.invalid, field, value: rendered, "field is immutable")
    }
}

/// Go `%#v` renderings of the structured values that appear in built-in error messages.
enum GoSyntax {
    static func quote(_ s: String) -> String { s.fieldErrorRendering }

    /// `map[string]string{"a":"b", "c":"d"}`, or `map[string]string(nil)`.
    static func stringMap(_ map: [String: String]?) -> String {
        guard let map else { return "map[string]string(nil)" }
        let body = map.keys.sorted(by: bytewise).map { quote($0) + ":" + quote(map[$0]!) }.joined(separator: ", ")
        return "map[string]string{" + body + "}"
    }

    /// `[]string{"a", "b"}`, or `[]string(nil)`.
    static func stringSlice(_ values: [String]?) -> String {
        guard let values else { return "[]string(nil)" }
        return "[]string{" + values.map(quote).joined(separator: ", ") + "}"
    }

    /// `intstr.IntOrString{Type:0, IntVal:1, StrVal:""}`.
    static func intOrString(_ value: IntOrString?) -> String {
        switch value {
        case .int(let i)?: return "intstr.IntOrString{Type:0, IntVal:\(i), StrVal:\"\"}"
        case .string(let s)?: return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + quote(s) + "}"
        case nil: return "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}"
        }
    }

    /// `v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
    static func labelSelector(_ selector: LabelSelector?) -> String {
        guard let selector else { return "null" }
        let expressions: String
        if let list = selector.matchExpressions {
            expressions = "[]v1.LabelSelectorRequirement{" + list.map { r in
                "v1.LabelSelectorRequirement{Key:" + quote(r.key) + ", Operator:" + quote(r.operator)
                    + ", Values:" + stringSlice(r.values) + "}"
            }.joined(separator: ", ") + "}"
        } else {
            expressions = "[]v1.LabelSelectorRequirement(nil)"
        }
        return "v1.LabelSelector{MatchLabels:" + stringMap(selector.matchLabels) + ", MatchExpressions:" + expressions + "}"
    }

    static func optionalInt<T: BinaryInteger>(_ value: T?) -> String {
        value.map { String($0) } ?? "null"
    }

    static func bytewise(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
