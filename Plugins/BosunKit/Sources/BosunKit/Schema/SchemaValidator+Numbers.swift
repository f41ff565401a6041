// Numeric keywords (multipleOf, minimum, maximum and their exclusive forms) as kube-openapi's
// `numberValidator` applies them: integers (int64) are checked against the bounds truncated to
// int64, floats against the float64 bounds, and messages print bounds with Go's `%v`.

extension SchemaValidation {
    /// swag's `IsFloat64AJSONInteger`: an integral float64 in ±(2^53-1), with a relative
    /// tolerance of 1e-9 for positive values.
    static func isJSONInteger(_ f: Double) -> Bool {
        guard f.isFinite, f >= -9_007_199_254_740_991, f <= 9_007_199_254_740_991 else { return false }
        let truncated = f.rounded(.towardZero)
        if f == truncated { return true }
        // Go computes float64(uint64(f)), which is huge for negative f: never "close".
        guard f > 0, truncated != 0 else { return false }
        return (f - truncated) / (f + truncated) < 1e-9
    }

    func checkNumber(_ s: SchemaNode, _ number: JSONNumber) -> SchemaResult {
        var result = SchemaResult(matchCount: 1)
        guard s.multipleOf != nil || s.minimum != nil || s.maximum != nil else { return result }
        func issue(_ message: String, _ badValue: String? = nil) -> SchemaIssue {
            SchemaIssue(kind: .invalid, path: fieldPath, value: badValue ?? GoRender.number(number), message: message)
        }
        var n: String { name }

        if let factor = s.multipleOf {
            switch number {
            case .int(let i) where GoRender.int64(truncating: factor) != 0:
                let intFactor = GoRender.int64(truncating: factor)
                if intFactor < 0 {
                    result.add(issue("factor MultipleOf declared for \(n) must be positive: \(intFactor)", String(intFactor)))
                } else if i.remainderReportingOverflow(dividingBy: intFactor).partialValue != 0 {
                    result.add(issue("\(n) in body should be a multiple of \(intFactor)"))
                }
            default:
                let d = number.doubleValue
                if factor < 0 {
                    result.add(issue("factor MultipleOf declared for \(n) must be positive: \(GoRender.float(factor))",
                                     GoRender.float(factor)))
                } else if !Self.isJSONInteger(factor < 1 ? 1 / factor * d : d / factor) {
                    result.add(issue("\(n) in body should be a multiple of \(GoRender.float(factor))"))
                }
            }
        }

        if let minimum = s.minimum {
            let exclusive = s.exclusiveMinimum
            let below: Bool, bound: String
            switch number {
            case .int(let i):
                let m = GoRender.int64(truncating: minimum)
                below = exclusive ? i <= m : i < m
                bound = String(m)
            case .double(let d):
                below = exclusive ? d <= minimum : d < minimum
                bound = GoRender.float(minimum)
            }
            if below {
                result.add(issue("\(n) in body should be greater than \(exclusive ? "" : "or equal to ")\(bound)"))
            }
        }

        if let maximum = s.maximum {
            let exclusive = s.exclusiveMaximum
            let above: Bool, bound: String
            switch number {
            case .int(let i):
                let m = GoRender.int64(truncating: maximum)
                above = exclusive ? i >= m : i > m
                bound = String(m)
            case .double(let d):
                above = exclusive ? d >= maximum : d > maximum
                bound = GoRender.float(maximum)
            }
            if above {
                result.add(issue("\(n) in body should be less than \(exclusive ? "" : "or equal to ")\(bound)"))
            }
        }
        return result
    }
}
