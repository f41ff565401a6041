import BosunKit
import Foundation

/// Reads `application/vnd.kubernetes.protobuf` bodies, which client-go's typed clients send for
/// the built-in kinds (kubectl's `create deployment`, `create job`, `create secret`, `drain`'s
/// evictions, ...), into the JSON the same object has in Go's encoding: the `k8s\0` magic, then
/// a `runtime.Unknown` whose `typeMeta` names the kind and whose `raw` is the object's message.
enum KubernetesProtobuf {
    static let mediaType = "application/vnd.kubernetes.protobuf"
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// The object a body holds, `apiVersion` and `kind` first as Go writes them.
    static func decode(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        guard bytes.count >= magic.count, bytes[..<magic.count].elementsEqual(magic) else {
            throw APIError.badRequest("the body of the request could not be decoded: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
        }
        var apiVersion = "", kind = "", raw: ArraySlice<UInt8> = [], encoding = ""
        var reader = ProtobufReader(bytes[magic.count...])
        while let (number, wire) = try reader.nextKey() {
            switch (number, wire) {
            case (1, .lengthDelimited):
                var typeMeta = ProtobufReader(try reader.lengthDelimited())
                while let (n, w) = try typeMeta.nextKey() {
                    switch (n, w) {
                    case (1, .lengthDelimited): apiVersion = try typeMeta.string()
                    case (2, .lengthDelimited): kind = try typeMeta.string()
                    default: try typeMeta.skip(w)
                    }
                }
            case (2, .lengthDelimited): raw = try reader.lengthDelimited()
            case (3, .lengthDelimited): encoding = try reader.string()
            default: try reader.skip(wire)
            }
        }
        guard encoding.isEmpty else {
            throw APIError.badRequest("the body of the request could not be decoded: content encoding \"\(encoding)\" is not supported")
        }
        guard let message = ProtobufFields.message(apiVersion: apiVersion, kind: kind) else {
            throw APIError.badRequest("the body of the request could not be decoded: no kind \"\(kind)\" is registered for version \"\(apiVersion)\"")
        }
        guard case .object(let fields) = try decodeMessage(raw, message) else {
            throw APIError.badRequest("the body of the request could not be decoded as \(kind)")
        }
        var object: JSONObject = ["kind": .string(kind), "apiVersion": .string(apiVersion)]
        for member in fields.members { object[member.key] = member.value }
        return .object(object)
    }

    /// One message as its Go type encodes to JSON: fields in number order, zero value scalars
    /// dropped (`omitempty`), pointers kept whatever they hold, value messages always present.
    static func decodeMessage(_ bytes: ArraySlice<UInt8>, _ message: String) throws(APIError) -> JSONValue {
        if let special = try specialMessage(bytes, message) { return special }
        guard let fields = ProtobufFields.messages[message] else {
            throw APIError.badRequest("the body of the request could not be decoded: unknown message \(message)")
        }
        var values: [Int: JSONValue] = [:]
        var reader = ProtobufReader(bytes)
        while let (number, wire) = try reader.nextKey() {
            // Fields this release does not know are skipped, as Go's generated code does.
            guard let field = fields[number] else { try reader.skip(wire); continue }
            switch field.type {
            case .map(let keyType, let valueType):
                var entry = ProtobufReader(try reader.lengthDelimited())
                var key: JSONValue = .string(""), value: JSONValue?
                while let (n, w) = try entry.nextKey() {
                    switch n {
                    case 1: key = try readValue(&entry, w, keyType)
                    case 2: value = try readValue(&entry, w, valueType)
                    default: try entry.skip(w)
                    }
                }
                var map = values[number]?.objectValue ?? JSONObject()
                map[key.stringValue ?? key.description] = value ?? zeroValue(valueType)
                values[number] = .object(map)
            case let type where field.repeated:
                var items = values[number]?.arrayValue ?? []
                if wire == .lengthDelimited, type.isPackable {
                    var packed = ProtobufReader(try reader.lengthDelimited())
                    while !packed.isAtEnd { items.append(try readValue(&packed, type.wireType, type)) }
                } else {
                    items.append(try readValue(&reader, wire, type))
                }
                values[number] = .array(items)
            case let type:
                values[number] = try readValue(&reader, wire, type)
            }
        }
        var object = JSONObject()
        for number in fields.keys.sorted() {
            let field = fields[number]!
            if let value = values[number] {
                if field.isValue, !field.type.isMessage, isZero(value) { continue }
                object[field.name] = value
            } else if field.isValue, !field.repeated, case .message(let name) = field.type {
                // Go writes a value struct whatever it holds: `metadata.creationTimestamp: null`, `status: {}`.
                object[field.name] = try decodeMessage([], name)
            }
        }
        return .object(object)
    }

    private static func readValue(_ reader: inout ProtobufReader, _ wire: ProtobufReader.WireType, _ type: ProtobufFields.FieldType) throws(APIError) -> JSONValue {
        guard wire == type.wireType else {
            throw APIError.badRequest("the body of the request could not be decoded: wrong wire type for a \(type) field")
        }
        switch type {
        case .string: return .string(try reader.string())
        case .bytes: return .string(Data(try reader.lengthDelimited()).base64EncodedString())
        case .bool: return .bool(try reader.varint() != 0)
        case .int32: return .number(.int(Int64(Int32(truncatingIfNeeded: try reader.varint()))))
        case .int64: return .number(.int(Int64(bitPattern: try reader.varint())))
        case .uint32: return .number(.int(Int64(UInt32(truncatingIfNeeded: try reader.varint()))))
        case .uint64: return .number(.int(Int64(bitPattern: try reader.varint())))
        case .sint32, .sint64:
            let v = try reader.varint()
            return .number(.int(Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)))
        case .double: return .number(.double(Double(bitPattern: try reader.fixed64())))
        case .float: return .number(.double(Double(Float(bitPattern: try reader.fixed32()))))
        case .message(let name): return try decodeMessage(try reader.lengthDelimited(), name)
        case .map: throw APIError.badRequest("the body of the request could not be decoded: a map inside a map")
        }
    }

