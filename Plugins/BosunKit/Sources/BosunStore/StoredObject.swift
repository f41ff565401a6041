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
        // Built in one buffer: interpolation grows the string several times.
        var key = "/registry/"
        key.reserveCapacity(14 + group.utf8.count + resource.resource.utf8.count + namespace.utf8.count + name.utf8.count)
        key += group
        key += "/"
        key += resource.resource
        key += "/"
        if !namespace.isEmpty {
            key += namespace
            key += "/"
        }
        key += name
        return key
    }

    /// `namespace/name` or `name`, the order lists are returned in.
    public var path: String {
        guard !namespace.isEmpty else { return name }
        var path = namespace
        path.reserveCapacity(namespace.utf8.count + 1 + name.utf8.count)
        path += "/"
        path += name
        return path
    }

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
    /// The object's JSON as written for the backend, and where `metadata.resourceVersion` goes
    /// into it (`-1`: it is in already). Most objects are written without the version, which only
    /// the commit's revision gives; keeping those bytes, shared with the backend's copy, rather
    /// than a second copy with the version in saves a kilobyte per pod and its copying. The
    /// version goes in as the bytes are read.
    private let json: [UInt8]
    private let versionAt: Int
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

    convenience init(key: ObjectKey, object: JSONObject, resourceVersion: Int64, kind: String) {
        self.init(key: key, object: object, json: JSONWriter.encode(JSONValue.object(object)), versionAt: -1, resourceVersion: resourceVersion, kind: kind)
    }

    /// An object whose JSON was already written, without `metadata.resourceVersion`, for the
    /// backend: the version is spliced in rather than the object encoded a second time. Falls
    /// back to encoding `object` if the bytes have no top-level `metadata` object.
    convenience init(key: ObjectKey, object: JSONObject, encodedWithoutVersion encoded: [UInt8], resourceVersion: Int64, kind: String) {
        if let at = Self.metadataContentStart(encoded) {
            self.init(key: key, object: object, json: encoded, versionAt: at, resourceVersion: resourceVersion, kind: kind)
        } else {
            var object = object
            object.setResourceVersion(resourceVersion)
            self.init(key: key, object: object, resourceVersion: resourceVersion, kind: kind)
        }
    }

    /// An object written through the typed path: `encoded` is its JSON without
    /// `metadata.resourceVersion`, and the indexed facts come from the typed value rather than
    /// from a JSON tree.
    convenience init<R: Resource>(key: ObjectKey, typed object: borrowing R, encodedWithoutVersion encoded: [UInt8], resourceVersion: Int64) {
        guard let at = Self.metadataContentStart(encoded) else {
            // Generated types always write metadata; this keeps the store whole if one did not.
            var tree = (try? JSONParser.parse(encoded))?.objectValue ?? JSONObject()
            tree.setResourceVersion(resourceVersion)
            self.init(key: key, object: tree, resourceVersion: resourceVersion, kind: R.kind)
            return
        }
        let meta = object.metadata
        self.init(
            key: key, json: encoded, versionAt: at, resourceVersion: resourceVersion, uid: meta.uid ?? "", labels: meta.labels ?? [:],
            fieldPairs: FieldSelector.nonEmptyKindFields(of: object)
                ?? Self.selectableFieldPairs(of: (try? JSONParser.parse(encoded)) ?? .null, kind: R.kind),
            ownerUIDs: meta.ownerReferences?.map(\.uid) ?? [], finalizers: meta.finalizers ?? [],
            isDeleting: meta.deletionTimestamp != nil, deletionGracePeriodSeconds: meta.deletionGracePeriodSeconds)
    }

    /// An object of `resource` received as JSON from elsewhere (a remote API server, through
    /// BosunRemote): `bytes` are kept as they are, and the indexed facts are read from `object`,
    /// their parsed tree. A resourceVersion that is not a number (no Kubernetes server sends one)
    /// reads as 0.
    public convenience init(received resource: GroupResource, object: JSONObject, bytes: [UInt8]) {
        let meta = object["metadata"]?.objectValue
        let key = ObjectKey(resource, namespace: meta?["namespace"]?.stringValue ?? "", name: meta?["name"]?.stringValue ?? "")
        self.init(key: key, object: object, json: bytes, versionAt: -1, resourceVersion: Int64(meta?["resourceVersion"]?.stringValue ?? "") ?? 0,
                  kind: object["kind"]?.stringValue ?? "")
    }

    private convenience init(key: ObjectKey, object: JSONObject, json: [UInt8], versionAt: Int, resourceVersion: Int64, kind: String) {
        let meta = object["metadata"]?.objectValue ?? JSONObject()
        self.init(
            key: key, json: json, versionAt: versionAt, resourceVersion: resourceVersion, uid: meta["uid"]?.stringValue ?? "",
            labels: (try? [String: String](json: meta["labels"] ?? .null)) ?? [:],
            fieldPairs: Self.selectableFieldPairs(of: .object(object), kind: kind),
            ownerUIDs: meta["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? [],
            finalizers: (try? [String](json: meta["finalizers"] ?? .null)) ?? [],
            isDeleting: meta["deletionTimestamp"].map { !$0.isNull } ?? false,
            deletionGracePeriodSeconds: meta["deletionGracePeriodSeconds"]?.int64Value)
    }

    private init(
        key: ObjectKey, json: [UInt8], versionAt: Int, resourceVersion: Int64, uid: String, labels: [String: String],
        fieldPairs: [(String, String)], ownerUIDs: [String], finalizers: [String], isDeleting: Bool,
        deletionGracePeriodSeconds: Int64?
    ) {
        self.key = key
        self.json = json
        self.versionAt = versionAt
        self.resourceVersion = resourceVersion
        self.uid = uid
        self.labels = labels
        self.fieldPairs = fieldPairs
        self.ownerUIDs = ownerUIDs
        self.finalizers = finalizers
        self.isDeleting = isDeleting
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
    }

    private static func selectableFieldPairs(of object: JSONValue, kind: String) -> [(String, String)] {
        FieldSelector.fields(of: object, kind: kind)
            .filter { !$0.value.isEmpty && $0.key != "metadata.name" && $0.key != "metadata.namespace" }
            .sorted { $0.key < $1.key }
    }

    /// The object's JSON, `metadata.resourceVersion` included: a new array each time for most
    /// objects (see ``json``). Writers of many objects append them with ``appendJSON(to:)``.
    public var bytes: [UInt8] {
        guard versionAt >= 0 else { return json }
        var result = [UInt8]()
        result.reserveCapacity(byteCount)
        appendJSON(to: &result)
        return result
    }

    /// The length of ``bytes``.
    public var byteCount: Int {
        guard versionAt >= 0 else { return json.count }
        return json.count + Self.versionMember.utf8CodeUnitCount + Self.digits(resourceVersion) + 1
            + (json[versionAt] != UInt8(ascii: "}") ? 1 : 0)
    }

    /// Appends ``bytes`` to `buffer` without building them apart.
    public func appendJSON(to buffer: inout [UInt8]) {
        guard versionAt >= 0 else {
            buffer.append(contentsOf: json)
            return
        }
        Self.append(json, version: resourceVersion, at: versionAt, to: &buffer)
    }

    private static let versionMember: StaticString = "\"resourceVersion\":\""

    /// `encoded` with `"resourceVersion":"<version>"` as the first member of its top-level
    /// `metadata` object, appended to `buffer`; `at` is where that object's content starts.
    private static func append(_ encoded: [UInt8], version: Int64, at: Int, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: encoded[..<at])
        versionMember.withUTF8Buffer { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: String(version).utf8)
        buffer.append(UInt8(ascii: "\""))
        if encoded[at] != UInt8(ascii: "}") { buffer.append(UInt8(ascii: ",")) }
        buffer.append(contentsOf: encoded[at...])
    }

    private static func digits(_ value: Int64) -> Int {
        var n = value < 0 ? 2 : 1
        var v = value.magnitude
        while v >= 10 {
            v /= 10
            n += 1
        }
        return n
    }

    /// `encoded` with `"resourceVersion":"<version>"` as the first member of its top-level
    /// `metadata` object, or `nil` if there is none. `encoded` is compact JSON from JSONWriter.
    static func splice(resourceVersion: Int64, into encoded: [UInt8]) -> [UInt8]? {
        guard let at = metadataContentStart(encoded) else { return nil }
        var result = [UInt8]()
        result.reserveCapacity(encoded.count + 48)
        append(encoded, version: resourceVersion, at: at, to: &result)
        return result
    }

    /// The offset just inside the `{` of the top-level `metadata` member's object.
    static func metadataContentStart(_ bytes: [UInt8]) -> Int? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let metadata: StaticString = "metadata"
        guard bytes.first == UInt8(ascii: "{") else { return nil }
        var i = 1
        var depth = 1
        while i < bytes.count {
            switch bytes[i] {
            case quote:
                let start = i + 1
                i += 1
                while i < bytes.count && bytes[i] != quote { i += bytes[i] == backslash ? 2 : 1 }
                let end = i
                i += 1
                // A string at depth 1 followed by ':' is a key of the top-level object.
                if depth == 1, i + 1 < bytes.count, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "{"),
                   end - start == metadata.utf8CodeUnitCount,
                   metadata.withUTF8Buffer({ bytes[start..<end].elementsEqual($0) }) {
                    return i + 2
                }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
            i += 1
        }
        return nil
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
