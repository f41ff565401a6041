// Selectable fields per kind, as the upstream API server defines them: the field label
// conversion functions (pkg/apis/core/v1/conversion.go, pkg/apis/batch/v1/conversion.go, ...)
// decide which fields a selector may name, and the registries' *ToSelectableFields functions
// (pkg/registry/.../strategy.go) compute their values.

extension FieldSelector {
    /// The fields a selector may name for `kind`. Kinds without their own list support
    /// `metadata.name` and `metadata.namespace`.
    public static func supportedFields(forKind kind: String) -> [String] {
        switch kind {
        case "Pod":
            return [
                "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
                "status.nominatedNodeName", "spec.host",
            ]
        case "Event":
            return [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "source", "type", "metadata.namespace", "metadata.name",
            ]
        case "Node": return ["metadata.name", "spec.unschedulable"]
        case "Namespace": return ["status.phase", "metadata.name"]
        case "Secret": return ["type", "metadata.namespace", "metadata.name"]
        case "Service": return ["metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"]
        case "ReplicationController", "ReplicaSet": return ["metadata.name", "metadata.namespace", "status.replicas"]
        case "Job", "JobTemplate", "CronJob": return ["metadata.name", "metadata.namespace", "status.successful"]
        default: return ["metadata.name", "metadata.namespace"]
        }
    }

    /// Checks every term names a field selectable for `kind`, e.g. throws
    /// `field label not supported: spec.foo` for a Pod.
    public func validate(forKind kind: String) throws(SelectorError) {
        _ = try validated(forKind: kind)
    }

    /// Validates the selector for `kind` and returns it with upstream's label conversions
    /// applied: a Pod's legacy `spec.host` becomes `spec.nodeName`.
    public func validated(forKind kind: String) throws(SelectorError) -> FieldSelector {
        try validated(supportedFields: Self.supportedFields(forKind: kind), kind: kind)
    }

    /// Validates the selector against an explicit list of selectable fields (e.g. a custom
    /// resource's `selectableFields` plus `metadata.name` and `metadata.namespace`).
    public func validate(supportedFields: [String]) throws(SelectorError) {
        _ = try validated(supportedFields: supportedFields, kind: "")
    }

    private func validated(supportedFields: [String], kind: String) throws(SelectorError) -> FieldSelector {
        var converted = requirements
        for (i, requirement) in requirements.enumerated() {
            guard supportedFields.contains(requirement.field) else {
                throw SelectorError("field label not supported: \(requirement.field)")
            }
            if kind == "Pod" && requirement.field == "spec.host" {
                converted[i] = FieldRequirement(field: "spec.nodeName", operator: requirement.operator, value: requirement.value)
            }
        }
        return FieldSelector(converted)
    }

    /// The selectable fields of `object` (a JSON object of kind `kind`) with their values, as the
    /// upstream registry computes them: `metadata.name`, `metadata.namespace`, and the kind's own
    /// fields. Missing values are `""`; booleans are `"true"`/`"false"`; counts are decimal.
    public static func fields(of object: JSONValue, kind: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in supportedFields(forKind: kind) {
            if let value = fieldValue(field, of: object, kind: kind) { result[field] = value }
        }
        if result["metadata.namespace"] == nil {
            result["metadata.namespace"] = string(object["metadata"]?["namespace"])
        }
        return result
    }

    /// The value of one selectable field of `object`, or `nil` when `field` is not a field the
    /// registry computes for `kind` (`status.podIPs` and `spec.host` are accepted in selectors
    /// for Pods but have no value, as upstream).
    public static func fieldValue(_ field: String, of object: JSONValue, kind: String) -> String? {
        switch field {
        case "metadata.name": return string(object["metadata"]?["name"])
        case "metadata.namespace": return string(object["metadata"]?["namespace"])
        default: break
        }
        switch kind {
        case "Pod":
            let spec = object["spec"]
            let status = object["status"]
            switch field {
            case "spec.nodeName": return string(spec?["nodeName"])
            case "spec.restartPolicy": return string(spec?["restartPolicy"])
            case "spec.schedulerName": return string(spec?["schedulerName"])
            case "spec.serviceAccountName": return string(spec?["serviceAccountName"])
            case "spec.hostNetwork": return spec?["hostNetwork"]?.boolValue == true ? "true" : "false"
            case "status.phase": return string(status?["phase"])
            case "status.podIP":
                // The primary IP: podIPs[0] (v1 podIP is its mirror, used when podIPs is absent).
                if let ips = status?["podIPs"]?.arrayValue, let first = ips.first { return string(first["ip"]) }
                return string(status?["podIP"])
            case "status.nominatedNodeName": return string(status?["nominatedNodeName"])
            default: return nil
            }
        case "Event":
            let involved = object["involvedObject"]
            switch field {
            case "involvedObject.kind": return string(involved?["kind"])
            case "involvedObject.namespace": return string(involved?["namespace"])
            case "involvedObject.name": return string(involved?["name"])
            case "involvedObject.uid": return string(involved?["uid"])
            case "involvedObject.apiVersion": return string(involved?["apiVersion"])
            case "involvedObject.resourceVersion": return string(involved?["resourceVersion"])
            case "involvedObject.fieldPath": return string(involved?["fieldPath"])
            case "reason": return string(object["reason"])
            case "reportingComponent": return string(object["reportingComponent"])
            case "source":
                let component = string(object["source"]?["component"])
                return component.isEmpty ? string(object["reportingComponent"]) : component
            case "type": return string(object["type"])
            default: return nil
            }
        case "Secret":
            return field == "type" ? string(object["type"]) : nil
        case "Service":
            switch field {
            case "spec.clusterIP": return string(object["spec"]?["clusterIP"])
            case "spec.type": return string(object["spec"]?["type"])
            default: return nil
            }
        case "Node":
            guard field == "spec.unschedulable" else { return nil }
            return object["spec"]?["unschedulable"]?.boolValue == true ? "true" : "false"
        case "Namespace":
            return field == "status.phase" ? string(object["status"]?["phase"]) : nil
        case "ReplicaSet", "ReplicationController":
            return field == "status.replicas" ? count(object["status"]?["replicas"]) : nil
        case "Job":
            return field == "status.successful" ? count(object["status"]?["succeeded"]) : nil
        default:
            return nil
        }
    }

    /// Whether `object`, of kind `kind`, satisfies every term, reading each field straight from
    /// the JSON (no field map is built).
    public func matches(_ object: JSONValue, kind: String) -> Bool {
        matches(field: { Self.fieldValue($0, of: object, kind: kind) })
    }

    private static func string(_ value: JSONValue?) -> String {
        value?.stringValue ?? ""
    }

    private static func count(_ value: JSONValue?) -> String {
        String(value?.int64Value ?? 0)
    }
}
