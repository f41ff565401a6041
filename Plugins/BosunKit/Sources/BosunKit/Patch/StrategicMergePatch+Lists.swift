/// List merging and ordering: `mergeSlice` and its helpers from apimachinery's `strategicpatch`,
/// with merge-key lookups indexed so long lists merge in linear time.
extension StrategicMergePatch {
    /// The Go type of a list's elements after decoding (numbers count as one type).
    enum ElementKind: Equatable {
        case null, bool, number, string, list, map

        init(_ value: JSONValue) {
            switch value {
            case .null: self = .null
            case .bool: self = .bool
            case .number: self = .number
            case .string: self = .string
            case .array: self = .list
            case .object: self = .map
            }
        }
    }

    /// `sliceElementType`: the one element type shared by all `lists`.
    static func elementKind(_ lists: [JSONValue]...) throws(SMPError) -> ElementKind {
        var kind: ElementKind?
        for list in lists {
            for item in list {
                let k = ElementKind(item)
                if let kind {
                    if kind != k {
                        throw .other("list element types are not identical: \(GoValueFormat.v(.array(lists.map { .array($0) })))")
                    }
                } else {
                    if k == .list { throw .noListOfLists }
                    kind = k
                }
            }
        }
        guard let kind else { throw .other("no elements in any of the given slices") }
        return kind
    }

    /// `mergeSliceHandler`: merge when the field's strategy is `merge` (or for a
    /// `$deleteFromPrimitiveList`), otherwise the patch list replaces the original.
    static func mergeSliceHandler(_ original: [JSONValue], _ patch: [JSONValue], info: FieldPatchInfo?, schema: Schema,
                                  isDeleteList: Bool) throws(SMPError) -> [JSONValue] {
        guard Schema.strategy(info).strategy == "merge" || isDeleteList else { return patch }
        return try mergeSlice(original, patch, schema: schema, mergeKey: info?.mergeKey ?? "",
                              elementIsStruct: info?.elementType != nil, isDeleteList: isDeleteList)
    }

