/// One problem with one field, in Kubernetes' form:
/// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
///
/// Validators return every problem they find (``FieldErrorList``), never only the first.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case `internal` = "InternalError"
        case typeInvalid = "FieldValueTypeInvalid"

        /// The words Kubernetes prints for this kind.
        public var phrase: String {
            switch self {
            case .notFound: "Not found"
            case .required: "Required value"
            case .duplicate: "Duplicate value"
            case .invalid: "Invalid value"
            case .notSupported: "Unsupported value"
            case .forbidden: "Forbidden"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .internal: "Internal error"
            case .typeInvalid: "Invalid value"
            }
        }
    }

    public var kind: Kind
    public var field: FieldPath
    /// The offending value, already rendered as Kubernetes renders it (strings quoted), or `nil`
    /// when the message carries no value (Required, Forbidden, ...).
    public var badValue: String?
    public var detail: String

    public init(_ kind: Kind, _ field: FieldPath, value: String? = nil, _ detail: String = "") {
        self.kind = kind
        self.field = field
        self.badValue = value
        self.detail = detail
    }

    public static func required(_ field: FieldPath, _ detail: String = "") -> FieldError {
        FieldError(.required, field, detail)
    }

    public static func forbidden(_ field: FieldPath, _ detail: String) -> FieldError {
        FieldError(.forbidden, field, detail)
    }

    public static func invalid(_ field: FieldPath, _ value: some FieldErrorValue, _ detail: String) -> FieldError {
        FieldError(.invalid, field, value: value.fieldErrorRendering, detail)
    }

    public static func duplicate(_ field: FieldPath, _ value: some FieldErrorValue) -> FieldError {
        FieldError(.duplicate, field, value: value.fieldErrorRendering)
    }

    public static func notFound(_ field: FieldPath, _ value: some FieldErrorValue) -> FieldError {
        FieldError(.notFound, field, value: value.fieldErrorRendering)
    }

    public static func tooLong(_ field: FieldPath, maxLength: Int) -> FieldError {
        FieldError(.tooLong, field, "may not be more than \(maxLength) bytes")
    }

    public static func tooMany(_ field: FieldPath, actual: Int, max: Int) -> FieldError {
        FieldError(.tooMany, field, value: String(actual), "must have at most \(max) items")
    }

    /// `Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`.
    public static func notSupported(_ field: FieldPath, _ value: some FieldErrorValue, supported: [String]) -> FieldError {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return FieldError(.notSupported, field, value: value.fieldErrorRendering, "supported values: \(list)")
    }

    /// Kubernetes' message body without the field: `Invalid value: -1: must be ...`.
    public var body: String {
        var s = kind.phrase
        switch kind {
        case .required, .forbidden, .tooLong, .internal: break
        default: if let badValue { s += ": " + badValue }
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    public var description: String { "\(field): \(body)" }
}

/// A value as it appears in a field error: strings quoted, numbers and booleans plain.
public protocol FieldErrorValue {
    var fieldErrorRendering: String { get }
}

extension String: FieldErrorValue {
    /// Go's `%q`, as field.Error prints string values.
    public var fieldErrorRendering: String { GoFormat.quoted(self) }
}

extension Int32: FieldErrorValue { public var fieldErrorRendering: String { String(self) } }
extension Int64: FieldErrorValue { public var fieldErrorRendering: String { String(self) } }
extension Int: FieldErrorValue { public var fieldErrorRendering: String { String(self) } }
extension Bool: FieldErrorValue { public var fieldErrorRendering: String { String(self) } }

/// Every problem found in one object.
public typealias FieldErrorList = [FieldError]

extension Array where Element == FieldError {
    /// Appends `rhs`, doing nothing at all when it is empty: validators add up dozens of
    /// (usually empty) lists per object, and appending even an empty array to the empty
    /// literal can allocate.
    @inlinable public static func += (lhs: inout FieldErrorList, rhs: FieldErrorList) {
        if !rhs.isEmpty { lhs.append(contentsOf: rhs) }
    }

    /// `[a: ..., b: ...]` for several errors, the single message for one, as Kubernetes'
    /// aggregate error prints.
    public var aggregateDescription: String {
        switch count {
        case 0: return ""
        case 1: return self[0].description
        default: return "[" + map(\.description).joined(separator: ", ") + "]"
        }
    }
}
