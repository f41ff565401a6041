// Conformances of the Swift primitives API types are made of, with Go's decoding rules:
// integers must be integral and in range; strings, booleans and numbers are never coerced.

extension String: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .string(let s) = json else { throw .typeMismatch(expected: "string", got: json) }
        self = s
    }
    public func encode(to writer: inout JSONWriter) { writer.string(self) }
}

extension Bool: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .bool(let b) = json else { throw .typeMismatch(expected: "boolean", got: json) }
        self = b
    }
    public func encode(to writer: inout JSONWriter) { writer.bool(self) }
}

extension Int64: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .number(let n) = json else { throw .typeMismatch(expected: "integer", got: json) }
        guard let i = n.int64Value else { throw .typeMismatch(expected: "integer", got: json) }
        self = i
    }
    public func encode(to writer: inout JSONWriter) { writer.int(self) }
}

extension Int32: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        let wide = try Int64(json: json)
        guard let narrow = Int32(exactly: wide) else {
            throw JSONDecodingError("value \(wide) does not fit in a 32-bit integer")
        }
        self = narrow
    }
    public func encode(to writer: inout JSONWriter) { writer.int(Int64(self)) }
}

extension Int: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        self = Int(try Int64(json: json))
    }
    public func encode(to writer: inout JSONWriter) { writer.int(Int64(self)) }
}

extension Double: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .number(let n) = json else { throw .typeMismatch(expected: "number", got: json) }
        self = n.doubleValue
    }
    public func encode(to writer: inout JSONWriter) { writer.double(self) }
}

extension Array: JSONDecodable where Element: JSONDecodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        // Go decodes `null` into an empty (nil) slice.
        if case .null = json { self = []; return }
        guard case .array(let elements) = json else { throw .typeMismatch(expected: "array", got: json) }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for (i, e) in elements.enumerated() {
            do { result.append(try Element(json: e)) } catch { throw error.prefixed(.index(i)) }
        }
        self = result
    }
}

extension Array: JSONEncodable where Element: JSONEncodable {
    public func encode(to writer: inout JSONWriter) {
        writer.arrayStart()
        for e in self { e.encode(to: &writer) }
        writer.arrayEnd()
    }
}

extension Dictionary: JSONDecodable where Key == String, Value: JSONDecodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        if case .null = json { self = [:]; return }
        guard case .object(let o) = json else { throw .typeMismatch(expected: "object", got: json) }
        var result: [String: Value] = [:]
        result.reserveCapacity(o.count)
        for m in o.members {
            do { result[m.key] = try Value(json: m.value) } catch { throw error.prefixed(.key(m.key)) }
        }
        self = result
    }
}

extension Dictionary: JSONEncodable where Key == String, Value: JSONEncodable {
    /// Keys are written sorted, as Go writes maps, so output is deterministic.
    public func encode(to writer: inout JSONWriter) {
        writer.objectStart()
        if count == 1, let only = first {
            writer.key(only.key)
            only.value.encode(to: &writer)
        } else if count <= 16 {
            // Labels, annotations, resource lists: sorted in a stack buffer, without an array of
            // keys or a lookup per key.
            withUnsafeTemporaryAllocation(of: Element.self, capacity: count) { buffer in
                var n = 0
                for element in self {
                    (buffer.baseAddress! + n).initialize(to: element)
                    var j = n
                    while j > 0 && buffer[j].key < buffer[j - 1].key {
                        buffer.swapAt(j, j - 1)
                        j -= 1
                    }
                    n += 1
                }
                for i in 0..<n {
                    writer.key(buffer[i].key)
                    buffer[i].value.encode(to: &writer)
                }
                buffer.baseAddress!.deinitialize(count: n)
            }
        } else {
            for k in keys.sorted() {
                writer.key(k)
                self[k]!.encode(to: &writer)
            }
        }
        writer.objectEnd()
    }
}

extension JSONValue: JSONCodable {
    public init(json: JSONValue) { self = json }

    public func encode(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let b): writer.bool(b)
        case .number(.int(let i)): writer.int(i)
        case .number(.double(let d)): writer.double(d)
        case .string(let s): writer.string(s)
        case .array(let a):
            writer.arrayStart()
            for e in a { e.encode(to: &writer) }
            writer.arrayEnd()
        case .object(let o): o.encode(to: &writer)
        }
    }
}

extension JSONObject: JSONCodable {
    public init(json: JSONValue) throws(JSONDecodingError) {
        guard case .object(let o) = json else { throw .typeMismatch(expected: "object", got: json) }
        self = o
    }

    public func encode(to writer: inout JSONWriter) {
        writer.objectStart()
        for m in members {
            writer.key(m.key)
            m.value.encode(to: &writer)
        }
        writer.objectEnd()
    }
}

/// Helpers the generated API types call: each decodes one member and names it in any error.
public enum JSONField {
    @inlinable
    public static func decode<T: JSONDecodable>(_ type: T.Type, _ value: JSONValue, key: String) throws(JSONDecodingError) -> T {
        do { return try T(json: value) } catch { throw error.prefixed(.key(key)) }
    }

    /// An optional member: JSON `null` means absent, as in Go.
    @inlinable
    public static func decodeOptional<T: JSONDecodable>(_ type: T.Type, _ value: JSONValue, key: String) throws(JSONDecodingError) -> T? {
        if case .null = value { return nil }
        do { return try T(json: value) } catch { throw error.prefixed(.key(key)) }
    }

    /// The object members of `json`, or a type error.
    @inlinable
    public static func object(_ json: JSONValue) throws(JSONDecodingError) -> JSONObject {
        guard case .object(let o) = json else { throw .typeMismatch(expected: "object", got: json) }
        return o
    }
}
