// Pruning of unknown fields (upstream pruning.PruneWithOptions) and of non-nullable nulls that
// have no default (defaulting.PruneNonNullableNullsWithoutDefaults), over the structural part of
// the schema: properties, additionalProperties, items, x-kubernetes-preserve-unknown-fields and
// x-kubernetes-embedded-resource (whose apiVersion/kind/metadata are never pruned; the resource
// root always counts as embedded). Value validations (allOf, anyOf...) play no part.

struct SchemaPruner {
    static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]

    /// Whether to collect the paths of pruned fields (for `unknown field` warnings).
    let tracking: Bool
    private var path: [String] = []
    private(set) var unknownFields: [String] = []

    init(tracking: Bool) { self.tracking = tracking }

    private mutating func record(_ key: String) {
        guard tracking else { return }
        unknownFields.append(path.isEmpty ? key : path.joined() + "." + key)
    }

    private mutating func push(key: String) {
        if tracking { path.append(path.isEmpty ? key : "." + key) }
    }

    private mutating func push(index: Int) {
        if tracking { path.append("[\(index)]") }
    }

    private mutating func pop() {
        if tracking { path.removeLast() }
    }

    /// Removes from `x` every field `s` does not specify.
    mutating func prune(_ x: inout JSONValue, _ s: SchemaNode?, embedded: Bool = false) {
        if let s, s.preserveUnknownFields {
            skipPrune(&x, s, embedded: embedded)
            return
        }
        switch x {
        case .object(var object):
            guard let s else {
                for member in object.members { record(member.key) }
                x = .object(JSONObject())
                return
            }
            x = .null  // keep `object` uniquely referenced while it is edited
            let isEmbedded = embedded || s.embeddedResource
            var unknown = false
            for index in object.members.indices {
                let key = object.members[index].key
                if isEmbedded && Self.metaFields.contains(key) { continue }
                if let property = s.properties[key] {
                    push(key: key)
                    prune(&object.members[index].value, property)
                    pop()
                } else if s.additional.isSet {
                    push(key: key)
                    prune(&object.members[index].value, s.additional.node)
                    pop()
                } else {
                    if !Self.metaFields.contains(key) || !path.isEmpty { record(key) }
                    unknown = true
                }
            }
            if unknown {
                object.members.removeAll { member in
                    !(isEmbedded && Self.metaFields.contains(member.key)) && s.properties[member.key] == nil && !s.additional.isSet
                }
            }
            x = .object(object)
        case .array(var items):
            x = .null
            for index in items.indices {
                push(index: index)
                prune(&items[index], s?.items)
                pop()
            }
            x = .array(items)
        default:
            break
        }
    }

    /// x-kubernetes-preserve-unknown-fields: keeps unknown fields, prunes inside known ones.
    private mutating func skipPrune(_ x: inout JSONValue, _ s: SchemaNode?, embedded: Bool) {
        guard let s else { return }
        switch x {
        case .object(var object):
            x = .null
            let isEmbedded = embedded || s.embeddedResource
            for index in object.members.indices {
                let key = object.members[index].key
                if isEmbedded && Self.metaFields.contains(key) { continue }
                if let property = s.properties[key] {
                    push(key: key)
                    prune(&object.members[index].value, property)
                    pop()
                } else if s.additional.isSet {
                    push(key: key)
                    prune(&object.members[index].value, s.additional.node)
                    pop()
                }
            }
            x = .object(object)
        case .array(var items):
            x = .null
            for index in items.indices {
                push(index: index)
                skipPrune(&items[index], s.items, embedded: false)
                pop()
            }
            x = .array(items)
        default:
            break
        }
    }

    /// Removes `null` members whose schema is neither nullable nor defaulted.
    static func pruneNonNullableNulls(_ x: inout JSONValue, _ s: SchemaNode?) {
        switch x {
        case .object(var object):
            x = .null
            var removable = false
            for index in object.members.indices {
                let schema = s.flatMap { $0.properties[object.members[index].key] ?? $0.additional.node }
                if object.members[index].value.isNull {
                    if let schema, !schema.nullable, schema.defaultValue == nil { removable = true }
                } else {
                    pruneNonNullableNulls(&object.members[index].value, schema)
                }
            }
            if removable {
                object.members.removeAll { member in
                    guard member.value.isNull, let schema = s.flatMap({ $0.properties[member.key] ?? $0.additional.node })
                    else { return false }
                    return !schema.nullable && schema.defaultValue == nil
                }
            }
            x = .object(object)
        case .array(var items):
            x = .null
            for index in items.indices { pruneNonNullableNulls(&items[index], s?.items) }
            x = .array(items)
        default:
            break
        }
    }
}
