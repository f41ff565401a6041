/// The two-way strategic merge patch, as kubectl computes it with `CreateTwoWayMergePatch`
/// (`DiffOptions{SetElementOrder: true}`).
extension StrategicMergePatch {
    /// The strategic merge patch that turns `original` into `modified`, both objects of the
    /// generated Swift type `type`: added and changed fields, `null` for removed ones, merge lists
    /// diffed item by item (`$patch: delete` for removed items, `$deleteFromPrimitiveList/<field>`
    /// for removed scalars) with `$setElementOrder/<field>` giving the final order, and
    /// `$retainKeys` for `retainKeys` fields. Keys are sorted, as Go's JSON encoder writes them, so
    /// the result is byte-for-byte what kubectl would send.
    ///
    /// Where upstream would fail (a merge-list item without its merge key, mixed element types,
    /// lists of lists), or when either side is not an object, the result is a replacement that still
    /// yields `modified` when applied: `modified` with `"$patch": "replace"` (or `modified` itself
    /// when it is not an object). A type without patch metadata is diffed as plain JSON.
    public static func diff(from original: JSONValue, to modified: JSONValue, type: String) -> JSONValue {
        diff(from: original, to: modified, schema: PatchMetadata.fields[type] != nil ? Schema(.type(type)) : Schema.plain)
    }

    /// ``diff(from:to:type:)`` with an explicit schema (tests use their own metadata tables).
    static func diff(from original: JSONValue, to modified: JSONValue, schema: Schema) -> JSONValue {
        guard case .object(let target) = modified else { return modified }
        let source: JSONObject
        switch original {
        case .object(let o): source = o
        case .null: source = JSONObject()
        default: return replacement(target)
        }
        do {
            return sortedKeys(.object(try diffMaps(source, target, schema: schema, buildRetainKeys: false)))
        } catch {
            return replacement(target)
        }
    }

    private static func replacement(_ modified: JSONObject) -> JSONValue {
        var object = modified
        object[directiveMarker] = .string("replace")
        return sortedKeys(.object(object))
    }

