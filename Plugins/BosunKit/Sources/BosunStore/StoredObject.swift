import BosunKit

/// Where an object lives: its resource, namespace (empty for cluster-scoped) and name.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var resource: GroupResource
    public var namespace: String
    public var name: String

    public init(_ resource: GroupResource, namespace: String = "", name: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    /// The backend key, as kube-apiserver lays out etcd: `/registry/<group>/<resource>/<ns>/<name>`.
    public var storageKey: String {
        let group = resource.group.isEmpty ? "core" : resource.group
        return namespace.isEmpty
            ? "/registry/\(group)/\(resource.resource)/\(name)"
            : "/registry/\(group)/\(resource.resource)/\(namespace)/\(name)"
    }

    /// `namespace/name` or `name`, the order lists are returned in.
    public var path: String { namespace.isEmpty ? name : namespace + "/" + name }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        a.namespace != b.namespace ? a.namespace < b.namespace : a.name < b.name
    }

    public var description: String { "\(resource)/\(path)" }
}

/// An object as the store holds it: its JSON bytes, and the facts the store indexes.
///
/// Instances are immutable and shared: lists, watch events and caches hand out the same one, so
/// passing it around costs one reference count, not a copy of its parts.
public final class StoredObject: Sendable {
    public let key: ObjectKey
    /// The object's JSON, `metadata.resourceVersion` included.
    public let bytes: [UInt8]
    public let resourceVersion: Int64
    public let uid: String
    public let labels: [String: String]
    /// Selectable fields for field selectors (`spec.nodeName`, `status.phase`, ...).
    public var fields: SelectableFields { SelectableFields(pairs: fieldPairs, name: key.name, namespace: key.namespace) }
    /// The non-empty selectable fields other than name and namespace (which the key holds): a
    /// pod has a dozen selectable fields, most of them empty, and a dictionary of them would
    /// cost several hundred bytes per stored object.
    private let fieldPairs: [(String, String)]
    public let ownerUIDs: [String]
    public let finalizers: [String]
    public let isDeleting: Bool
    /// `metadata.deletionGracePeriodSeconds`, when set.
    public let deletionGracePeriodSeconds: Int64?

    init(key: ObjectKey, object: JSONObject, resourceVersion: Int64, kind: String) {
        self.key = key
        self.resourceVersion = resourceVersion
        let value = JSONValue.object(object)
        bytes = JSONWriter.encode(value)
        let meta = object["metadata"]?.objectValue ?? JSONObject()
        uid = meta["uid"]?.stringValue ?? ""
        labels = (try? [String: String](json: meta["labels"] ?? .null)) ?? [:]
        fieldPairs = FieldSelector.fields(of: value, kind: kind)
            .filter { !$0.value.isEmpty && $0.key != "metadata.name" && $0.key != "metadata.namespace" }
            .sorted { $0.key < $1.key }
        ownerUIDs = meta["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
        finalizers = (try? [String](json: meta["finalizers"] ?? .null)) ?? []
        isDeleting = meta["deletionTimestamp"].map { !$0.isNull } ?? false
        deletionGracePeriodSeconds = meta["deletionGracePeriodSeconds"]?.int64Value
    }

    /// The object as a JSON tree.
    public func unstructured() -> UnstructuredObject {
        // The store wrote these bytes itself from a JSON object.
        let tree = (try? JSONParser.parse(bytes)) ?? .object(JSONObject())
        return UnstructuredObject(tree.objectValue ?? JSONObject())
    }

    /// The object decoded into a typed value.
    public func decode<T: TypedObject>(as type: T.Type) throws(JSONError) -> T {
        try T(jsonBytes: bytes)
    }
}

/// The selectable fields of a stored object. A field it does not hold reads as `nil`, which
/// field selectors treat as `""`, as Kubernetes does.
public struct SelectableFields: Sendable {
    let pairs: [(String, String)]
    let name: String
    let namespace: String

    public subscript(field: String) -> String? {
        switch field {
        case "metadata.name": return name
        case "metadata.namespace": return namespace
        default:
            for (key, value) in pairs where key == field { return value }
            return nil
        }
    }
}
