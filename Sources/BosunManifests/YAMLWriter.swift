import BosunKit
@preconcurrency import Yams

/// Writes JSON trees as YAML in kubectl's style: block collections, keys in document order,
/// strings quoted only where YAML would read them as something else.
public enum YAMLWriter {
    public static func string(for value: JSONValue) throws -> String {
        try Yams.serialize(node: node(for: value), indent: 2, width: -1, sortKeys: false)
    }

    static func node(for value: JSONValue) -> Yams.Node {
        switch value {
        case .null: return Yams.Node("null", Tag(.null))
        case .bool(let b): return Yams.Node(b ? "true" : "false", Tag(.bool))
        case .number: return Yams.Node(value.description, Tag(.int))
        case .string(let s):
            // Quote strings a YAML 1.1 reader would resolve to another type ("yes", "1.0", "null").
            let style: Yams.Node.Scalar.Style = needsQuoting(s) ? .doubleQuoted : .plain
            return Yams.Node(s, Tag(.str), style)
        case .array(let a): return Yams.Node(a.map(node(for:)))
        case .object(let o):
            // Keys are resolved as values are (`n:` is the key "false"), and a plain `<<` is a merge key.
            return Yams.Node(o.members.map { member in
                let style: Yams.Node.Scalar.Style = member.key == "<<" || needsQuoting(member.key) ? .doubleQuoted : .plain
                return (Yams.Node(member.key, Tag(.str), style), node(for: member.value))
            })
        }
    }

    /// Whether a plain scalar would read back as something other than this string.
    static func needsQuoting(_ s: String) -> Bool {
        if case .string(let back) = YAMLScalars.resolvePlain(s), back == s { return false }
        return true
    }
}
