/// What a write asks for, as admission hooks see it (Kubernetes' `AdmissionRequest`).
public struct AdmissionRequest: Sendable {
    public enum Operation: String, Sendable, Hashable {
        case create = "CREATE"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    public var operation: Operation
    public var resource: GroupResource
    public var kind: GroupVersionKind
    /// `status`, `scale`, ... or `nil` for the main resource.
    public var subresource: String?
    public var namespace: String
    public var name: String
    /// The object being written (after earlier mutations); `nil` for deletes.
    public var object: UnstructuredObject?
    /// The stored object, for updates and deletes.
    public var oldObject: UnstructuredObject?
    public var dryRun: Bool

    public init(
        operation: Operation, resource: GroupResource, kind: GroupVersionKind, subresource: String? = nil,
        namespace: String, name: String, object: UnstructuredObject?, oldObject: UnstructuredObject?, dryRun: Bool
    ) {
        self.operation = operation
        self.resource = resource
        self.kind = kind
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.object = object
        self.oldObject = oldObject
        self.dryRun = dryRun
    }
}

/// A hook's refusal: the write fails with this message (HTTP 400 unless a code is given, as
/// kube-apiserver does for webhooks that deny without a code).
public struct AdmissionDenied: Error, Sendable, Hashable {
    public var message: String
    public var code: Int32
    public var fieldErrors: FieldErrorList

    public init(_ message: String, code: Int32 = 400, fieldErrors: FieldErrorList = []) {
        self.message = message
        self.code = code
        self.fieldErrors = fieldErrors
    }
}

/// Changes objects before they are validated and stored (defaulting a sidecar, adding labels).
///
/// Hooks run in registration order after Kubernetes' built-in defaulting, on creates and updates
/// of the kinds ``appliesTo(_:)`` accepts. A hook must be idempotent: an update runs it again.
public protocol MutatingAdmissionHook: Sendable {
    /// Unique among hooks; appears in denial messages.
    var name: String { get }
    func appliesTo(_ request: AdmissionRequest) -> Bool
    func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied)
}

/// Accepts or refuses writes after built-in validation; cannot change the object.
public protocol ValidatingAdmissionHook: Sendable {
    var name: String { get }
    func appliesTo(_ request: AdmissionRequest) -> Bool
    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied)
}

extension APIError {
    /// `admission webhook "name" denied the request: message`, as kube-apiserver words it.
    public static func admissionDenied(hook: String, _ denied: AdmissionDenied) -> APIError {
        APIError(code: max(denied.code, 400), reason: denied.code == 403 ? .forbidden : .badRequest,
                 message: "admission webhook \"\(hook)\" denied the request: \(denied.message)")
    }
}
