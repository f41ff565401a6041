/// A decoding failure, with the path of the field that failed (`spec.template.spec.containers[0].ports`).
public struct JSONDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path components from the root; keys as written, array positions as `[i]`.
    public private(set) var path: [PathComponent]
    public var message: String

    public enum PathComponent: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    public init(_ message: String, path: [PathComponent] = []) {
        self.message = message
        self.path = path
    }

    /// A type mismatch in Go's words: `expected integer, got string "x"`.
    public static func typeMismatch(expected: String, got value: JSONValue) -> JSONDecodingError {
        JSONDecodingError("expected \(expected), got \(value.shortDescription)")
    }

    /// The same error, one level further from the root.
    public func prefixed(_ component: PathComponent) -> JSONDecodingError {
        var copy = self
        copy.path.insert(component, at: 0)
        return copy
    }

    /// The dotted field path, e.g. `spec.containers[0].name`.
    public var fieldPath: String { FieldPathFormatting.format(path) }

    public var description: String {
        path.isEmpty ? message : "\(fieldPath): \(message)"
    }
}

enum FieldPathFormatting {
    static func format(_ path: [JSONDecodingError.PathComponent]) -> String {
        var out = ""
        for c in path {
            switch c {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i):
                out += "[\(i)]"
            }
        }
        return out
    }
}

extension JSONValue {
    /// A short rendering for error messages: type and, for scalars, the value.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "boolean \(b)"
        case .number: return "number \(description)"
        case .string(let s):
            let clipped = s.count > 40 ? String(s.prefix(40)) + "…" : s
            return "string \"\(clipped)\""
        case .array: return "array"
        case .object: return "object"
        }
    }
}
