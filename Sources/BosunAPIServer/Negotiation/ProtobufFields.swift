/// The field numbers and types of the built-in kinds' protobuf messages (Kubernetes 1.32's
/// `generated.proto`, read from their descriptors by `Tools/generate-protobuf-fields.py` into
/// ``table``), parsed on the first protobuf body.
enum ProtobufFields {
    indirect enum FieldType: Sendable, Equatable {
        case string, bytes, bool, int32, int64, uint32, uint64, sint32, sint64, double, float
        case message(String)
        case map(key: FieldType, value: FieldType)
    }

    struct Field: Sendable {
        var name: String
        var type: FieldType
        var repeated: Bool
        /// A Go value rather than a pointer: a value message is in the JSON whatever it holds,
        /// a value scalar only when it is not zero (`omitempty`).
        var isValue: Bool
    }

    /// Message name (`k8s.io.api.apps.v1.Deployment`) to its fields by number.
    static let messages: [String: [Int: Field]] = {
        var messages: [String: [Int: Field]] = [:]
        for line in table.split(separator: "\n") {
            guard let bar = line.firstIndex(of: "|") else { continue }
            var fields: [Int: Field] = [:]
            for entry in line[line.index(after: bar)...].split(separator: ";") {
                let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count >= 3, let number = Int(parts[0]), let type = fieldType(parts[2]) else { continue }
                let flags = parts.count > 3 ? parts[3] : ""
                fields[number] = Field(name: String(parts[1]), type: type, repeated: flags.contains("r"), isValue: flags.contains("v"))
            }
            messages[String(line[..<bar])] = fields
        }
        return messages
    }()

    /// The message of a kind sent as `apiVersion`: its group's package, or apimachinery's for
    /// the options kinds (`DeleteOptions`) every group version carries.
    static func message(apiVersion: String, kind: String) -> String? {
        let (group, version): (Substring, Substring)
        if let slash = apiVersion.firstIndex(of: "/") {
            (group, version) = (apiVersion[..<slash], apiVersion[apiVersion.index(after: slash)...])
        } else {
            (group, version) = ("", apiVersion[...])
        }
        let package = group.isEmpty ? "core" : group.hasSuffix(".k8s.io") ? group.dropLast(7) : group
        for name in ["k8s.io.api.\(package).\(version).\(kind)", "k8s.io.apimachinery.pkg.apis.meta.v1.\(kind)"]
        where messages[name] != nil {
            return name
        }
        return nil
    }

    private static func fieldType(_ text: Substring) -> FieldType? {
        switch text {
        case "string": return .string
        case "bytes": return .bytes
        case "bool": return .bool
        case "int32": return .int32
        case "int64": return .int64
        case "uint32": return .uint32
        case "uint64": return .uint64
        case "sint32": return .sint32
        case "sint64": return .sint64
        case "double": return .double
        case "float": return .float
        default:
            guard text.hasPrefix("map<"), text.hasSuffix(">") else { return .message(String(text)) }
            let inner = text.dropFirst(4).dropLast()
            guard let comma = inner.firstIndex(of: ","), let key = fieldType(inner[..<comma]),
                  let value = fieldType(inner[inner.index(after: comma)...]) else { return nil }
            return .map(key: key, value: value)
        }
    }
}
