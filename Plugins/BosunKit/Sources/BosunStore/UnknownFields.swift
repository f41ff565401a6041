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

extension UnknownFields {
    /// What `fieldValidation` makes of the members of `object` that its kind does not define
    /// (the store drops them whatever it says), as kube-apiserver's decoding does: Strict refuses
    /// the write with `refusal` of the strict decoding error's text (`strict decoding error:
    /// unknown field "spec.replica", unknown field "color"`); Warn gives the request's
    /// ``WriteWarnings`` one `unknown field "spec.replica"` each; Ignore says nothing. The
    /// members are looked for only when someone will be told.
    static func check(
        _ object: JSONObject, served: ServedResource, fieldValidation: FieldValidation, refusal: (String) -> APIError
    ) throws(APIError) {
        let warnings = WriteWarnings.current
        guard fieldValidation == .strict || (fieldValidation == .warn && warnings != nil) else { return }
        let unknown = try paths(in: object, served: served)
        guard !unknown.isEmpty else { return }
        let messages = unknown.map { "unknown field \"\($0)\"" }
        if fieldValidation == .strict { throw refusal("strict decoding error: " + messages.joined(separator: ", ")) }
        for message in messages { warnings?.add(message) }
    }

    /// The refusal of a create or update body: upstream's decode error.
    static func bodyRefusal(_ served: ServedResource) -> (String) -> APIError {
        let kind = served.descriptor.kind, version = served.descriptor.version
        return { APIError.badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(kind): \($0)") }
    }

    /// Built-in kinds: the members their generated type does not decode. Custom resources: the
    /// members their schema prunes.
    private static func paths(in object: JSONObject, served: ServedResource) throws(APIError) -> [String] {
        if let type = served.builtinType { return try builtinPaths(type, object) }
        guard let schema = served.customSchema else { return [] }
        return schema.pruneReportingUnknownFields(.object(object)).unknownFields
    }

    private static func builtinPaths<R: Resource>(_ type: R.Type, _ object: JSONObject) throws(APIError) -> [String] {
        let known = (try? JSONParser.parse(ObjectStore.knownJSON(try ObjectStore.decodeBuiltin(type, object)))) ?? .null
        return paths(in: .object(object), knownIn: known)
    }
}
