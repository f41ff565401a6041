// Bridges to Swift's Codable, so a custom resource written with `Codable` structs can embed
// BosunKit's API types (a `PodTemplateSpec` in a spec, say), and JSONValue travels through any
// Swift encoder.

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .number(.int(i)) }
        else if let d = try? c.decode(Double.self) { self = .number(.double(d)) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [JSONObject.Member] = []
            for key in o.allKeys {
                members.append(.init(key: key.stringValue, value: try o.decode(JSONValue.self, forKey: key)))
            }
            self = .object(JSONObject(members))
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(.int(let i)):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .number(.double(let d)):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for e in a { try c.encode(e) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for m in o.members { try c.encode(m.value, forKey: AnyKey(m.key)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// Marks a type whose JSON form is hand-written or generated (all built-in API types), so that it
/// gets `Codable` through its JSON tree.
///
/// Declare `extension T: Codable, JSONNativeCodable {}` in a file apart from `T`, so the compiler
/// does not synthesise a member-wise `Codable` that would lose Kubernetes' encoding rules.
public protocol JSONNativeCodable: JSONCodable {}

extension Decodable where Self: JSONNativeCodable {
    public init(from decoder: any Decoder) throws {
        let tree = try JSONValue(from: decoder)
        try self.init(json: tree)
    }
}

extension Encodable where Self: JSONNativeCodable {
    public func encode(to encoder: any Encoder) throws {
        try jsonValue().encode(to: encoder)
    }
}
