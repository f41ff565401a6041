import BosunKit
import CPluginABI

#if canImport(Glibc)
import Glibc
#endif

/// A C plugin's admission hook: its function, called with the parameters it declared.
struct CAdmissionHook: MutatingAdmissionHook, ValidatingAdmissionHook {
    let name: String
    let resource: GroupResource
    let operations: Set<AdmissionRequest.Operation>
    let function: ForeignFunction
    /// What each parameter is (``bosun_arg``), in the function's order.
    let arguments: [bosun_arg]
    nonisolated(unsafe) let userData: UnsafeMutableRawPointer?

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.subresource == nil && request.resource == resource && operations.contains(request.operation)
    }

    /// Applies the JSON merge patch the hook returns, if any.
    func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
        guard let patch = try call(with: object, request: request) else { return }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(patch)
            try JSONMergePatch.validate(parsed)
        } catch {
            throw AdmissionDenied("the C plugin hook returned a patch that is not a JSON merge patch: \(error)", code: 500)
        }
        guard case .object(let patched) = JSONMergePatch.apply(parsed, to: .object(object.object)) else {
            throw AdmissionDenied("the C plugin hook's patch did not leave an object", code: 500)
        }
        object = UnstructuredObject(patched)
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        guard let object = request.object else { return }
        _ = try call(with: object, request: request)
    }

    /// Calls the function; returns what it put in `*result` when it admitted, and throws its
    /// reason when it denied.
    private func call(with object: UnstructuredObject, request: AdmissionRequest) throws(AdmissionDenied) -> String? {
        var objectJSON = JSONWriter.encode(object)
        let length = objectJSON.count
        objectJSON.append(0)
        var oldJSON = request.oldObject.map { JSONWriter.encode($0) + [0] }
        var operation = Array(request.operation.rawValue.utf8CString)
        var namespace = Array(request.namespace.utf8CString)
        var name = Array(request.name.utf8CString)
        var result: UnsafeMutablePointer<CChar>? = nil

        let status: Int32 = objectJSON.withUnsafeMutableBytes { object in
            withOptionalBytes(&oldJSON) { old in
                operation.withUnsafeMutableBytes { operation in
                    namespace.withUnsafeMutableBytes { namespace in
                        name.withUnsafeMutableBytes { name in
                            withUnsafeMutablePointer(to: &result) { result in
                                func word(_ pointer: UnsafeMutableRawPointer?) -> UInt64 { UInt64(UInt(bitPattern: pointer)) }
                                let values: [UInt64] = arguments.map { argument in
                                    switch argument {
                                    case BOSUN_ARG_OBJECT: word(object.baseAddress)
                                    case BOSUN_ARG_OBJECT_LENGTH: UInt64(length)
                                    case BOSUN_ARG_OLD_OBJECT: word(old)
                                    case BOSUN_ARG_OPERATION: word(operation.baseAddress)
                                    case BOSUN_ARG_NAMESPACE: word(namespace.baseAddress)
                                    case BOSUN_ARG_NAME: word(name.baseAddress)
                                    case BOSUN_ARG_USER_DATA: word(userData)
                                    default: word(UnsafeMutableRawPointer(result))  // BOSUN_ARG_RESULT; others are refused at load
                                    }
                                }
                                return function.callReturningInt32(values)
                            }
                        }
                    }
                }
            }
        }
        let text = result.map { String(cString: $0) }
        free(result)
        if status != 0 {
            throw AdmissionDenied(text.flatMap { $0.isEmpty ? nil : $0 } ?? "denied by the C plugin (status \(status))")
        }
        return text
    }

    private func withOptionalBytes<R>(_ bytes: inout [UInt8]?, _ body: (UnsafeMutableRawPointer?) -> R) -> R {
        guard bytes != nil else { return body(nil) }
        return bytes!.withUnsafeMutableBytes { body($0.baseAddress) }
    }
}
