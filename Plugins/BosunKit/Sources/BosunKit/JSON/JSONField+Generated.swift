// Helpers used by the generated API types' decoders.

extension JSONField {
    /// Checks a type-meta member (`apiVersion`, `kind`) against the kind being decoded.
    /// Absent or empty is accepted, as kube-apiserver fills it from the request path.
    public static func expect(_ value: JSONValue, _ expected: String, key: String) throws(JSONDecodingError) {
        switch value {
        case .null: return
        case .string(let s) where s.isEmpty || s == expected: return
        case .string(let s):
            throw JSONDecodingError("expected \"\(expected)\", got \"\(s)\"", path: [.key(key)])
        default:
            throw JSONDecodingError.typeMismatch(expected: "string", got: value).prefixed(.key(key))
        }
    }

    /// Adds a member the schema does not know to an API value's unknown-field bag.
    public static func appending(_ member: JSONObject.Member, to bag: JSONObject?) -> JSONObject {
        var bag = bag ?? JSONObject()
        bag.members.append(member)
        return bag
    }
}
