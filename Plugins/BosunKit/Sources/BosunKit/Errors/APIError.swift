/// A Kubernetes API error: the `Status` object kube-apiserver returns, with its HTTP code.
///
/// The store, the API server and both clients use this one type, so a caller sees the same
/// error in-process and over HTTP. Build them with the static constructors, which word messages
/// exactly as Kubernetes does.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Status

    public init(status: Status) { self.status = status }

    public init(code: Int32, reason: Reason, message: String, details: StatusDetails? = nil) {
        status = Status(status: "Failure", code: code, details: details, message: message, reason: reason.rawValue)
    }

    /// Kubernetes' machine-readable reasons (`metav1.StatusReason`).
    public enum Reason: String, Sendable, Hashable {
        case notFound = "NotFound"
        case alreadyExists = "AlreadyExists"
        case conflict = "Conflict"
        case invalid = "Invalid"
        case badRequest = "BadRequest"
        case forbidden = "Forbidden"
        case unauthorized = "Unauthorized"
        case gone = "Gone"
        case expired = "Expired"
        case methodNotAllowed = "MethodNotAllowed"
        case unsupportedMediaType = "UnsupportedMediaType"
        case notAcceptable = "NotAcceptable"
        case requestEntityTooLarge = "RequestEntityTooLarge"
        case tooManyRequests = "TooManyRequests"
        case timeout = "Timeout"
        case serviceUnavailable = "ServiceUnavailable"
        case internalError = "InternalError"
        case unknown = ""
    }

    public var code: Int32 { status.code ?? 500 }
    public var reason: Reason { Reason(rawValue: status.reason ?? "") ?? .unknown }
    public var message: String { status.message ?? "" }
    public var description: String { message }

    /// Whether the status carries a cause of this type (apimachinery's `HasStatusCause`): how a
    /// controller tells a create refused because its namespace is terminating
    /// (``namespaceTerminatingCause``) from other refusals.
    public func hasCause(_ type: String) -> Bool {
        status.details?.causes?.contains { $0.reason == type } ?? false
    }

    /// The cause type of a create refused in a terminating namespace (`v1.NamespaceTerminatingCause`).
    public static let namespaceTerminatingCause = "NamespaceTerminating"

    // MARK: Constructors, in Kubernetes' words

    /// `deployments.apps "web" not found`
    public static func notFound(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 404, reason: .notFound, message: "\(resource) \"\(name)\" not found",
                 details: StatusDetails(group: resource.group, kind: resource.resource, name: name))
    }

    /// `pods "web-0" already exists`
    public static func alreadyExists(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 409, reason: .alreadyExists, message: "\(resource) \"\(name)\" already exists",
                 details: StatusDetails(group: resource.group, kind: resource.resource, name: name))
    }

    /// The optimistic-concurrency conflict every controller author has met.
    public static func conflict(_ resource: GroupResource, _ name: String, _ detail: String = "the object has been modified; please apply your changes to the latest version and try again") -> APIError {
        APIError(code: 409, reason: .conflict, message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(detail)",
                 details: StatusDetails(group: resource.group, kind: resource.resource, name: name))
    }

    /// `Deployment.apps "web" is invalid: [spec.replicas: ..., ...]`, with one cause per field error.
    public static func invalid(kind: String, group: String, name: String, _ errors: FieldErrorList) -> APIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let causes = errors.map { StatusCause(field: $0.field.description, message: $0.body, reason: $0.kind.rawValue) }
        return APIError(code: 422, reason: .invalid, message: "\(qualified) \"\(name)\" is invalid: \(errors.aggregateDescription)",
                        details: StatusDetails(causes: causes, group: group, kind: kind, name: name))
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: .badRequest, message: message)
    }

    /// `pods "x" is forbidden: <why>`
    public static func forbidden(_ resource: GroupResource, _ name: String, _ why: String) -> APIError {
        APIError(code: 403, reason: .forbidden, message: "\(resource) \"\(name)\" is forbidden: \(why)",
                 details: StatusDetails(group: resource.group, kind: resource.resource, name: name))
    }

    /// A watch or list from a resourceVersion older than the history kept.
    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: .expired, message: message)
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: .gone, message: message)
    }

    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: .methodNotAllowed, message: message)
    }

    public static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(code: 415, reason: .unsupportedMediaType, message: message)
    }

    public static func tooLarge(_ message: String) -> APIError {
        APIError(code: 413, reason: .requestEntityTooLarge, message: message)
    }

    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int32 = 1) -> APIError {
        APIError(code: 429, reason: .tooManyRequests, message: message,
                 details: StatusDetails(retryAfterSeconds: retryAfterSeconds))
    }

    public static func `internal`(_ message: String) -> APIError {
        APIError(code: 500, reason: .internalError, message: "Internal error occurred: \(message)")
    }
}

/// A resource and its group, printed as Kubernetes prints them: `deployments.apps`, `pods`.
public struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

extension ResourceDescriptor {
    public var groupResourceValue: GroupResource { GroupResource(group: group, resource: plural) }
}
