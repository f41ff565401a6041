/// Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds, as
/// apimachinery's `strategicpatch` applies it server-side (`StrategicMergeMapPatch`) and computes
/// it client-side (`CreateTwoWayMergePatch`), driven by ``PatchMetadata``.
///
/// Semantics, per field of the named type:
/// - maps merge recursively; a `null` value deletes the key;
/// - lists whose strategy is `merge` and that have a merge key (containers by `name`, ports by
///   `containerPort`, conditions by `type`, ...) merge item by item; lists of scalars with the
///   `merge` strategy (finalizers) are unioned; every other list is replaced;
/// - directives: `$patch: replace` (a map, or a list item meaning "replace the whole list"),
///   `$patch: delete` (a map becomes `{}`; a list item deletes every item with that merge key),
///   `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`;
/// - fields not in the metadata are merged as plain JSON (maps merge, lists replace).
///
/// `$patch: merge` is refused, as upstream refuses it (`unknown patch type: merge in map: ...`
/// on a map, `merging lists cannot yet be specified in the patch` in a list).
///
/// Errors follow `interpretStrategicMergePatchError`: malformed directives are 400, a list of
/// lists is 422, and anything else upstream returns as a plain error (missing merge key, mixed
/// element types, unknown `$patch` value) is 500 with an empty reason.
public enum StrategicMergePatch {
    /// Applies `patch` to `document`, an object of the generated Swift type `type` (e.g.
    /// `"Deployment"`, `"Pod"`, `"Scale"`).
    ///
    /// Throws ``PatchError/unsupportedForCustomResources(acceptedMediaTypes:)`` (415) when `type`
    /// has no patch metadata, i.e. for custom resources. A `null` patch changes nothing.
    public static func apply(_ patch: JSONValue, to document: JSONValue, type: String) throws(PatchError) -> JSONValue {
        guard PatchMetadata.fields[type] != nil else { throw .unsupportedForCustomResources() }
        return try apply(patch, to: document, schema: Schema(.type(type)))
    }

    /// Applies `patch` with an explicit schema (tests use their own metadata tables).
    static func apply(_ patch: JSONValue, to document: JSONValue, schema: Schema) throws(PatchError) -> JSONValue {
        let patchObject: JSONObject
        switch patch {
        case .null: return document
        case .object(let o): patchObject = o
        default:
            throw .badRequest("json: cannot unmarshal \(GoValueFormat.jsonKind(patch)) into Go value of type map[string]interface {}")
        }
        var original: JSONObject
        switch document {
        case .object(let o): original = o
        case .null: original = JSONObject()
        default: throw .badRequest("invalid JSON document")
        }
        do {
            try mergeMap(&original, patchObject, schema: schema)
        } catch {
            throw error.patchError
        }
        return .object(original)
    }

    // MARK: Schema

    /// The patch metadata in force at one level of the document.
    struct Schema {
        enum Kind: Equatable {
            /// An object of a generated type.
            case type(String)
            /// A map whose values are of a generated type (`JSONSchemaProps.properties`).
            case mapOf(String)
            /// No metadata: plain JSON merge below this point.
            case plain
        }

        let kind: Kind
        /// The metadata tables: ``PatchMetadata/fields`` unless a test supplies its own.
        let table: [String: [String: FieldPatchInfo]]

        init(_ kind: Kind, table: [String: [String: FieldPatchInfo]] = PatchMetadata.fields) {
            self.kind = kind
            self.table = table
        }

        static let plain = Schema(.plain)

        private func with(_ kind: Kind) -> Schema { Schema(kind, table: table) }

        /// Map-valued fields whose values carry patch metadata. `PatchMetadata` records the value
        /// type of a map field like an object field, so they are listed here; in the Kubernetes
        /// schema these are the only maps of structs.
        static let mapValuedFields: Set<String> = [
            "JSONSchemaProps.definitions", "JSONSchemaProps.patternProperties", "JSONSchemaProps.properties",
        ]

