/// A type that can be built from a ``JSONValue`` tree with Kubernetes' JSON rules.
///
/// Every API type in BosunKit conforms; so do the primitives they are made of.
public protocol JSONDecodable: Sendable {
    init(json: JSONValue) throws(JSONDecodingError)
}

/// A type that writes itself as JSON text, with Kubernetes' field names and omitted empty fields.
public protocol JSONEncodable: Sendable {
    func encode(to writer: inout JSONWriter)
}

public typealias JSONCodable = JSONDecodable & JSONEncodable

extension JSONDecodable {
    /// Parses JSON bytes and decodes them.
    public init(jsonBytes bytes: some Collection<UInt8>) throws(JSONError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw .syntax(error) }
        do { try self.init(json: value) } catch { throw .decoding(error) }
    }

    public init(jsonString: String) throws(JSONError) {
        try self.init(jsonBytes: Array(jsonString.utf8))
    }
}

extension JSONEncodable {
    /// Compact JSON bytes.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        encode(to: &writer)
        return writer.bytes
    }

    public func jsonString() -> String { String(decoding: jsonBytes(), as: UTF8.self) }

    /// This value as a ``JSONValue`` tree.
    public func jsonValue() -> JSONValue {
        // Our writer always produces valid JSON, so parsing it back cannot fail.
        (try? JSONParser.parse(jsonBytes())) ?? .null
    }
}

/// Either a syntax error in JSON text or a structural mismatch while decoding a typed value.
public enum JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    case syntax(JSONParseError)
    case decoding(JSONDecodingError)

    public var description: String {
        switch self {
        case .syntax(let e): e.description
        case .decoding(let e): e.description
        }
    }
}
