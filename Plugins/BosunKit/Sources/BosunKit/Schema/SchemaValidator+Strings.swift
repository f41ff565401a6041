// String keywords (maxLength, minLength, pattern: first failure only, lengths in Unicode
// scalars) and `enum`, whose matching follows Go's reflect rules: a value matches an enum member
// if it converts to the member's Go type and is then deeply equal (so 2.0 matches 2, 2.7 matches
// 2 after truncation, an integer matches the string of its code point, and nested numbers must
// have the same int64/float64 kind).

extension SchemaValidation {
    func checkString(_ s: SchemaNode, _ string: String) -> SchemaResult {
        guard s.maxLength != nil || s.minLength != nil || s.regex != nil else { return SchemaResult() }
        let quoted = { GoFormat.quoted(string) }
        if s.maxLength != nil || s.minLength != nil {
            let length = Int64(string.unicodeScalars.count)
            if let max = s.maxLength, length > max {
                let n = name
                return .failure(SchemaIssue(kind: .tooLong(max: max), path: fieldPath, value: quoted(),
                                            message: "\(n) in body should be at most \(max) chars long"))
            }
            if let min = s.minLength, length < min {
                let n = name
                return .failure(SchemaIssue(kind: .invalid, path: fieldPath, value: quoted(),
                                            message: "\(n) in body should be at least \(min) chars long"))
            }
        }
        switch s.regex {
        case .success(let regex)?:
            if !regex.matches(string) {
                let n = name
                return .failure(SchemaIssue(kind: .invalid, path: fieldPath, value: quoted(),
                                            message: "\(n) in body should match '\(s.pattern ?? "")'"))
            }
        case .failure(let error)?:
            let n = name
            return .failure(SchemaIssue(kind: .invalid, path: fieldPath, value: nil,
                                        message: "\(n) in body should match '\(s.pattern ?? ""), but pattern is invalid: \(error)'"))
        case nil: break
        }
        return SchemaResult()
    }

    func checkEnum(_ s: SchemaNode, _ data: JSONValue) -> SchemaResult {
        guard !s.enumValues.isEmpty else { return SchemaResult() }
        for member in s.enumValues where Self.enumMatches(data, member) { return SchemaResult() }
        let n = name
        let supported = s.enumValues.map { member -> String in
            if case .string(let string) = member { return string }
            return GoRender.json(member)
        }
        return .failure(SchemaIssue(kind: .notSupported(supported), path: fieldPath, value: GoRender.badValue(data),
                                    message: "\(n) in body should be one of \(GoRender.plainV(.array(s.enumValues)))"))
    }

    /// `reflect.ValueOf(data).Convert(typeOf(member))` then `reflect.DeepEqual`.
    static func enumMatches(_ data: JSONValue, _ member: JSONValue) -> Bool {
        switch (data, member) {
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(.int(let a)), .number(.int(let b))): return a == b
        case (.number(.int(let a)), .number(.double(let b))): return Double(a) == b
        case (.number(.double(let a)), .number(.double(let b))): return a == b
        case (.number(.double(let a)), .number(.int(let b))): return GoRender.int64(truncating: a) == b
        case (.number(.int(let a)), .string(let b)): return GoRender.runeString(a).utf8.elementsEqual(b.utf8)
        case (.object, .object), (.array, .array): return deepEqual(data, member)
        default: return false  // null data, null members and unconvertible kinds never match
        }
    }

    /// `reflect.DeepEqual` of decoded JSON: int64 and float64 differ, strings compare by bytes.
    static func deepEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(.int(let x)), .number(.int(let y))): return x == y
        case (.number(.double(let x)), .number(.double(let y))): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for member in x.members {
                guard let other = y.members.first(where: { $0.key.utf8.elementsEqual(member.key.utf8) }),
                      deepEqual(member.value, other.value) else { return false }
            }
            return true
        default: return false
        }
    }
}
