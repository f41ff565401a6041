import Foundation

/// A custom resource written as plain `Codable` Swift structs.
///
/// ```swift
/// struct Widget: CustomResource {
///     static let resource = ResourceDescriptor(group: "example.com", version: "v1", kind: "Widget",
///                                              plural: "widgets", namespaced: true)
///     var metadata = ObjectMeta()
///     var spec = Spec()
///     struct Spec: Codable, Hashable, Sendable { var size = 1 }
/// }
/// ```
///
/// `apiVersion` and `kind` come from ``Resource/resource`` and are always written. Built-in types
/// such as `PodTemplateSpec` can be embedded; they keep Kubernetes' JSON rules inside.
public protocol CustomResource: Resource, Codable {}

extension CustomResource {
    public static var apiVersion: String { resource.apiVersion }
    public static var kind: String { resource.kind }

    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .object(let o) = json else { throw .typeMismatch(expected: "object", got: json) }
        try JSONField.expect(o["apiVersion"] ?? .null, Self.apiVersion, key: "apiVersion")
        try JSONField.expect(o["kind"] ?? .null, Self.kind, key: "kind")
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(JSONWriter.encode(json)))
        } catch let error as DecodingError {
            throw JSONDecodingError(codableError: error)
        } catch {
            throw JSONDecodingError("\(error)")
        }
    }

    public func encode(to writer: inout JSONWriter) {
        let data: Data
        do { data = try JSONEncoder().encode(self) } catch {
            // Encoding plain Codable structs only fails for non-finite floats; write what we can.
            data = Data("{}".utf8)
        }
        var object = (try? JSONParser.parse(Array(data)))?.objectValue ?? JSONObject()
        object["apiVersion"] = nil
        object["kind"] = nil
        writer.objectStart()
        writer.field("apiVersion", Self.apiVersion)
        writer.field("kind", Self.kind)
        for m in object.members {
            writer.key(m.key)
            m.value.encode(to: &writer)
        }
        writer.objectEnd()
    }
}

extension JSONDecodingError {
    /// Translates a Swift `DecodingError` into a field-path error.
    init(codableError error: DecodingError) {
        func components(_ path: [any CodingKey]) -> [PathComponent] {
            path.map { key in key.intValue.map { .index($0) } ?? .key(key.stringValue) }
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            self.init("expected \(type), \(ctx.debugDescription)", path: components(ctx.codingPath))
        case .valueNotFound(let type, let ctx):
            self.init("expected \(type), got null", path: components(ctx.codingPath))
        case .keyNotFound(let key, let ctx):
            self.init("required field is missing", path: components(ctx.codingPath + [key]))
        case .dataCorrupted(let ctx):
            self.init(ctx.debugDescription, path: components(ctx.codingPath))
        @unknown default:
            self.init("\(error)")
        }
    }
}
