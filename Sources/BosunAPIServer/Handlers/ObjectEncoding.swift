import BosunKit
import BosunStore

/// The JSON the server writes around stored objects: lists, watch events, delete statuses.
/// Stored objects are written as the bytes the store keeps, never re-encoded.
enum ObjectEncoding {
    /// `{"kind":"<Kind>List","apiVersion":...,"metadata":{...},"items":[...]}`.
    static func list(_ list: ObjectList, descriptor: ResourceDescriptor) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 128 + list.items.reduce(0) { $0 + $1.byteCount + 1 })
        w.objectStart()
        w.field("kind", descriptor.kind + "List")
        w.field("apiVersion", descriptor.apiVersion)
        w.key("metadata")
        w.objectStart()
        w.field("resourceVersion", String(list.resourceVersion))
        w.field("continue", list.continueToken)
        w.field("remainingItemCount", list.remainingItemCount)
        w.objectEnd()
        w.key("items")
        w.arrayStart()
        for item in list.items { w.raw(writtenBy: item.appendJSON) }
        w.arrayEnd()
        w.objectEnd()
        return w.bytes
    }

    /// One watch event and its newline: `{"type":"ADDED","object":{...}}\n`.
    static func watchEvent(_ event: StoreEvent, descriptor: ResourceDescriptor, into bytes: inout [UInt8]) {
        var w = JSONWriter(reservingCapacity: 32 + (event.object?.byteCount ?? 96))
        w.objectStart()
        w.field("type", event.type.rawValue)
        w.key("object")
        if event.type == .bookmark || event.object == nil {
            // A bookmark carries only the kind and the resourceVersion to resume from.
            w.objectStart()
            w.field("kind", descriptor.kind)
            w.field("apiVersion", descriptor.apiVersion)
            w.key("metadata")
            w.objectStart()
            w.field("resourceVersion", String(event.resourceVersion))
            w.objectEnd()
            w.objectEnd()
        } else if let object = event.object {
            w.raw(writtenBy: object.appendJSON)
        }
        w.objectEnd()
        bytes.append(contentsOf: w.bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// The ERROR event that ends a watch kube-apiserver could not serve (410 Expired).
    static func watchError(_ error: APIError) -> [UInt8] {
        var status = error.status
        status.status = "Failure"
        var w = JSONWriter()
        w.objectStart()
        w.field("type", "ERROR")
        w.field("object", status)
        w.objectEnd()
        return w.bytes + [UInt8(ascii: "\n")]
    }

    /// The `Status` kube-apiserver answers for a delete that removed the object at once
    /// (`finalizeDelete` without `ReturnDeletedObject`): details name the resource, not the kind.
    static func deletedStatus(_ object: StoredObject, descriptor: ResourceDescriptor) -> [UInt8] {
        let details = StatusDetails(group: descriptor.group, kind: descriptor.plural, name: object.key.name, uid: object.uid)
        return JSONWriter.encode(Status(status: "Success", details: details))
    }
}
