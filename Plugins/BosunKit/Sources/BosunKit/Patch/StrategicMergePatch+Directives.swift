/// An error inside strategic merge patch, worded as apimachinery's `mergepatch` and
/// `strategicpatch` packages word it, and classified as `interpretStrategicMergePatchError` does.
enum SMPError: Error {
    /// `mergepatch.ErrBadJSONDoc` and the `ErrBadPatchFormat...` errors: 400.
    case badRequest(String)
    /// `mergepatch.ErrNoListOfLists`: 422.
    case unprocessable(String)
    /// Any other error: kube-apiserver returns it as is, so the client sees 500.
    case other(String)

    var patchError: PatchError {
        switch self {
        case .badRequest(let m): .badRequest(m)
        case .unprocessable(let m): .unprocessable(m)
        case .other(let m): .unclassified(m)
        }
    }

    static let badPatchFormatForPrimitiveList = SMPError.badRequest("invalid patch format of primitive list")
    static let badPatchFormatForRetainKeys = SMPError.badRequest("invalid patch format of retainKeys")
    static let badPatchFormatForSetElementOrderList = SMPError.badRequest("invalid patch format of setElementOrder list")
    static let noListOfLists = SMPError.unprocessable("lists of lists are not supported")

    static func noMergeKey(_ map: JSONObject, _ key: String) -> SMPError {
        .other("map: \(GoValueFormat.v(map)) does not contain declared merge key: \(key)")
    }

    static func badArgType(expected: String, _ actual: JSONValue) -> SMPError {
        .other("expected a \(expected), but received a \(GoValueFormat.typeName(actual))")
    }

    static func badPatchType(_ directive: JSONValue, _ map: JSONObject) -> SMPError {
        let shown: String
        switch directive {
        case .string(let s): shown = s
        case .null: shown = "%!s(<nil>)"
        case .bool, .number: shown = "%!s(\(GoValueFormat.typeName(directive))=\(GoValueFormat.v(directive)))"
        default: shown = GoValueFormat.v(directive)
        }
        return .other("unknown patch type: \(shown) in map: \(GoValueFormat.v(map))")
    }

    var message: String {
        switch self {
        case .badRequest(let m), .unprocessable(let m), .other(let m): m
        }
    }
}

extension StrategicMergePatch {
    static let mapTypeName = "map[string]interface {}"
    static let sliceTypeName = "[]interface {}"

    /// `applyRetainKeysDirective`: checks that every non-null patch field is retained, then drops
    /// the original's fields that are not.
    static func applyRetainKeys(_ original: inout JSONObject, _ patch: JSONObject, consumed: inout Set<String>) throws(SMPError) {
        guard let directive = patch[retainKeysDirective] else { return }
        consumed.insert(retainKeysDirective)
        guard case .array(let list) = directive else { throw .badPatchFormatForRetainKeys }
        var keep = Set<String>()
        for case .string(let key) in list { keep.insert(key) }
        for member in patch.members where member.key != retainKeysDirective {
            if member.value.isNull || member.key.hasPrefix(deleteFromPrimitiveListPrefix)
                || member.key.hasPrefix(setElementOrderPrefix) {
                continue
            }
            if !keep.contains(member.key) { throw .badPatchFormatForRetainKeys }
        }
        original.members.removeAll { !keep.contains($0.key) }
    }

    /// `mergePatchIntoOriginal`: for each `$setElementOrder/<field>`, merges the field's patch list
    /// (if any) into the original's and orders the result: `$setElementOrder` first, then the
    /// patch's order, then the live order.
    static func mergeSetElementOrder(_ original: inout JSONObject, _ patch: JSONObject, schema: Schema,
                                     consumed: inout Set<String>) throws(SMPError) {
        for member in patch.members where member.key.hasPrefix(setElementOrderPrefix) {
            consumed.insert(member.key)
            guard case .array(let order) = member.value else { throw .badArgType(expected: sliceTypeName, member.value) }
            let field = try extractKey(member.key, prefix: setElementOrderPrefix)
            var originalList: [JSONValue]?
            var patchList: [JSONValue]?
            if let value = original[field] {
                guard case .array(let list) = value else { throw .badArgType(expected: sliceTypeName, value) }
                originalList = list
            }
            if !consumed.contains(field), let value = patch[field] {
                guard case .array(let list) = value else { throw .badArgType(expected: sliceTypeName, value) }
                patchList = list
            }
            let (info, child) = schema.lookup(field)
            let mergeKey = info?.mergeKey ?? ""
            try validatePatchWithSetOrderList(patchList, order, mergeKey: mergeKey)

            let merged: [JSONValue]
            switch (originalList, patchList) {
            case (let o?, nil): merged = o
            case (nil, let p?): merged = removeDirectives(.array(p))?.arrayValue ?? []
            case (let o?, let p?): merged = try mergeSliceHandler(o, p, info: info, schema: child, isDeleteList: false)
            case (nil, nil): continue
            }
            let kind = try elementKind(originalList ?? [], patchList ?? [])
            let (patchItems, serverOnly) = try partition(merged, by: order, mergeKey: mergeKey)
            let ordered = try normalizeElementOrder(patchItems, serverOnly, patchOrder: order, serverOrder: originalList ?? [],
                                                    mergeKey: mergeKey, kind: kind)
            original[field] = .array(ordered)
            consumed.insert(field)
        }
    }

