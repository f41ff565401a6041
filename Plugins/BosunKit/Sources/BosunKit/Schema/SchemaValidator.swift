// Validation of a custom resource against its compiled schema, keyword for keyword as
// kube-openapi's `validate.SchemaValidator` does for kube-apiserver: the same validator order
// (type, allOf/anyOf/oneOf/not, string, format, number, array, enum, object), the same "match
// count" bookkeeping that picks which failed anyOf/oneOf branch's errors are reported, the same
// error de-duplication by message, and the same translation into field errors
// (`kubeOpenAPIResultToFieldErrors`).

/// One kube-openapi validation error, before it becomes a ``FieldError``.
struct SchemaIssue {
    enum Kind {
        case typeInvalid
        case required
        case notSupported([String])
        case tooLong(max: Int64)
        case tooMany(actual: Int64, max: Int64)
        case invalid
        /// anyOf/oneOf/allOf/not failures: plain errors without a field (`: Invalid value: ""`).
        case composite
    }

    var kind: Kind
    /// The field: Go's dotted name (`spec.ports[0].name`) split into components.
    var path: FieldPath
    /// The bad value as `field.Error` prints it; `nil` prints `""`.
    var value: String?
    /// kube-openapi's message, also the de-duplication key.
    var message: String

    var fieldError: FieldError {
        let rendered = value ?? "\"\""
        switch kind {
        case .typeInvalid: return FieldError(.typeInvalid, path, value: rendered, message)
        case .required: return FieldError(.required, path)
        case .notSupported(let values):
            let detail = values.isEmpty ? "" : "supported values: " + values.map(GoFormat.quoted).joined(separator: ", ")
            return FieldError(.notSupported, path, value: rendered, detail)
        case .tooLong(let max):
            let detail = max < 0 ? "value is too long" : "may not be more than \(max) \(max == 1 ? "byte" : "bytes")"
            return FieldError(.tooLong, path, value: rendered, detail)
        case .tooMany(let actual, let max):
            return FieldError(.tooMany, path, value: String(actual), "must have at most \(max) items")
        case .invalid, .composite: return FieldError(.invalid, path, value: rendered, message)
        }
    }
}

/// kube-openapi's `Result`: errors (unique by message) and the match count.
struct SchemaResult {
    var issues: [SchemaIssue] = []
    var matchCount = 0

    var isValid: Bool { issues.isEmpty }

    mutating func add(_ issue: SchemaIssue) {
        if !issues.contains(where: { $0.message == issue.message }) { issues.append(issue) }
    }

    mutating func merge(_ other: SchemaResult) {
        for issue in other.issues { add(issue) }
        matchCount += other.matchCount
    }

    /// `errorHelp.sErr`: a result holding one error and no matches.
    static func failure(_ issue: SchemaIssue) -> SchemaResult { SchemaResult(issues: [issue]) }
}

/// A step of the path being validated; the Go name is built only when an error needs it.
enum SchemaPathStep {
    /// A declared property: `spec` at the root, `.name` below.
    case property(String)
    /// An unknown key or a required key: always `.key`, even at the root.
    case key(String)
    case index(Int)
}

struct SchemaValidation {
    var path: [SchemaPathStep] = []

    init() { path.reserveCapacity(16) }