    /// Objects with their keys in Go's `json.Marshal` order (byte-wise), recursively.
    static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            object.members.sort { GoValueFormat.goLess($0.key, $1.key) }
            for i in object.members.indices { object.members[i].value = sortedKeys(object.members[i].value) }
            return .object(object)
        case .array(let items):
            return .array(items.map(sortedKeys))
        default:
            return value
        }
    }

    /// `diffMaps`.
    static func diffMaps(_ original: JSONObject, _ modified: JSONObject, schema: Schema,
                         buildRetainKeys: Bool) throws(SMPError) -> JSONObject {
        var patch = JSONObject()
        var retainKeys: [JSONValue] = []
        for member in modified.members {
            let key = member.key
            let newValue = member.value
            if buildRetainKeys && !newValue.isNull { retainKeys.append(.string(key)) }
            guard let oldValue = original[key] else {
                patch[key] = newValue
                continue
            }
            if key == directiveMarker {
                guard case .string(let a) = oldValue, case .string(let b) = newValue else {
                    throw .other("invalid value for special key: \(directiveMarker)")
                }
                if a != b { patch[key] = newValue }
                continue
            }
            guard sameKind(oldValue, newValue) else {
                patch[key] = newValue
                continue
            }
            switch (oldValue, newValue) {
            case (.object(let a), .object(let b)):
                let (info, child) = schema.lookup(key)
                let (retain, strategy) = Schema.strategy(info)
                if strategy == "replace" {
                    patch[key] = newValue
                } else {
                    let sub = try diffMaps(a, b, schema: child, buildRetainKeys: retain)
                    if !sub.isEmpty { patch[key] = .object(sub) }
                }
            case (.array(let a), .array(let b)):
                let (info, child) = schema.lookup(key)
                let (retain, strategy) = Schema.strategy(info)
                guard strategy == "merge" else {
                    if a != b { patch[key] = newValue }
                    continue
                }
                let (additions, deletions, order) = try diffLists(a, b, schema: child, mergeKey: info?.mergeKey ?? "",
                                                                   buildRetainKeys: retain)
                if !additions.isEmpty { patch[key] = .array(additions) }
                if !deletions.isEmpty { patch[deleteFromPrimitiveListPrefix + "/" + key] = .array(deletions) }
                if !order.isEmpty { patch[setElementOrderPrefix + "/" + key] = .array(order) }
            default:
                if oldValue != newValue { patch[key] = newValue }
            }
        }
        var modifiedKeys = Set<String>()
        modifiedKeys.reserveCapacity(modified.count)
        for member in modified.members { modifiedKeys.insert(member.key) }
        var hasAdditionalField = false
        for member in original.members where !modifiedKeys.contains(member.key) {
            patch[member.key] = .null
            if !member.value.isNull { hasAdditionalField = true }
        }
        if !retainKeys.isEmpty && (!patch.isEmpty || hasAdditionalField) {
            patch[retainKeysDirective] = .array(sortedScalars(retainKeys))
        }
        return patch
    }

    /// `diffLists`: the patch list, the parallel deletion list (scalars only) and the
    /// `$setElementOrder` list.
    static func diffLists(_ original: [JSONValue], _ modified: [JSONValue], schema: Schema, mergeKey: String,
                          buildRetainKeys: Bool) throws(SMPError) -> ([JSONValue], [JSONValue], [JSONValue]) {
        if original.isEmpty { return (modified, [], []) }
        let kind = try elementKind(original, modified)
        switch kind {
        case .map:
            let (changes, deletions) = try diffListsOfMaps(original, modified, schema: schema, mergeKey: mergeKey,
                                                           buildRetainKeys: buildRetainKeys)
            var list = try normalizeSliceOrder(changes, by: modified, mergeKey: mergeKey, kind: kind)
            let orderSame = try isOrderSame(original, modified, mergeKey: mergeKey)
            list += deletions
            guard !list.isEmpty || !orderSame else { return (list, [], []) }
            let order = modified.map { item -> JSONValue in
                [mergeKey: item.objectValue?[mergeKey] ?? .null]
            }
            return (list, [], order)
        case .list:
            throw .noListOfLists
        default:
            let (additions, deletions) = diffListsOfScalars(original, modified)
            let list = try normalizeSliceOrder(additions, by: modified, mergeKey: mergeKey, kind: kind)
            let order = (!deletions.isEmpty || original != modified) ? modified : []
            return (list, deletions, order)
        }
    }

    /// `isOrderSame`: the same merge keys at the same positions.
    static func isOrderSame(_ original: [JSONValue], _ modified: [JSONValue], mergeKey: String) throws(SMPError) -> Bool {
        guard original.count == modified.count else { return false }
        for (a, b) in zip(original, modified) where try !mergeKeyValueEqual(a, b, mergeKey: mergeKey) {
            return false
        }
        return true
    }

    /// `diffListsOfMaps`: walks both lists sorted by the `%v` text of their merge keys.
    static func diffListsOfMaps(_ original: [JSONValue], _ modified: [JSONValue], schema: Schema, mergeKey: String,
                                buildRetainKeys: Bool) throws(SMPError) -> (changes: [JSONValue], deletions: [JSONValue]) {
        typealias Entry = (object: JSONObject, key: JSONValue?, text: String)
        func sortedEntries(_ list: [JSONValue]) -> [Entry] {
            let entries = list.map { item -> Entry in
                let object = item.objectValue ?? JSONObject()
                let key = object[mergeKey]
                return (object, key, GoValueFormat.v(key ?? .null))
            }
            return entries.enumerated().sorted { a, b in
                a.element.text != b.element.text ? GoValueFormat.goLess(a.element.text, b.element.text) : a.offset < b.offset
            }.map(\.element)
        }
        func keyOf(_ entry: Entry) throws(SMPError) -> JSONValue {
            guard let key = entry.key else { throw .noMergeKey(entry.object, mergeKey) }
            return key
        }
        let a = sortedEntries(original)
        let b = sortedEntries(modified)
        var changes: [JSONValue] = []
        var deletions: [JSONValue] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            // No ternaries with `nil` here: JSONValue is ExpressibleByNilLiteral.
            var aKey: JSONValue?
            var bKey: JSONValue?
            if i < a.count { aKey = try keyOf(a[i]) }
            if j < b.count { bKey = try keyOf(b[j]) }
            if aKey != nil, let bKey, a[i].text == b[j].text {
                var sub = try diffMaps(a[i].object, b[j].object, schema: schema, buildRetainKeys: buildRetainKeys)
                if !sub.isEmpty {
                    sub[mergeKey] = bKey
                    changes.append(.object(sub))
                }
                i += 1
                j += 1
            } else if bKey != nil && (aKey == nil || GoValueFormat.goLess(b[j].text, a[i].text)) {
                changes.append(.object(b[j].object))
                j += 1
            } else if let aKey {
                deletions.append([mergeKey: aKey, directiveMarker: .string("delete")])
                i += 1
            }
        }
        return (changes, deletions)
    }

    /// `diffListsOfScalars`: walks both lists sorted by `%v` text; deletions are deduplicated.
    static func diffListsOfScalars(_ original: [JSONValue], _ modified: [JSONValue]) -> (additions: [JSONValue], deletions: [JSONValue]) {
        let a = sortedScalarEntries(original)
        let b = sortedScalarEntries(modified)
        var additions: [JSONValue] = []
        var deletions: [JSONValue] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count && j < b.count && a[i].text == b[j].text {
                i += 1
                j += 1
            } else if j < b.count && (i >= a.count || GoValueFormat.goLess(b[j].text, a[i].text)) {
                additions.append(b[j].value)
                j += 1
            } else {
                deletions.append(a[i].value)
                i += 1
            }
        }
        return (additions, goDeduplicated(deletions))
    }

    private static func sortedScalarEntries(_ list: [JSONValue]) -> [(value: JSONValue, text: String)] {
        list.enumerated().map { ($0.element, GoValueFormat.v($0.element), $0.offset) }
            .sorted { $0.1 != $1.1 ? GoValueFormat.goLess($0.1, $1.1) : $0.2 < $1.2 }
            .map { (value: $0.0, text: $0.1) }
    }

    /// `sortScalars`: by `%v` text.
    static func sortedScalars(_ list: [JSONValue]) -> [JSONValue] {
        sortedScalarEntries(list).map(\.value)
    }

    /// `deduplicateScalars`, including its habit of moving the last element into a duplicate's
    /// slot.
    static func goDeduplicated(_ items: [JSONValue]) -> [JSONValue] {
        guard Set(items).count != items.count else { return items }
        var s = items
        var length = s.count - 1
        var i = 0
        while i < length {
            var j = i + 1
            while j <= length {
                if s[i] == s[j] {
                    s[j] = s[length]
                    s.removeLast()
                    length -= 1
                    j -= 1
                }
                j += 1
            }
            i += 1
        }
        return s
    }
}
