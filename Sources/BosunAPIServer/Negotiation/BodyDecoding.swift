import BosunKit
import BosunManifests
import BosunStore
import NIOHTTP1

/// Reading request bodies by their `Content-Type`, as kube-apiserver's negotiation does: JSON
/// or YAML objects for create and update (no `Content-Type` means JSON — the Python client sends
/// none), and the four patch types for PATCH.
enum BodyDecoding {
    /// The media type of a `Content-Type` header, lower-cased, parameters dropped.
    static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        let type = header.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
        return type.isEmpty ? nil : type
    }

    /// The object of a POST or PUT body. `protobuf`: whether the resource takes Kubernetes
    /// protobuf, as the built-in kinds do (custom resources do not: `415`, as upstream).
    static func object(_ request: APIRequest, protobuf: Bool) throws(APIError) -> UnstructuredObject {
        let value: JSONValue
        switch mediaType(request.headers.first(name: "content-type")) ?? MediaType.json {
        case MediaType.json, "*/*":
            return try RequestBody.object(request.body)
        case MediaType.yaml, "application/x-yaml", "text/yaml":
            value = try yaml(request.body)
        case KubernetesProtobuf.mediaType where protobuf:
            value = try KubernetesProtobuf.decode(try limited(request.body))
        case let other:
            throw unsupported(other, accepted: [MediaType.json, MediaType.yaml] + (protobuf ? [KubernetesProtobuf.mediaType] : []))
        }
        do { return try UnstructuredObject(json: value) } catch {
            throw APIError.badRequest("the body of the request is not a Kubernetes object: \(error)")
        }
    }

    /// An options body (`DeleteOptions`, `Binding`) as JSON, from JSON or Kubernetes protobuf
    /// (client-go's typed clients send their options as protobuf too).
    static func options(_ request: APIRequest) throws(APIError) -> JSONValue {
        if mediaType(request.headers.first(name: "content-type")) == KubernetesProtobuf.mediaType {
            return try KubernetesProtobuf.decode(try limited(request.body))
        }
        return try RequestBody.patch(request.body)
    }

    private static func limited(_ bytes: [UInt8]) throws(APIError) -> [UInt8] {
        guard bytes.count <= RequestBody.maxBytes else {
            throw APIError.tooLarge("Request entity too large: limit is \(RequestBody.maxBytes)")
        }
        return bytes
    }

    /// The patch type and patch of a PATCH body.
    static func patch(_ request: APIRequest) throws(APIError) -> (PatchType, JSONValue) {
        let accepted = PatchType.allCases.map(\.rawValue)
        guard let type = mediaType(request.headers.first(name: "content-type")) else {
            throw unsupported("", accepted: accepted)
        }
        guard let patchType = PatchType(rawValue: type) else { throw unsupported(type, accepted: accepted) }
        if patchType == .apply {
            // An applied configuration may be YAML or JSON (kubectl sends JSON).
            return (patchType, try yaml(request.body))
        }
        return (patchType, try RequestBody.patch(request.body))
    }

    /// One YAML (or JSON) document as a JSON value, under the request body limits.
    static func yaml(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        guard bytes.count <= RequestBody.maxBytes else {
            throw APIError.tooLarge("Request entity too large: limit is \(RequestBody.maxBytes)")
        }
        let documents: [ManifestDocument]
        do {
            documents = try ManifestReader.read(bytes: bytes, source: "request body")
        } catch {
            throw APIError.badRequest("the body of the request could not be decoded: \(error)")
        }
        guard documents.count == 1, documents[0].listItem == nil else {
            throw APIError.badRequest("the body of the request must hold exactly one object, it holds \(documents.count)")
        }
        return documents[0].value
    }

    private static func unsupported(_ type: String, accepted: [String]) -> APIError {
        APIError.unsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))")
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
