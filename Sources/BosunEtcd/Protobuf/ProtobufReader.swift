/// Protocol Buffers' wire format, read: a message's fields in order over borrowed bytes, so that
/// values are copied once, into what the caller builds from them. Unknown fields are skipped,
/// as protobuf requires, so a newer etcd's additions do no harm.
struct ProtobufReader {
    private let buffer: UnsafeRawBufferPointer
    private var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// The next field's number and wire type, or `nil` at the end of the message.
    mutating func next() throws(ProtobufError) -> (field: Int, wireType: ProtobufWireType)? {
        guard offset < buffer.count else { return nil }
        let key = try varint()
        guard let wireType = ProtobufWireType(rawValue: UInt8(key & 7)), key >> 3 > 0 else {
            throw ProtobufError("a field key \(key) is malformed")
        }
        return (Int(key >> 3), wireType)
    }

    mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < buffer.count {
            let byte = buffer[offset]
            offset += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift >= 70 { break }
        }
        throw ProtobufError("a varint runs past the message")
    }

    mutating func int64() throws(ProtobufError) -> Int64 {
        Int64(bitPattern: try varint())
    }

    mutating func bool() throws(ProtobufError) -> Bool {
        try varint() != 0
    }

    /// A length-delimited field's bytes (a `bytes`, `string` or nested message field), borrowed.
    mutating func lengthDelimited() throws(ProtobufError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(buffer.count - offset) else {
            throw ProtobufError("a field of \(length) bytes runs past the message")
        }
        let start = offset
        offset += Int(length)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<offset])
    }

    mutating func bytes() throws(ProtobufError) -> [UInt8] {
        Array(try lengthDelimited())
    }

    mutating func string() throws(ProtobufError) -> String {
        String(decoding: try lengthDelimited(), as: UTF8.self)
    }

    /// Reads a nested message with `body`.
    mutating func message<T>(_ body: (inout ProtobufReader) throws(ProtobufError) -> T) throws(ProtobufError) -> T {
        var nested = ProtobufReader(try lengthDelimited())
        return try body(&nested)
    }

    /// Skips a field this reader does not use.
    mutating func skip(_ wireType: ProtobufWireType) throws(ProtobufError) {
        switch wireType {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        case .startGroup, .endGroup: throw ProtobufError("groups are not used by etcd's messages")
        }
    }

    private mutating func advance(_ count: Int) throws(ProtobufError) {
        guard count <= buffer.count - offset else { throw ProtobufError("a fixed field runs past the message") }
        offset += count
    }
}

struct ProtobufError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