    /// The current path as kube-openapi spells it.
    var name: String {
        var s = ""
        for step in path {
            switch step {
            case .property(let p): s = s.isEmpty ? p : s + "." + p
            case .key(let k): s += "." + k
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }

    func name(plus key: String) -> String { name + "." + key }

    /// The current path as a ``FieldPath`` (what upstream gets by splitting the Go name).
    var fieldPath: FieldPath {
        FieldPath(path.map { step -> FieldPath.Component in
            switch step {
            case .property(let p): .field(p)
            case .key(let k): .field(k)
            case .index(let i): .index(i)
            }
        })
    }

    func fieldPath(plus key: String) -> FieldPath { fieldPath.appending(.field(key)) }

    mutating func validate(_ s: SchemaNode, _ data: JSONValue) -> SchemaResult {
        var result = SchemaResult()
        if case .null = data {
            result.merge(checkType(s, data))
            result.merge(checkEnum(s, data))
            return result
        }
        if !s.types.isEmpty || !s.format.isEmpty {
            result.merge(checkType(s, data))
            result.matchCount += 1
        }
        result.merge(checkComposition(s, data))
        result.matchCount += 1
        switch data {
        case .string(let string):
            result.merge(checkString(s, string))
            result.matchCount += 1
            if let check = s.formatCheck {
                if !check(string) {
                    let n = name
                    result.merge(.failure(SchemaIssue(kind: .typeInvalid, path: fieldPath, value: GoFormat.quoted(string),
                                                      message: "\(n) in body must be of type \(s.format): \(GoFormat.quoted(string))")))
                }
                result.matchCount += 1
            }
        case .number(let number):
            result.merge(checkNumber(s, number))
            result.matchCount += 1
        case .array(let items):
            result.merge(checkArray(s, items))
            result.matchCount += 1
        default: break
        }
        result.merge(checkEnum(s, data))
        result.matchCount += 1
        if case .object(let object) = data {
            result.merge(checkObject(s, object))
            result.matchCount += 1
        }
        result.matchCount += 1
        return result
    }

    // MARK: type

    func typeIssue(_ typeName: String, _ found: String) -> SchemaResult {
        let n = name
        return .failure(SchemaIssue(kind: .typeInvalid, path: fieldPath, value: GoFormat.quoted(found),
                                    message: "\(n) in body must be of type \(typeName): \(GoFormat.quoted(found))"))
    }

    func checkType(_ s: SchemaNode, _ data: JSONValue) -> SchemaResult {
        let valid = SchemaResult(matchCount: 1)
        let found: String, foundFormat: String
        var isFloatInt = false
        switch data {
        case .null:
            if !s.types.isEmpty && !s.nullable { return typeIssue(s.types.joined(separator: ","), "null") }
            return valid
        case .bool: (found, foundFormat) = ("boolean", "")
        case .string: (found, foundFormat) = ("string", "")
        case .number(.int): (found, foundFormat) = ("integer", "int64")
        case .number(.double(let d)):
            (found, foundFormat) = ("number", "float64")
            isFloatInt = Self.isJSONInteger(d) && s.types.contains("integer")
        case .array: (found, foundFormat) = ("array", "")
        case .object: (found, foundFormat) = ("object", "")
        }
        let isIntFloat = found == "integer" && s.types.contains("number")
        let stringOrArray = found == "string" || found == "array"
        if !stringOrArray && !s.format.isEmpty
            && !(s.types.contains(found) || foundFormat == s.format || isFloatInt || isIntFloat) {
            return typeIssue(s.format, foundFormat)
        }
        if !(s.types.contains("number") || s.types.contains("integer")) && !s.format.isEmpty && stringOrArray {
            return valid
        }
        if !(s.types.contains(found) || isFloatInt || isIntFloat) {
            return typeIssue(s.types.joined(separator: ","), found)
        }
        return valid
    }

    // MARK: allOf / anyOf / oneOf / not

    mutating func checkComposition(_ s: SchemaNode, _ data: JSONValue) -> SchemaResult {
        var main = SchemaResult()
        func quotedName() -> String { GoFormat.quoted(name) }
        func composite(_ message: String) -> SchemaIssue { SchemaIssue(kind: .composite, path: .root, message: message) }
        if !s.anyOf.isEmpty {
            var best: SchemaResult? = nil, firstSuccess: SchemaResult? = nil
            for sub in s.anyOf {
                let result = validate(sub, data)
                if result.isValid {
                    best = nil
                    firstSuccess = result
                    break
                }
                if best == nil || result.matchCount > best!.matchCount { best = result }
            }
            if firstSuccess == nil { main.add(composite("\(quotedName()) must validate at least one schema (anyOf)")) }
            if let chosen = best ?? firstSuccess { main.merge(chosen) }
        }
        if !s.oneOf.isEmpty {
            var best: SchemaResult? = nil, firstSuccess: SchemaResult? = nil
            var validated = 0
            for sub in s.oneOf {
                let result = validate(sub, data)
                if result.isValid {
                    validated += 1
                    best = nil
                    if firstSuccess == nil { firstSuccess = result }
                    continue
                }
                if validated == 0 && (best == nil || result.matchCount > best!.matchCount) { best = result }
            }
            if validated != 1 {
                let detail = validated == 0 ? "Found none valid" : "Found \(validated) valid alternatives"
                main.add(composite("\(quotedName()) must validate one and only one schema (oneOf). \(detail)"))
                if let best { main.merge(best) }
            } else if let firstSuccess {
                main.merge(firstSuccess)
            }
        }
        if !s.allOf.isEmpty {
            var validated = 0
            for sub in s.allOf {
                let result = validate(sub, data)
                if result.isValid { validated += 1 }
                main.merge(result)
            }
            if validated != s.allOf.count {
                main.add(composite("\(quotedName()) must validate all the schemas (allOf)\(validated == 0 ? ". None validated" : "")"))
            }
        }
        if let not = s.not, validate(not, data).isValid {
            main.add(composite("\(quotedName()) must not validate the schema (not)"))
        }
        main.matchCount += 1
        return main
    }
}
