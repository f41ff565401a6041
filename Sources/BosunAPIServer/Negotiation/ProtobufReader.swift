import BosunKit

/// The protobuf wire format, read forward over a byte slice; every malformed input is a
/// `400 BadRequest`, never a trap.
struct ProtobufReader {
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { bytes.isEmpty }

    /// The next field's number and wire type, or `nil` at the end.
    mutating func nextKey() throws(APIError) -> (Int, WireType)? {
        if bytes.isEmpty { return nil }
        let key = try varint()
        guard let wire = WireType(rawValue: key & 7), key >> 3 > 0, key >> 3 <= UInt64(Int32.max) else {
            throw Self.malformed("an unsupported field key \(key)")
        }
        return (Int(key >> 3), wire)
    }

    mutating func varint() throws(APIError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.popFirst() {
            guard shift < 64 else { break }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw Self.malformed("a truncated or overlong varint")
    }

    mutating func fixed64() throws(APIError) -> UInt64 {
        try fixed(8)
    }

    mutating func fixed32() throws(APIError) -> UInt32 {
        UInt32(truncatingIfNeeded: try fixed(4))
    }

    mutating func lengthDelimited() throws(APIError) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.count) else { throw Self.malformed("a length past the end of the message") }
        let value = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return value
    }

    mutating func string() throws(APIError) -> String {
        guard let text = String(validating: try lengthDelimited(), as: UTF8.self) else {
            throw Self.malformed("a string that is not UTF-8")
        }
        return text
    }

    /// Steps over a field's value.
    mutating func skip(_ wire: WireType) throws(APIError) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        }
    }

    private mutating func fixed(_ count: Int) throws(APIError) -> UInt64 {
        guard bytes.count >= count else { throw Self.malformed("a truncated fixed-size value") }
        var value: UInt64 = 0
        for (i, byte) in bytes.prefix(count).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        bytes = bytes.dropFirst(count)
        return value
    }

    private static func malformed(_ what: String) -> APIError {
        APIError.badRequest("the body of the request could not be decoded: the protobuf message has \(what)")
    }
}