    /// `mergeSlice`: scalars are unioned (or removed, for a deletion list); maps are matched by
    /// merge key, after `$patch: delete` / `$patch: replace` items are handled; then the result is
    /// ordered with ``normalizeElementOrder(_:_:patchOrder:serverOrder:mergeKey:kind:)``.
    static func mergeSlice(_ original: [JSONValue], _ patch: [JSONValue], schema: Schema, mergeKey: String,
                           elementIsStruct: Bool, isDeleteList: Bool) throws(SMPError) -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        let kind = try elementKind(original, patch)
        var serverOrder = original
        var patchItems = patch
        let merged: [JSONValue]
        if kind != .map {
            if isDeleteList {
                let doomed = Set(patch)
                return original.filter { !doomed.contains($0) }
            }
            merged = deduplicated(original + patch)
        } else {
            if mergeKey.isEmpty {
                throw .other("cannot merge lists without merge key for \(elementIsStruct ? "struct" : "string")")
            }
            (serverOrder, patchItems) = try applySpecialElements(original, patch, mergeKey: mergeKey)
            merged = try mergeByKey(serverOrder, patchItems, mergeKey: mergeKey, schema: schema)
        }
        let (inPatch, serverOnly) = try partition(merged, by: patchItems, mergeKey: mergeKey)
        return try normalizeElementOrder(inPatch, serverOnly, patchOrder: patchItems, serverOrder: serverOrder,
                                         mergeKey: mergeKey, kind: kind)
    }

    /// `mergeSliceWithSpecialElements`: removes every original item whose merge key a
    /// `$patch: delete` item names; `$patch: replace` makes the patch's plain items the whole list.
    static func applySpecialElements(_ original: [JSONValue], _ patch: [JSONValue],
                                     mergeKey: String) throws(SMPError) -> (original: [JSONValue], patch: [JSONValue]) {
        var plain: [JSONValue] = []
        var doomed = Set<JSONValue>()
        var replace = false
        for item in patch {
            guard case .object(let object) = item, let directive = object[directiveMarker] else {
                plain.append(item)
                continue
            }
            switch directive {
            case .string("delete"):
                guard let value = object[mergeKey] else { throw .noMergeKey(object, mergeKey) }
                doomed.insert(value)
            case .string("replace"):
                replace = true
            case .string("merge"):
                throw .other("merging lists cannot yet be specified in the patch")
            default:
                throw .badPatchType(directive, object)
            }
        }
        if replace { return (plain, []) }
        if doomed.isEmpty { return (original, plain) }
        let kept = original.filter { item in
            guard let value = item.objectValue?[mergeKey] else { return true }
            return !doomed.contains(value)
        }
        return (kept, plain)
    }

    /// `mergeSliceWithoutSpecialElements`: each patch item merges into the first item with its
    /// merge key, or is appended.
    static func mergeByKey(_ original: [JSONValue], _ patch: [JSONValue], mergeKey: String,
                           schema: Schema) throws(SMPError) -> [JSONValue] {
        var result = original
        var position: [JSONValue: Int] = [:]
        position.reserveCapacity(original.count + patch.count)
        for (i, item) in original.enumerated() {
            if let value = item.objectValue?[mergeKey], position[value] == nil { position[value] = i }
        }
        for item in patch {
            guard case .object(let patchObject) = item else { throw .badArgType(expected: mapTypeName, item) }
            guard let value = patchObject[mergeKey] else { throw .noMergeKey(patchObject, mergeKey) }
            if let i = position[value], case .object(var target) = result[i] {
                result[i] = .null
                try mergeMap(&target, patchObject, schema: schema)
                result[i] = .object(target)
            } else {
                position[value] = result.count
                result.append(item)
            }
        }
        return result
    }

    /// `deduplicateScalars`, keeping first occurrences (the order is normalised afterwards).
    static func deduplicated(_ items: [JSONValue]) -> [JSONValue] {
        var seen = Set<JSONValue>()
        seen.reserveCapacity(items.count)
        return items.filter { seen.insert($0).inserted }
    }

    /// `partitionPrimitivesByPresentInList` / `partitionMapsByPresentInList`: the items of
    /// `list` that `partitionBy` names, and the rest.
    static func partition(_ list: [JSONValue], by partitionBy: [JSONValue],
                          mergeKey: String) throws(SMPError) -> (inPatch: [JSONValue], serverOnly: [JSONValue]) {
        var inPatch: [JSONValue] = []
        var serverOnly: [JSONValue] = []
        if mergeKey.isEmpty {
            let members = Set(partitionBy)
            for item in list {
                if members.contains(item) { inPatch.append(item) } else { serverOnly.append(item) }
            }
            return (inPatch, serverOnly)
        }
        // findMapInSliceBasedOnKeyValue scans partitionBy and fails at the first non-map it meets.
        var firstNonMap: Int?
        var position: [JSONValue: Int] = [:]
        for (i, item) in partitionBy.enumerated() {
            guard case .object(let object) = item else {
                if firstNonMap == nil { firstNonMap = i }
                continue
            }
            if let value = object[mergeKey], position[value] == nil { position[value] = i }
        }
        for item in list {
            guard case .object(let object) = item else { throw .badArgType(expected: mapTypeName, item) }
            guard let value = object[mergeKey] else { throw .noMergeKey(object, mergeKey) }
            let found = position[value]
            if let bad = firstNonMap, found.map({ $0 > bad }) ?? true {
                throw .other("value for key \(bad) is not a map")
            }
            if found != nil { inPatch.append(item) } else { serverOnly.append(item) }
        }
        return (inPatch, serverOnly)
    }

    /// `normalizeElementOrder`: sorts the patch items by `patchOrder` and the server-only items by
    /// `serverOrder`, then interleaves them by their positions in `serverOrder`.
    static func normalizeElementOrder(_ patchItems: [JSONValue], _ serverOnly: [JSONValue], patchOrder: [JSONValue],
                                      serverOrder: [JSONValue], mergeKey: String, kind: ElementKind) throws(SMPError) -> [JSONValue] {
        let right = try normalizeSliceOrder(patchItems, by: patchOrder, mergeKey: mergeKey, kind: kind)
        let left = try normalizeSliceOrder(serverOnly, by: serverOrder, mergeKey: mergeKey, kind: kind)
        // mergeSortedSlice: a server-only item goes first only when both it and the next patch item
        // have live positions and it comes earlier.
        let live = positions(serverOrder, mergeKey: mergeKey, kind: kind)
        var out: [JSONValue] = []
        out.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count && j < right.count {
            if let li = live[orderKey(left[i], mergeKey: mergeKey, kind: kind)],
               let ri = live[orderKey(right[j], mergeKey: mergeKey, kind: kind)], li < ri {
                out.append(left[i])
                i += 1
            } else {
                out.append(right[j])
                j += 1
            }
        }
        out.append(contentsOf: left[i...])
        out.append(contentsOf: right[j...])
        return out
    }

    /// `normalizeSliceOrder`: a stable sort by position in `order`, `$patch: delete` items last.
    static func normalizeSliceOrder(_ items: [JSONValue], by order: [JSONValue], mergeKey: String,
                                    kind: ElementKind) throws(SMPError) -> [JSONValue] {
        var toSort = items
        var deletions: [JSONValue] = []
        if kind == .map {
            for list in [items, order] {
                for item in list {
                    guard case .object(let object) = item else { throw .badArgType(expected: mapTypeName, item) }
                    if object[mergeKey] == nil { throw .noMergeKey(object, mergeKey) }
                }
            }
            (toSort, deletions) = try splitDeletions(items)
        }
        if toSort.count > 1 {
            let rank = positions(order, mergeKey: mergeKey, kind: kind)
            let keyed = toSort.enumerated().map { (rank[orderKey($0.element, mergeKey: mergeKey, kind: kind)] ?? Int.max, $0.offset) }
            let sorted = keyed.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            toSort = sorted.map { toSort[$0.1] }
        }
        return toSort + deletions
    }

    /// What `index` compares: the merge key's value for maps, the item itself otherwise.
    static func orderKey(_ item: JSONValue, mergeKey: String, kind: ElementKind) -> JSONValue {
        kind == .map ? (item.objectValue?[mergeKey] ?? .null) : item
    }

    /// First positions of each order key in `list`.
    static func positions(_ list: [JSONValue], mergeKey: String, kind: ElementKind) -> [JSONValue: Int] {
        var out: [JSONValue: Int] = [:]
        out.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            let key = orderKey(item, mergeKey: mergeKey, kind: kind)
            if out[key] == nil { out[key] = i }
        }
        return out
    }
}
