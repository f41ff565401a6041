// Object and array keywords: min/maxProperties (which stop further checks, as upstream),
// properties, additionalProperties (schema or `false`), required, items, min/maxItems and
// uniqueItems.

extension SchemaValidation {
    // MARK: object

    mutating func checkObject(_ s: SchemaNode, _ object: JSONObject) -> SchemaResult {
        let count = Int64(object.count)
        if let min = s.minProperties, count < min {
            let n = name
            return .failure(SchemaIssue(kind: .invalid, path: fieldPath, value: String(count),
                                        message: "\(n) in body should have at least \(min) properties"))
        }
        if let max = s.maxProperties, count > max {
            let n = name
            return .failure(SchemaIssue(kind: .tooMany(actual: count, max: max), path: fieldPath, value: String(count),
                                        message: "\(n) in body should have at most \(max) properties"))
        }
        var result = SchemaResult()
        for member in object.members {
            if let property = s.properties[member.key] {
                path.append(.property(member.key))
                result.merge(validate(property, member.value))
                path.removeLast()
                continue
            }
            switch s.additional {
            case .allows(false):
                let n = name
                result.add(SchemaIssue(kind: .invalid, path: fieldPath, value: GoFormat.quoted(member.key),
                                       message: "\(n).\(member.key) in body is a forbidden property"))
            case .schema(let additional):
                path.append(.key(member.key))
                result.merge(validate(additional, member.value))
                path.removeLast()
            default: break
            }
        }
        for key in s.required where object[key] == nil {
            let n = name(plus: key)
            result.add(SchemaIssue(kind: .required, path: fieldPath(plus: key), message: "\(n) in body is required"))
        }
        return result
    }

    // MARK: array

    mutating func checkArray(_ s: SchemaNode, _ items: [JSONValue]) -> SchemaResult {
        var result = SchemaResult()
        if let itemSchema = s.items {
            for (index, item) in items.enumerated() {
                path.append(.index(index))
                result.merge(validate(itemSchema, item))
                path.removeLast()
            }
        }
        let count = Int64(items.count)
        if let min = s.minItems, count < min {
            let n = name
            result.add(SchemaIssue(kind: .invalid, path: fieldPath, value: String(count),
                                   message: "\(n) in body should have at least \(min) items"))
        }
        if let max = s.maxItems, count > max {
            let n = name
            result.add(SchemaIssue(kind: .tooMany(actual: count, max: max), path: fieldPath, value: String(count),
                                   message: "\(n) in body should have at most \(max) items"))
        }
        if s.uniqueItems {
            var duplicate = false
            outer: for i in items.indices {
                for j in 0..<i where Self.deepEqual(items[i], items[j]) {
                    duplicate = true
                    break outer
                }
            }
            if duplicate {
                let n = name
                result.add(SchemaIssue(kind: .invalid, path: fieldPath, message: "\(n) in body shouldn't contain duplicates"))
            }
        }
        result.matchCount += 1
        return result
    }
}