        /// The field's metadata and the schema of its value (or of its list elements).
        func lookup(_ key: String) -> (info: FieldPatchInfo?, child: Schema) {
            switch kind {
            case .plain:
                return (nil, self)
            case .mapOf(let valueType):
                return (nil, with(.type(valueType)))
            case .type(let name):
                guard let info = table[name]?[key] else { return (nil, with(.plain)) }
                guard let element = info.elementType else { return (info, with(.plain)) }
                if Schema.mapValuedFields.contains(name + "." + key) { return (info, with(.mapOf(element))) }
                return (info, with(.type(element)))
            }
        }

        /// `extractRetainKeysPatchStrategy`: whether `retainKeys` is among the strategies, and
        /// the other strategy (`merge`, `replace` or empty).
        static func strategy(_ info: FieldPatchInfo?) -> (retainKeys: Bool, strategy: String) {
            guard let raw = info?.strategy, !raw.isEmpty else { return (false, "") }
            var retainKeys = false
            var other = ""
            for part in raw.split(separator: ",") {
                if part == "retainKeys" { retainKeys = true } else { other = String(part) }
            }
            return (retainKeys, other)
        }
    }

    // MARK: Directive names

    static let directiveMarker = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList"
    static let setElementOrderPrefix = "$setElementOrder"

    // MARK: mergeMap

    /// `mergeMap` with `MergeParallelList` and `IgnoreUnmatchedNulls` (the server-side options).
    static func mergeMap(_ original: inout JSONObject, _ patch: JSONObject, schema: Schema) throws(SMPError) {
        if let directive = patch[directiveMarker] {
            switch directive {
            case .string("replace"):
                var replacement = patch
                replacement[directiveMarker] = nil
                original = replacement
            case .string("delete"):
                original = JSONObject()
            default:
                throw .badPatchType(directive, patch)
            }
            return
        }
        var consumed = Set<String>()
        try applyRetainKeys(&original, patch, consumed: &consumed)
        try mergeSetElementOrder(&original, patch, schema: schema, consumed: &consumed)

        for member in patch.members where !consumed.contains(member.key) {
            var key = member.key
            var isDeleteList = false
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                key = try extractKey(key, prefix: deleteFromPrimitiveListPrefix)
                isDeleteList = true
            }
            let patchValue = member.value
            if patchValue.isNull {
                original[key] = nil
                continue
            }
            guard let index = original.members.firstIndex(where: { $0.key == key }) else {
                if !isDeleteList { original[key] = cleanedNewValue(patchValue) }
                continue
            }
            var current = original.members[index].value
            guard sameKind(current, patchValue) else {
                if !isDeleteList { original[key] = cleanedNewValue(patchValue) }
                continue
            }
            original.members[index].value = .null
            switch (current, patchValue) {
            case (.object(var currentObject), .object(let patchObject)):
                let (info, child) = schema.lookup(key)
                current = .null
                if Schema.strategy(info).strategy == "replace" {
                    currentObject = patchObject
                } else {
                    try mergeMap(&currentObject, patchObject, schema: child)
                }
                original.members[index].value = .object(currentObject)
            case (.array(let currentList), .array(let patchList)):
                let (info, child) = schema.lookup(key)
                current = .null
                let merged = try mergeSliceHandler(currentList, patchList, info: info, schema: child, isDeleteList: isDeleteList)
                original.members[index].value = .array(merged)
            default:
                // Scalars of the same type: the patch value wins.
                original.members[index].value = patchValue
            }
        }
    }

    /// A value stored where the original has nothing to merge with: `null`s discarded, then
    /// directives removed (`nil` when the value itself was a directive map).
    private static func cleanedNewValue(_ value: JSONValue) -> JSONValue? {
        removeDirectives(discardNullValues(value))
    }

    /// Whether two values have the same Go type after decoding (numbers count as one type).
    static func sameKind(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null), (.bool, .bool), (.number, .number), (.string, .string), (.array, .array), (.object, .object):
            return true
        default:
            return false
        }
    }

    /// `extractKey`: the field name after `<prefix>/`.
    static func extractKey(_ key: String, prefix: String) throws(SMPError) -> String {
        guard let slash = key.firstIndex(of: "/"), key[..<slash] == prefix else {
            throw prefix == deleteFromPrimitiveListPrefix ? .badPatchFormatForPrimitiveList : .badPatchFormatForSetElementOrderList
        }
        return String(key[key.index(after: slash)...])
    }
}
