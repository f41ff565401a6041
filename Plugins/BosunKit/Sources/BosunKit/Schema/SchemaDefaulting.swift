// Defaulting (upstream defaulting.Default): a property's `default` is set when the property is
// absent, or `null` while the property is not nullable; array items and additionalProperties
// values that are non-nullable nulls become their schema's default. Defaults are applied before
// recursing, so defaults inside defaulted values apply too.

enum SchemaDefaulter {
    static func isNonNullableNull(_ x: JSONValue, _ s: SchemaNode?) -> Bool {
        x.isNull && s != nil && !s!.nullable
    }

    static func apply(_ x: inout JSONValue, _ s: SchemaNode?) {
        guard let s, s.hasDefaults else { return }
        switch x {
        case .object(var object):
            x = .null  // keep `object` uniquely referenced while it is edited
            for (name, property) in s.defaultedProperties {
                let current = object[name]
                if current == nil || isNonNullableNull(current!, property) { object[name] = property.defaultValue }
            }
            for index in object.members.indices {
                if let property = s.properties[object.members[index].key] {
                    apply(&object.members[index].value, property)
                } else if s.additional.isSet {
                    let additional = s.additional.node
                    if isNonNullableNull(object.members[index].value, additional) {
                        object.members[index].value = additional?.defaultValue ?? .null
                    }
                    apply(&object.members[index].value, additional)
                }
            }
            x = .object(object)
        case .array(var items):
            x = .null
            for index in items.indices {
                if isNonNullableNull(items[index], s.items) { items[index] = s.items?.defaultValue ?? .null }
                apply(&items[index], s.items)
            }
            x = .array(items)
        default:
            break
        }
    }
}
