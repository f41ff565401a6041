import BosunKit
import BosunRuntime

/// Objects and lists as the server sent them, made into the store's shapes (``StoredObject``,
/// ``ObjectList``) that informers and the dynamic client use.
enum ReceivedObjects {
    static func tree(_ bytes: [UInt8]) throws -> JSONObject {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw APIError.internal("the server's answer is not JSON: \(error)")
        }
        guard let object = value.objectValue else { throw APIError.internal("the server's answer is not a JSON object") }
        return object
    }

    /// One object, from its JSON bytes.
    static func object(_ bytes: [UInt8], resource: ResourceDescriptor) throws -> StoredObject {
        StoredObject(received: resource.resourceKey, object: try tree(bytes), bytes: bytes)
    }

    /// One object, from its parsed tree. kube-apiserver leaves `kind` and `apiVersion` out of a
    /// list's items; they are put back, so that every object reads as the store keeps it.
    static func object(_ tree: JSONObject, resource: ResourceDescriptor) -> StoredObject {
        var tree = tree
        if tree["kind"] == nil { tree["kind"] = .string(resource.kind) }
        if tree["apiVersion"] == nil { tree["apiVersion"] = .string(resource.apiVersion) }
        return StoredObject(received: resource.resourceKey, object: tree, bytes: JSONWriter.encode(JSONValue.object(tree)))
    }

    /// A `<Kind>List`: its items, resourceVersion and continue token.
    static func list(_ bytes: [UInt8], resource: ResourceDescriptor) throws -> ObjectList {
        let list = try tree(bytes)
        let meta = list["metadata"]?.objectValue ?? JSONObject()
        let items = (list["items"]?.arrayValue ?? []).compactMap { $0.objectValue.map { object($0, resource: resource) } }
        let token = meta["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return ObjectList(
            items: items, resourceVersion: resourceVersion(meta["resourceVersion"]), continueToken: token,
            remainingItemCount: meta["remainingItemCount"]?.int64Value)
    }

    /// Whether a delete's answer is an object still stored: finalizers keep it, or a grace
    /// period (a pod's) runs. An object answered without either was the last state.
    static func isStillStored(_ object: JSONObject) -> Bool {
        guard let meta = object["metadata"]?.objectValue, let deletion = meta["deletionTimestamp"], !deletion.isNull else {
            return false
        }
        if let finalizers = meta["finalizers"]?.arrayValue, !finalizers.isEmpty { return true }
        return (meta["deletionGracePeriodSeconds"]?.int64Value ?? 0) > 0
    }

    /// A resourceVersion as the store counts them. Kubernetes calls them opaque; every server
    /// in practice sends etcd's revision, a decimal number.
    static func resourceVersion(_ value: JSONValue?) -> Int64 {
        Int64(value?.stringValue ?? "") ?? 0
    }
}
