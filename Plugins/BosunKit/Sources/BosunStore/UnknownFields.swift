import BosunKit

/// The members of a written object that its kind does not define, as strict field validation
/// names them (`spec.replica`, `spec.template.spec.containers[0].imagePullPolcy`).
enum UnknownFields {
    /// The paths of members of `input` that `known` — the object as its type encodes it, unknown
    /// members left out — does not have. Nulls are not members (Go's decoder takes them as
    /// absent); maps and lists are compared member by member and item by item.
    static func paths(in input: JSONValue, knownIn known: JSONValue) -> [String] {
        var found: [String] = []
        collect(input, known, path: "", into: &found)
        return found
    }

    private static func collect(_ input: JSONValue, _ known: JSONValue, path: String, into found: inout [String]) {
        switch (input, known) {
        case (.object(let object), .object(let knownObject)):
            for member in object.members {
                if case .null = member.value { continue }
                let child = path.isEmpty ? member.key : path + "." + member.key
                guard let value = knownObject[member.key] else {
                    found.append(child)
                    continue
                }
                collect(member.value, value, path: child, into: &found)
            }
        case (.array(let items), .array(let knownItems)) where items.count == knownItems.count:
            for (index, item) in items.enumerated() {
                collect(item, knownItems[index], path: "\(path)[\(index)]", into: &found)
            }
        default:
            return
        }
    }
}
