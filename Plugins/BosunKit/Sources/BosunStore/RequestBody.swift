import BosunKit

/// Decoding a request body into an object, with kube-apiserver's limits and error codes, so every
/// face of the store (HTTP, in-process) refuses bad input the same way and stores nothing.
public enum RequestBody {
    /// kube-apiserver's default maximum request body: 3 MiB.
    public static let maxBytes = 3 * 1024 * 1024

    /// Parses a JSON object body: over ``maxBytes`` → 413; malformed JSON, invalid UTF-8, nesting
    /// deeper than the parser allows, or a non-object → 400 with the parser's message.
    public static func object(_ bytes: some Collection<UInt8>) throws(APIError) -> UnstructuredObject {
        guard bytes.count <= maxBytes else {
            throw APIError.tooLarge("Request entity too large: limit is \(maxBytes)")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw APIError.badRequest("the body of the request could not be decoded: \(error)")
        }
        do { return try UnstructuredObject(json: value) } catch {
            throw APIError.badRequest("the body of the request is not a Kubernetes object: \(error)")
        }
    }

    /// Parses a patch body (any JSON value) under the same limits.
    public static func patch(_ bytes: some Collection<UInt8>) throws(APIError) -> JSONValue {
        guard bytes.count <= maxBytes else {
            throw APIError.tooLarge("Request entity too large: limit is \(maxBytes)")
        }
        do { return try JSONParser.parse(bytes) } catch {
            throw APIError.badRequest("the body of the request could not be decoded: \(error)")
        }
    }
}