    /// `validatePatchWithSetOrderList`: the patch list's items (deletions and directives aside)
    /// must appear in `$setElementOrder`, in the same relative order.
    static func validatePatchWithSetOrderList(_ patchList: [JSONValue]?, _ order: [JSONValue], mergeKey: String) throws(SMPError) {
        guard let patchList, !patchList.isEmpty, !order.isEmpty else { return }
        var items = patchList
        if !mergeKey.isEmpty { items = try splitDeletions(patchList).keep }
        var p = 0
        var o = 0
        while p < items.count && o < order.count {
            if let object = items[p].objectValue, object[directiveMarker] != nil {
                p += 1
                continue
            }
            if try mergeKeyValueEqual(items[p], order[o], mergeKey: mergeKey) { p += 1 }
            o += 1
        }
        if p < items.count && o >= order.count {
            throw .other("the order in patch list:\n\(GoValueFormat.v(.array(patchList)))\n doesn't match \(setElementOrderPrefix) list:\n\(GoValueFormat.v(.array(order)))")
        }
    }

    static func mergeKeyValueEqual(_ left: JSONValue, _ right: JSONValue, mergeKey: String) throws(SMPError) -> Bool {
        if mergeKey.isEmpty { return left == right }
        guard case .object(let l) = left else { throw .badArgType(expected: mapTypeName, left) }
        guard case .object(let r) = right else { throw .badArgType(expected: mapTypeName, right) }
        guard let lv = l[mergeKey] else { throw .noMergeKey(l, mergeKey) }
        guard let rv = r[mergeKey] else { throw .noMergeKey(r, mergeKey) }
        return lv == rv
    }

    /// `extractToDeleteItems`: items carrying `$patch: delete` apart from the rest.
    static func splitDeletions(_ list: [JSONValue]) throws(SMPError) -> (keep: [JSONValue], delete: [JSONValue]) {
        var keep: [JSONValue] = []
        var delete: [JSONValue] = []
        for item in list {
            guard case .object(let object) = item else { throw .badArgType(expected: mapTypeName, item) }
            if object[directiveMarker] == .string("delete") { delete.append(item) } else { keep.append(item) }
        }
        return (keep, delete)
    }

    /// `removeDirectives`: drops every map carrying `$patch` (and so the member or element holding
    /// it); `nil` when `value` itself is such a map.
    static func removeDirectives(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(var object):
            if object[directiveMarker] != nil { return nil }
            guard object.members.contains(where: { $0.value.isJSONContainer }) else { return value }
            var kept: [JSONObject.Member] = []
            kept.reserveCapacity(object.members.count)
            for member in object.members {
                if let v = removeDirectives(member.value) { kept.append(JSONObject.Member(key: member.key, value: v)) }
            }
            object.members = kept
            return .object(object)
        case .array(let items):
            guard items.contains(where: { $0.isJSONContainer }) else { return value }
            return .array(items.compactMap(removeDirectives))
        default:
            return value
        }
    }

    /// `discardNullValuesFromPatch`: removes `null` members of maps at any depth (array elements
    /// stay).
    static func discardNullValues(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            guard object.members.contains(where: { $0.value.isNull || $0.value.isJSONContainer }) else { return value }
            object.members.removeAll { $0.value.isNull }
            for i in object.members.indices where object.members[i].value.isJSONContainer {
                object.members[i].value = discardNullValues(object.members[i].value)
            }
            return .object(object)
        case .array(let items):
            guard items.contains(where: { $0.isJSONContainer }) else { return value }
            return .array(items.map(discardNullValues))
        default:
            return value
        }
    }
}
