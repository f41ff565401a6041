// A CRD schema compiled once for validation, pruning and defaulting: the conversion upstream
// does in `ConvertJSONSchemaPropsWithPostProcess` (x-kubernetes-int-or-string becomes the type
// list `integer,string`; formats kube-apiserver does not support are dropped) plus the
// structural view (`properties`, `items`, `additionalProperties`, defaults, extensions).
// Patterns are compiled here, once.

/// One compiled schema node. Immutable, shared between threads.
final class SchemaNode: Sendable {
    enum Additional: Sendable {
        case none
        case allows(Bool)
        case schema(SchemaNode)

        /// The structural schema of unknown keys (`nil` for a bare `true`/`false`).
        var node: SchemaNode? { if case .schema(let s) = self { s } else { nil } }
        var isSet: Bool { if case .none = self { false } else { true } }
    }

    let types: [String]
    let nullable: Bool
    /// The format after kube-apiserver's stripping of unsupported formats ("" when none).
    let format: String
    let formatCheck: SchemaFormats.Check?
    let maximum: Double?
    let exclusiveMaximum: Bool
    let minimum: Double?
    let exclusiveMinimum: Bool
    let multipleOf: Double?
    let maxLength: Int64?
    let minLength: Int64?
    let pattern: String?
    let regex: Result<GoRegex, GoRegexError>?
    let maxItems: Int64?
    let minItems: Int64?
    let uniqueItems: Bool
    let maxProperties: Int64?
    let minProperties: Int64?
    let required: [String]
    let enumValues: [JSONValue]
    let properties: [String: SchemaNode]
    /// The properties that have a `default`, sorted by name (the order defaults are added in).
    let defaultedProperties: [(name: String, node: SchemaNode)]
    let additional: Additional
    let items: SchemaNode?
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?
    /// `default`, `nil` when absent or `null` (upstream treats both alike).
    let defaultValue: JSONValue?
    let preserveUnknownFields: Bool
    let embeddedResource: Bool
    let listType: String?
    let listMapKeys: [String]
    /// Whether this subtree has anything for defaulting / list-type / embedded-resource passes
    /// to do, so those passes can skip untouched subtrees.
    let hasDefaults: Bool
    let hasListTypes: Bool
    let hasEmbeddedResources: Bool

    /// Formats kube-apiserver 1.32 validates on strings (normalized: dashes removed).
    static let supportedStringFormats: Set<String> = [
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4",
        "uuid5", "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password",
        "date", "duration", "datetime", "quantity",
    ]

    init(_ props: JSONSchemaProps) {
        var types: [String] = []
        if let type = props.type, !type.isEmpty { types = [type] }
        if props.xKubernetesIntOrString == true { types = ["integer", "string"] }
        self.types = types
        nullable = props.nullable ?? false

        // StripUnsupportedFormatsPostProcess.
        var format = props.format ?? ""
        let normalized = String(format.unicodeScalars.filter { $0 != "-" })
        switch types.count == 1 ? types[0] : "" {
        case "", "string": if !Self.supportedStringFormats.contains(normalized) { format = "" }
        case "integer": if format != "int32" && format != "int64" { format = "" }
        case "number": if format != "float" && format != "double" { format = "" }
        default: format = ""
        }
        self.format = format
        formatCheck = format.isEmpty ? nil : SchemaFormats.check(named: normalized)

        maximum = props.maximum
        exclusiveMaximum = props.exclusiveMaximum ?? false
        minimum = props.minimum
        exclusiveMinimum = props.exclusiveMinimum ?? false
        multipleOf = props.multipleOf
        maxLength = props.maxLength
        minLength = props.minLength
        if let pattern = props.pattern, !pattern.isEmpty {
            self.pattern = pattern
            do throws(GoRegexError) { regex = .success(try GoRegex(pattern)) } catch { regex = .failure(error) }
        } else {
            pattern = nil
            regex = nil
        }
        maxItems = props.maxItems
        minItems = props.minItems
        uniqueItems = props.uniqueItems ?? false
        maxProperties = props.maxProperties
        minProperties = props.minProperties
        required = props.required ?? []
        enumValues = props.enum ?? []

        var properties: [String: SchemaNode] = [:]
        for (name, sub) in props.properties ?? [:] { properties[name] = SchemaNode(sub) }
        self.properties = properties
        defaultedProperties = properties.filter { $0.value.defaultValue != nil }
            .map { (name: $0.key, node: $0.value) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        switch props.additionalProperties {
        case .bool(let b)?: additional = .allows(b)
        case .object?:
            if let sub = props.additionalProperties.flatMap({ try? JSONSchemaProps(json: $0) }) {
                additional = .schema(SchemaNode(sub))
            } else {
                additional = .allows(true)
            }
        default: additional = .none
        }
        // v1 CRDs only allow a single schema for `items` (not the tuple form).
        if case .object? = props.items, let sub = props.items.flatMap({ try? JSONSchemaProps(json: $0) }) {
            items = SchemaNode(sub)
        } else {
            items = nil
        }
        allOf = (props.allOf ?? []).map(SchemaNode.init)
        anyOf = (props.anyOf ?? []).map(SchemaNode.init)
        oneOf = (props.oneOf ?? []).map(SchemaNode.init)
        not = props.not.map(SchemaNode.init)
        if let value = props.default, !value.isNull { defaultValue = value } else { defaultValue = nil }
        preserveUnknownFields = props.xKubernetesPreserveUnknownFields ?? false
        embeddedResource = props.xKubernetesEmbeddedResource ?? false
        listType = props.xKubernetesListType
        listMapKeys = props.xKubernetesListMapKeys ?? []

        let children = Array(properties.values) + [additional.node, items].compactMap { $0 }
        hasDefaults = children.contains { $0.defaultValue != nil || $0.hasDefaults }
        hasListTypes = listType == "set" || listType == "map" || children.contains { $0.hasListTypes }
        hasEmbeddedResources = embeddedResource || children.contains { $0.hasEmbeddedResources }
    }

    /// A schema that accepts anything and keeps every field (no `openAPIV3Schema`).
    static let permissive = SchemaNode(JSONSchemaProps(xKubernetesPreserveUnknownFields: true))
}