    /// apimachinery's types with their own JSON form.
    private static func specialMessage(_ bytes: ArraySlice<UInt8>, _ message: String) throws(APIError) -> JSONValue? {
        switch message {
        case "k8s.io.apimachinery.pkg.apis.meta.v1.Time", "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime":
            var seconds: Int64 = 0, nanos: Int32 = 0
            var reader = ProtobufReader(bytes)
            while let (n, w) = try reader.nextKey() {
                switch (n, w) {
                case (1, .varint): seconds = Int64(bitPattern: try reader.varint())
                case (2, .varint): nanos = Int32(truncatingIfNeeded: try reader.varint())
                default: try reader.skip(w)
                }
            }
            if seconds == 0 && nanos == 0 { return .null }
            return message.hasSuffix("MicroTime")
                ? .string(MicroTime(secondsSinceEpoch: seconds, nanoseconds: nanos).rfc3339)
                : .string(Time(secondsSinceEpoch: seconds).rfc3339)
        case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            guard case .object(let fields) = try genericFields(bytes, message) else { return nil }
            if fields["type"]?.int64Value == 1 { return fields["strVal"] ?? .string("") }
            return fields["intVal"] ?? .number(.int(0))
        case "k8s.io.apimachinery.pkg.api.resource.Quantity":
            guard case .object(let fields) = try genericFields(bytes, message) else { return nil }
            return fields["string"] ?? .string("0")
        case "k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1":
            var raw: ArraySlice<UInt8> = []
            var reader = ProtobufReader(bytes)
            while let (n, w) = try reader.nextKey() {
                if n == 1, w == .lengthDelimited { raw = try reader.lengthDelimited() } else { try reader.skip(w) }
            }
            if raw.isEmpty { return .null }
            // Embedded objects are JSON (a protobuf one would carry the magic).
            if raw.starts(with: magic) { return try decode(Array(raw)) }
            do { return try JSONParser.parse(raw) } catch {
                throw APIError.badRequest("the body of the request could not be decoded: an embedded object is not JSON: \(error)")
            }
        default:
            return nil
        }
    }

    /// A special message's fields read the ordinary way (its table entry), zero values kept.
    private static func genericFields(_ bytes: ArraySlice<UInt8>, _ message: String) throws(APIError) -> JSONValue {
        guard let fields = ProtobufFields.messages[message] else { return .object(JSONObject()) }
        var object = JSONObject()
        var reader = ProtobufReader(bytes)
        while let (number, wire) = try reader.nextKey() {
            guard let field = fields[number] else { try reader.skip(wire); continue }
            object[field.name] = try readValue(&reader, wire, field.type)
        }
        return .object(object)
    }

    private static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): s.isEmpty
        case .bool(let b): !b
        case .number(let n): n.doubleValue == 0
        case .null: true
        default: false
        }
    }

    private static func zeroValue(_ type: ProtobufFields.FieldType) -> JSONValue {
        switch type {
        case .string, .bytes: .string("")
        case .bool: .bool(false)
        case .message: .object(JSONObject())
        default: .number(.int(0))
        }
    }
}

extension ProtobufFields.FieldType {
    var wireType: ProtobufReader.WireType {
        switch self {
        case .double: .fixed64
        case .float: .fixed32
        case .bool, .int32, .int64, .uint32, .uint64, .sint32, .sint64: .varint
        case .string, .bytes, .message, .map: .lengthDelimited
        }
    }

    var isPackable: Bool { wireType != .lengthDelimited }

    var isMessage: Bool {
        if case .message = self { true } else { false }
    }
}
