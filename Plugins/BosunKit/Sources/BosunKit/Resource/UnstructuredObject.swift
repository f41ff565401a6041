/// An API object whose kind is known only at run time — a custom resource, or any object handled
/// generically. It is a JSON object with typed accessors for the parts every object shares.
///
/// Conversions to and from typed values go through JSON, so nothing is lost either way:
/// `try UnstructuredObject(pod).decode(as: Pod.self) == pod`.
public struct UnstructuredObject: Sendable, Hashable {
    public var object: JSONObject

    public init(_ object: JSONObject) { self.object = object }

    /// Wraps a JSON value that must be an object with string `apiVersion` and `kind`.
    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .object(let o) = json else { throw .typeMismatch(expected: "object", got: json) }
        for key in ["apiVersion", "kind"] {
            if let v = o[key], v.stringValue == nil {
                throw JSONDecodingError.typeMismatch(expected: "string", got: v).prefixed(.key(key))
            }
        }
        self.object = o
    }

    /// The typed value's JSON form.
    public init(_ typed: some TypedObject) {
        // A TypedObject always encodes an object.
        object = typed.jsonValue().objectValue ?? JSONObject()
    }

    /// Decodes into a typed value; the kind must match.
    public func decode<T: TypedObject>(as type: T.Type) throws(JSONDecodingError) -> T {
        try T(json: .object(object))
    }

    public var apiVersion: String {
        get { object["apiVersion"]?.stringValue ?? "" }
        set { object["apiVersion"] = .string(newValue) }
    }

    public var kind: String {
        get { object["kind"]?.stringValue ?? "" }
        set { object["kind"] = .string(newValue) }
    }

    public var groupVersionKind: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }

    /// The raw `metadata` object.
    public var rawMetadata: JSONObject {
        get { object["metadata"]?.objectValue ?? JSONObject() }
        set { object["metadata"] = .object(newValue) }
    }

    /// Typed metadata. Reading decodes it; writing replaces the `metadata` member.
    public var metadata: ObjectMeta {
        get { (try? ObjectMeta(json: .object(rawMetadata))) ?? ObjectMeta() }
        set { object["metadata"] = newValue.jsonValue() }
    }

    public var name: String {
        get { rawMetadata["name"]?.stringValue ?? "" }
        set { rawMetadata["name"] = .string(newValue) }
    }

    public var namespace: String? {
        get { rawMetadata["namespace"]?.stringValue }
        set { rawMetadata["namespace"] = newValue.map(JSONValue.string) }
    }

    public var labels: [String: String] {
        get { (try? [String: String](json: rawMetadata["labels"] ?? .null)) ?? [:] }
        set { rawMetadata["labels"] = newValue.isEmpty ? nil : newValue.jsonValue() }
    }

    public var annotations: [String: String] {
        get { (try? [String: String](json: rawMetadata["annotations"] ?? .null)) ?? [:] }
        set { rawMetadata["annotations"] = newValue.isEmpty ? nil : newValue.jsonValue() }
    }

    public var resourceVersion: String? {
        get { rawMetadata["resourceVersion"]?.stringValue }
        set { rawMetadata["resourceVersion"] = newValue.map(JSONValue.string) }
    }

    public var spec: JSONValue? {
        get { object["spec"] }
        set { object["spec"] = newValue }
    }

    public var status: JSONValue? {
        get { object["status"] }
        set { object["status"] = newValue }
    }

    /// A value by a path of object keys, e.g. `["spec", "replicas"]`.
    public subscript(path path: String...) -> JSONValue? {
        JSONValue.object(object)[path: path]
    }
}

extension UnstructuredObject: JSONCodable {
    public func encode(to writer: inout JSONWriter) { object.encode(to: &writer) }
}
