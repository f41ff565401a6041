import BosunKit

/// Readers the printers share, over an object's JSON (missing fields read as Go's zero values,
/// as the typed printers upstream see them).
extension JSONValue {
    func string(_ path: String...) -> String { self[path: path]?.stringValue ?? "" }
    func int(_ path: String...) -> Int64 { self[path: path]?.int64Value ?? 0 }
    func array(_ path: String...) -> [JSONValue] { self[path: path]?.arrayValue ?? [] }
    func members(_ path: String...) -> [JSONObject.Member] { self[path: path]?.objectValue?.members ?? [] }
    var name: String { string("metadata", "name") }
    var isDeleting: Bool { self[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil }
}

enum PrinterHelpers {
    /// `layoutContainerCells`: the names and the images of a template's containers, comma-joined.
    static func containerCells(_ podSpec: JSONValue?) -> [JSONValue] {
        let containers = podSpec?["containers"]?.arrayValue ?? []
        return [
            .string(containers.map { $0.string("name") }.joined(separator: ",")),
            .string(containers.map { $0.string("image") }.joined(separator: ",")),
        ]
    }

    /// `labels.FormatLabels`: `k=v` pairs sorted by key, `<none>` when there are none.
    static func formatLabels(_ labels: JSONValue?) -> String {
        let pairs = (labels?.objectValue?.members ?? []).map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted()
        return pairs.isEmpty ? "<none>" : pairs.joined(separator: ",")
    }

    /// A `LabelSelector` as `metav1.LabelSelectorAsSelector(...).String()` writes it: every
    /// requirement sorted by key; empty for no selector and for the everything-selector.
    static func selectorString(_ selector: JSONValue?) -> String {
        guard let selector, !selector.isNull else { return "" }
        var requirements: [(key: String, text: String)] = []
        for member in selector.members("matchLabels") {
            requirements.append((member.key, "\(member.key)=\(member.value.stringValue ?? "")"))
        }
        for expression in selector.array("matchExpressions") {
            let key = expression.string("key")
            let values = expression.array("values").compactMap(\.stringValue).sorted().joined(separator: ",")
            switch expression.string("operator") {
            case "In": requirements.append((key, "\(key) in (\(values))"))
            case "NotIn": requirements.append((key, "\(key) notin (\(values))"))
            case "Exists": requirements.append((key, key))
            case "DoesNotExist": requirements.append((key, "!" + key))
            default: continue
            }
        }
        return requirements.sorted { $0.key < $1.key }.map(\.text).joined(separator: ",")
    }

    /// `printBoolPtr`: `True`, `False`, or `<unset>`.
    static func boolPointer(_ value: JSONValue?) -> String {
        guard let value = value?.boolValue else { return "<unset>" }
        return value ? "True" : "False"
    }

    /// Whether a condition of `type` is `True`.
    static func hasTrueCondition(_ object: JSONValue, _ type: String) -> Bool {
        object.array("status", "conditions").contains { $0.string("type") == type && $0.string("status") == "True" }
    }

    /// `GetAccessModesAsString`: the short forms, each once, in upstream's fixed order.
    static func accessModes(_ modes: [JSONValue]) -> String {
        let names = Set(modes.compactMap(\.stringValue))
        let order = [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
                     ("ReadWriteOncePod", "RWOP")]
        return order.filter { names.contains($0.0) }.map(\.1).joined(separator: ",")
    }

    /// `Kind.group/name` of the controlling owner, as `formatResourceName` writes it.
    static func controllerName(_ object: JSONValue) -> String {
        guard let owner = object.array("metadata", "ownerReferences").first(where: { $0["controller"]?.boolValue == true })
        else { return "<none>" }
        let apiVersion = owner.string("apiVersion")
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        let kind = group.isEmpty ? owner.string("kind") : owner.string("kind") + "." + group
        return kind.lowercased() + "/" + owner.string("name")
    }
}
