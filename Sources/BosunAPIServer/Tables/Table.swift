import BosunKit
import BosunStore

/// One column of a `meta.k8s.io` Table: kubectl prints the columns of priority 0, and those of
/// higher priority too with `-o wide`.
struct TableColumn: Sendable {
    var name: String
    var type: String
    var format: String = ""
    var description: String
    var priority: Int = 0

    static let name = TableColumn(
        name: "Name", type: "string", format: "name",
        description: "Name must be unique within a namespace. Is required when creating resources, although some "
            + "resources may allow a client to request the generation of an appropriate name automatically. Name is "
            + "primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: "
            + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
    static let age = TableColumn(
        name: "Age", type: "string",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created. It "
            + "is not guaranteed to be set in happens-before order across separate operations. Clients may not set "
            + "this value. It is represented in RFC3339 form and is in UTC.")
    static let containers = TableColumn(name: "Containers", type: "string",
                                        description: "Names of each container in the template.", priority: 1)
    static let images = TableColumn(name: "Images", type: "string",
                                    description: "Images referenced by each container in the template.", priority: 1)
    static func selector(_ description: String) -> TableColumn {
        TableColumn(name: "Selector", type: "string", description: description, priority: 1)
    }
}

/// One row: its cells, in the order of the columns, and the row's conditions (`Completed` for
/// pods that finished, as upstream's printer marks them).
struct TableRow: Sendable {
    var cells: [JSONValue]
    var conditions: [JSONValue] = []
}

/// How a kind is printed: its columns and how one object becomes a row.
struct TablePrinter: Sendable {
    var columns: [TableColumn]
    var row: @Sendable (_ object: JSONValue, _ now: Time) -> TableRow
}

/// What each row carries of its object (`includeObject`): kube-apiserver's default is the
/// metadata only, as a `PartialObjectMetadata`.
enum IncludeObject: String, Sendable {
    case none = "None"
    case metadata = "Metadata"
    case object = "Object"
}

/// The Table's wire form, written around the stored objects' bytes.
struct TableEncoding: Sendable {
    /// `v1` or `v1beta1` of `meta.k8s.io`, as the client asked.
    var version: String
    var include: IncludeObject
    var printer: TablePrinter

    var contentType: String { "application/json;as=Table;v=\(version);g=meta.k8s.io" }

    /// A Table of `objects` with the list metadata kube-apiserver gives it.
    func encode(
        _ objects: [StoredObject], resourceVersion: Int64?, continueToken: String? = nil,
        remainingItemCount: Int64? = nil, now: Time
    ) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 512 + objects.count * 256)
        w.objectStart()
        w.field("kind", "Table")
        w.field("apiVersion", "meta.k8s.io/" + version)
        w.key("metadata")
        w.objectStart()
        if let resourceVersion { w.field("resourceVersion", String(resourceVersion)) }
        w.field("continue", continueToken)
        w.field("remainingItemCount", remainingItemCount)
        w.objectEnd()
        w.key("columnDefinitions")
        w.arrayStart()
        for column in printer.columns {
            w.objectStart()
            w.field("name", column.name)
            w.field("type", column.type)
            w.field("format", column.format)
            w.field("description", column.description)
            w.field("priority", Int64(column.priority))
            w.objectEnd()
        }
        w.arrayEnd()
        w.key("rows")
        w.arrayStart()
        for object in objects { writeRow(object, into: &w, now: now) }
        w.arrayEnd()
        w.objectEnd()
        return w.bytes
    }

    private func writeRow(_ stored: StoredObject, into w: inout JSONWriter, now: Time) {
        // A stored object is always valid JSON; a row of nulls would only hide a store bug.
        let object = (try? JSONParser.parse(stored.bytes)) ?? .null
        let row = printer.row(object, now)
        w.objectStart()
        w.field("cells", JSONValue.array(row.cells))
        if !row.conditions.isEmpty { w.field("conditions", JSONValue.array(row.conditions)) }
        switch include {
        case .none: break
        case .object:
            w.key("object")
            w.raw(writtenBy: stored.appendJSON)
        case .metadata:
            w.key("object")
            w.objectStart()
            w.field("kind", "PartialObjectMetadata")
            w.field("apiVersion", "meta.k8s.io/" + version)
            w.field("metadata", object["metadata"] ?? .object(JSONObject()))
            w.objectEnd()
        }
        w.objectEnd()
    }
}
