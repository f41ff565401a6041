/// JSON Merge Patch (RFC 7386, `application/merge-patch+json`) as kube-apiserver applies it
/// (evanphx/json-patch v4 `MergePatch`).
///
/// A `null` member deletes the key, objects merge recursively, anything else (arrays included)
/// replaces the target. Like evanphx, a value that is stored rather than merged has its `null`s
/// pruned — members of objects and elements of arrays, at any depth — except when an object is
/// replaced by an array or scalar, which is stored as given. (RFC 7386 would keep `null`s inside
/// arrays; kube-apiserver does not.)
public enum JSONMergePatch {
    /// Applies `patch` to `document`. A non-object patch replaces the document (an array patch
    /// with its `null` elements pruned); a non-object document is treated as `{}`.
    ///
    /// kube-apiserver refuses a `null` or scalar patch body before merging; call ``validate(_:)``
    /// to get that 400.
    public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else {
            if case .array = patch { return pruneNulls(patch) }
            return patch
        }
        guard case .object(var target) = document else { return pruneNulls(patch) }
        merge(&target, patchObject)
        return .object(target)
    }

    /// Throws what kube-apiserver answers for a merge patch body that is not an object or array:
    /// 400 `Invalid JSON Patch`.
    public static func validate(_ patch: JSONValue) throws(PatchError) {
        switch patch {
        case .object, .array: return
        default: throw .badRequest("Invalid JSON Patch")
        }
    }

    /// The merge patch that turns `original` into `modified` (evanphx's `CreateMergePatch`):
    /// changed and added members, `null` for removed ones, arrays whole. Members appear in
    /// `modified`'s order, then removals in `original`'s order. When either side is not an
    /// object, the patch is `modified` itself.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let a) = original, case .object(let b) = modified else { return modified }
        return .object(diff(a, b))
    }

    // MARK: Implementation

    private static func merge(_ target: inout JSONObject, _ patch: JSONObject) {
        for member in patch.members {
            if member.value.isNull {
                target[member.key] = nil
                continue
            }
            guard let i = target.members.firstIndex(where: { $0.key == member.key }) else {
                target.members.append(JSONObject.Member(key: member.key, value: pruneNulls(member.value)))
                continue
            }
            switch (target.members[i].value, member.value) {
            case (.object(var current), .object(let patchObject)):
                target.members[i].value = .null
                merge(&current, patchObject)
                target.members[i].value = .object(current)
            case (.object, _):
                target.members[i].value = member.value
            default:
                target.members[i].value = pruneNulls(member.value)
            }
        }
    }

    /// evanphx's `pruneNulls`: drops `null` object members and `null` array elements, recursively.
    static func pruneNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            guard object.members.contains(where: { $0.value.isNull || $0.value.isJSONContainer }) else { return value }
            object.members.removeAll { $0.value.isNull }
            for i in object.members.indices where object.members[i].value.isJSONContainer {
                object.members[i].value = pruneNulls(object.members[i].value)
            }
            return .object(object)
        case .array(let items):
            guard items.contains(where: { $0.isNull || $0.isJSONContainer }) else { return value }
            return .array(items.filter { !$0.isNull }.map(pruneNulls))
        default:
            return value
        }
    }

    private static func diff(_ a: JSONObject, _ b: JSONObject) -> JSONObject {
        var into = JSONObject()
        for member in b.members {
            guard let av = a[member.key] else {
                into.members.append(member)
                continue
            }
            switch (av, member.value) {
            case (.object(let ao), .object(let bo)):
                let sub = diff(ao, bo)
                if !sub.isEmpty { into.members.append(JSONObject.Member(key: member.key, value: .object(sub))) }
            default:
                if av != member.value { into.members.append(member) }
            }
        }
        var bKeys = Set<String>()
        bKeys.reserveCapacity(b.count)
        for member in b.members { bKeys.insert(member.key) }
        for member in a.members where !bKeys.contains(member.key) {
            into.members.append(JSONObject.Member(key: member.key, value: .null))
        }
        return into
    }
}
