// The two checks kube-apiserver's custom resource strategy runs after schema validation:
// uniqueness in arrays with x-kubernetes-list-type `set` / `map` (upstream listtype package) and
// TypeMeta/ObjectMeta of x-kubernetes-embedded-resource objects (upstream objectmeta.Validate;
// the resource root itself is validated by the caller, as upstream).

private func appending(_ path: FieldPath, _ component: FieldPath.Component) -> FieldPath {
    path.appending(component)
}

enum SchemaListTypeCheck {
    static func validate(_ path: FieldPath, _ s: SchemaNode, _ object: JSONObject) -> FieldErrorList {
        guard s.hasListTypes else { return [] }
        var errors: FieldErrorList = []
        for member in object.members {
            if let property = s.properties[member.key] {
                errors += validate(appending(path, .field(member.key)), property, member.value)
            } else if let additional = s.additional.node {
                errors += validate(appending(path, .key(member.key)), additional, member.value)
            }
        }
        return errors
    }

    static func validate(_ path: FieldPath, _ s: SchemaNode, _ value: JSONValue) -> FieldErrorList {
        switch value {
        case .object(let object): return validate(path, s, object)
        case .array(let items): return validateArray(path, s, items)
        default: return []
        }
    }

    static func validateArray(_ path: FieldPath, _ s: SchemaNode, _ items: [JSONValue]) -> FieldErrorList {
        guard s.hasListTypes else { return [] }
        var errors: FieldErrorList = []
        switch s.listType {
        case "set":
            for i in nonUnique(items) {
                errors.append(FieldError(.duplicate, appending(path, .index(i)), value: GoRender.badValue(items[i])))
            }
        case "map":
            errors += validateMap(path, s, items)
        default: break
        }
        if let itemSchema = s.items {
            for (i, item) in items.enumerated() { errors += validate(appending(path, .index(i)), itemSchema, item) }
        }
        return errors
    }

    private static func validateMap(_ path: FieldPath, _ s: SchemaNode, _ items: [JSONValue]) -> FieldErrorList {
        for (i, item) in items.enumerated() {
            switch item {
            case .null, .object: continue
            default:
                return [FieldError(.invalid, appending(path, .index(i)), value: GoRender.badValue(item),
                                   "must be an object for an array of list-type map")]
            }
        }
        guard items.count > 1 else { return [] }
        if s.listMapKeys.count == 1 {
            let keyField = s.listMapKeys[0]
            let keys: [SetKey] = items.map { item in item.objectValue?[keyField].map(SetKey.init) ?? .unspecified }
            return nonUnique(keys).map { i in
                let rendered: String
                if case .unspecified = keys[i] {
                    rendered = "map[string]interface {}{}"
                } else {
                    rendered = GoRender.sharpV(.object([keyField: items[i].objectValue?[keyField] ?? .null]))
                }
                return FieldError(.duplicate, appending(path, .index(i)), value: rendered)
            }
        }
        let keys: [JSONValue] = items.map { item in
            var key = JSONObject()
            if let object = item.objectValue {
                for field in s.listMapKeys { if let v = object[field] { key[field] = v } }
            }
            return .object(key)
        }
        return nonUnique(keys).map { FieldError(.duplicate, appending(path, .index($0)), value: GoRender.badValue(keys[$0])) }
    }

    /// A value as a key of Go's uniqueness maps: scalars by Go `==` (int64 and float64 differ),
    /// objects and arrays by their `json.Marshal` text.
    enum SetKey: Hashable {
        case unspecified, null, bool(Bool), int(Int64), double(Double), string([UInt8]), compound(String)

        init(_ value: JSONValue) {
            switch value {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .number(.int(let i)): self = .int(i)
            case .number(.double(let d)): self = .double(d)
            case .string(let s): self = .string(Array(s.utf8))
            case .object, .array: self = .compound(GoRender.json(value))
            }
        }
    }

    /// The index of the second occurrence of every repeated element (upstream `validateListSet`).
    static func nonUnique(_ items: [JSONValue]) -> [Int] { nonUnique(items.map(SetKey.init)) }

    static func nonUnique(_ keys: [SetKey]) -> [Int] {
        guard keys.count > 1 else { return [] }
        var seen: [SetKey: Int] = [:]
        var result: [Int] = []
        for (i, key) in keys.enumerated() {
            let times = seen[key, default: 0]
            seen[key] = times + 1
            if times == 1 { result.append(i) }
        }
        return result
    }
}

enum SchemaEmbeddedResourceCheck {
    static func validate(_ path: FieldPath, _ value: JSONValue, _ s: SchemaNode?) -> FieldErrorList {
        guard let s, s.hasEmbeddedResources else { return [] }
        var errors: FieldErrorList = []
        switch value {
        case .object(let object):
            if s.embeddedResource { errors += validateResource(path, object) }
            for member in object.members {
                if let property = s.properties[member.key] {
                    errors += validate(appending(path, .field(member.key)), member.value, property)
                } else if s.additional.isSet {
                    errors += validate(appending(path, .key(member.key)), member.value, s.additional.node)
                }
            }
        case .array(let items):
            for (i, item) in items.enumerated() { errors += validate(appending(path, .index(i)), item, s.items) }
        default: break
        }
        return errors
    }

    static func validateResource(_ path: FieldPath, _ object: JSONObject) -> FieldErrorList {
        var errors: FieldErrorList = []
        let apiVersionPath = appending(path, .field("apiVersion")), kindPath = appending(path, .field("kind"))
        if object["apiVersion"] == nil { errors.append(.required(apiVersionPath)) }
        if object["kind"] == nil { errors.append(.required(kindPath)) }
        for member in object.members {
            switch member.key {
            case "apiVersion":
                guard case .string(let apiVersion) = member.value else {
                    errors.append(FieldError(.invalid, apiVersionPath, value: GoRender.badValue(member.value), "must be a string"))
                    continue
                }
                if apiVersion.isEmpty {
                    errors.append(.required(apiVersionPath))
                } else if apiVersion != "/", apiVersion.utf8.filter({ $0 == UInt8(ascii: "/") }).count > 1 {
                    errors.append(.invalid(apiVersionPath, apiVersion, "unexpected GroupVersion string: \(apiVersion)"))
                }
            case "kind":
                guard case .string(let kind) = member.value else {
                    errors.append(FieldError(.invalid, kindPath, value: GoRender.badValue(member.value), "must be a string"))
                    continue
                }
                if kind.isEmpty {
                    errors.append(.required(kindPath))
                } else {
                    let messages = Validation.isDNS1035Label(kind.lowercased())
                    if !messages.isEmpty {
                        errors.append(.invalid(kindPath, kind, "may have mixed case, but should otherwise match: "
                                               + messages.joined(separator: ",")))
                    }
                }
            case "metadata":
                let metadataPath = appending(path, .field("metadata"))
                do {
                    var meta = try ObjectMeta(json: member.value)
                    if (meta.name ?? "").isEmpty { meta.name = "fakename" }
                    errors += Validation.validateObjectMeta(meta, namespaced: !(meta.namespace ?? "").isEmpty,
                                                            name: Validation.nameIsPathSegment, kubeFinalizers: false,
                                                            path: metadataPath)
                } catch {
                    errors.append(FieldError(.invalid, metadataPath, value: GoRender.badValue(member.value), "\(error)"))
                }
            default: break
            }
        }
        return errors
    }
}
