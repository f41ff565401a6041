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
    /// the write (``refuse(_:served:refusal:)``), Warn tells the request (``warn(_:served:)``),
    /// Ignore says nothing.
    static func check(
        _ object: JSONObject, served: ServedResource, fieldValidation: FieldValidation, refusal: (String) -> APIError
    ) throws(APIError) {
        switch fieldValidation {
        case .strict: try refuse(object, served: served, refusal: refusal)
        case .warn: warn(object, served: served)
        case .ignore: break
        }
    }

    /// Refuses the write if `object` has such members, with `refusal` of the strict decoding
    /// error's text: `strict decoding error: unknown field "spec.replica", unknown field "color"`.
    static func refuse(_ object: JSONObject, served: ServedResource, refusal: (String) -> APIError) throws(APIError) {
        let messages = try paths(in: object, served: served).map { "unknown field \"\($0)\"" }
        if !messages.isEmpty { throw refusal("strict decoding error: " + messages.joined(separator: ", ")) }
    }

    /// Gives the request's ``WriteWarnings`` one `unknown field "spec.replica"` per such member.
    /// With no recorder bound no one would be told, so nothing is looked for; an object that does
    /// not decode is left to admission to refuse.
    static func warn(_ object: JSONObject, served: ServedResource) {
        guard let warnings = WriteWarnings.current, let unknown = try? paths(in: object, served: served) else { return }
        for path in unknown { warnings.add("unknown field \"\(path)\"") }
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
