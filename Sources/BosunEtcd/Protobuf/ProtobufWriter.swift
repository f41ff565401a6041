/// Protocol Buffers' wire format, written: as much of it as etcd's requests use (varints,
/// length-delimited bytes and nested messages). Fields at their proto3 default are left out,
/// as protobuf's own encoders do, except where a `oneof` needs the field present.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func tag(_ field: Int, _ wireType: ProtobufWireType) {
        varint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// An `int64` (or an enum) field; `always` writes a zero too (a `oneof` member).
    mutating func int64(_ field: Int, _ value: Int64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        tag(field, .varint)
        bytes.append(1)
    }

    /// A `bytes` field.
    mutating func bytes(_ field: Int, _ value: some Collection<UInt8>) {
        guard !value.isEmpty else { return }
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `bytes` field holding a string's UTF-8.
    mutating func bytes(_ field: Int, _ value: String) {
        var value = value
        value.withUTF8 { bytes(field, $0) }
    }

    /// A nested message field, written even when empty (a `oneof` member or a repeated element).
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        tag(field, .lengthDelimited)
        varint(UInt64(nested.bytes.count))
        bytes.append(contentsOf: nested.bytes)
    }
}

enum ProtobufWireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}
