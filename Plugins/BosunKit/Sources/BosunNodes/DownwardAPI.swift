import BosunKit

/// The downward API as a kubelet answers it for environment variables: a pod's fields
/// (`fieldRef`) and a container's resources (`resourceFieldRef`).
public enum DownwardAPI {
    /// A `fieldRef` or `resourceFieldRef` that cannot be answered; its message is the kubelet's.
    public struct Failure: Error, Sendable, Hashable {
        public var message: String
    }

    /// The field paths a `fieldRef` may name (besides `metadata.labels['key']` and
    /// `metadata.annotations['key']`), as the API's conversion accepts them.
    static let supportedFields: Set<String> = [
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
        "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
        "status.phase", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]

    /// The value of `fieldPath` for `pod`: a name, namespace or uid; one label or annotation
    /// (`metadata.labels['k']`, empty when absent) or all of them as sorted `k="v"` lines; the
    /// node, service account, host and pod IPs (the `…IPs` forms comma-separated).
    public static func fieldValue(_ fieldPath: String, of pod: Pod, hostIPs: [String], podIPs: [String]) throws(Failure) -> String {
        if let (map, key) = subscripted(fieldPath) {
            let values = map == "labels" ? pod.metadata.labels : pod.metadata.annotations
            return values?[key] ?? ""
        }
        guard supportedFields.contains(fieldPath) else { throw Failure(message: "field label not supported: \(fieldPath)") }
        switch fieldPath {
        case "metadata.name": return pod.metadata.name ?? ""
        case "metadata.namespace": return pod.metadata.namespace ?? ""
        case "metadata.uid": return pod.metadata.uid ?? ""
        case "metadata.labels": return format(pod.metadata.labels ?? [:])
        case "metadata.annotations": return format(pod.metadata.annotations ?? [:])
        case "spec.nodeName": return pod.spec.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? ""
        case "status.hostIP": return hostIPs.first ?? ""
        case "status.hostIPs": return hostIPs.joined(separator: ",")
        case "status.podIP": return podIPs.first ?? ""
        case "status.podIPs": return podIPs.joined(separator: ",")
        default:
            // Accepted by the API but not answered for env (as upstream's ExtractFieldPathAsString).
            throw Failure(message: "unsupported fieldPath: \(fieldPath)")
        }
    }

    /// The value of a `resourceFieldRef`: the container's (or `containerName`'s) limit or request
    /// divided by `divisor` (default 1) and rounded up — CPU in millicores against the divisor's
    /// millicores, memory and storage in bytes. A limit the container does not set is the
    /// node's allocatable amount, as the kubelet defaults it.
    public static func resourceValue(
        _ selector: ResourceFieldSelector, container: Container, in pod: Pod, nodeAllocatable: [String: Quantity]
    ) throws(Failure) -> String {
        var target = container
        if let name = selector.containerName, !name.isEmpty {
            guard let named = (pod.spec.containers + (pod.spec.initContainers ?? [])).first(where: { $0.name == name }) else {
                throw Failure(message: "container \(name) not found")
            }
            target = named
        }
        let parts = selector.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else {
            throw Failure(message: "unsupported container resource : \(selector.resource)")
        }
        let resource = parts[1]
        guard ["cpu", "memory", "ephemeral-storage"].contains(resource) || resource.hasPrefix("hugepages-") else {
            throw Failure(message: "unsupported container resource : \(selector.resource)")
        }
        var amount: Quantity
        if parts[0] == "limits" {
            amount = target.resources?.limits?[resource] ?? (resource.hasPrefix("hugepages-") ? nil : nodeAllocatable[resource]) ?? .zero
        } else {
            amount = target.resources?.requests?[resource] ?? .zero
        }
        var divisor = selector.divisor ?? Quantity(1)
        if divisor.isZero { divisor = Quantity(1) }
        if resource == "cpu" {
            return String(ceilingDivide(amount.milliValue, max(divisor.milliValue, 1)))
        }
        amount = amount.sign < 0 ? .zero : amount
        return String(ceilingDivide(amount.value, max(divisor.value, 1)))
    }

    /// `metadata.labels['k']` → ("labels", "k").
    private static func subscripted(_ fieldPath: String) -> (String, String)? {
        for map in ["labels", "annotations"] {
            let prefix = "metadata.\(map)['"
            if fieldPath.hasPrefix(prefix), fieldPath.hasSuffix("']"), fieldPath.count >= prefix.count + 2 {
                return (map, String(fieldPath.dropFirst(prefix.count).dropLast(2)))
            }
        }
        return nil
    }

    /// All labels or annotations, as the downward API prints them: `key="value"` lines, sorted.
    static func format(_ values: [String: String]) -> String {
        values.keys.sorted().map { key in "\(key)=\(GoFormat.quoted(values[key] ?? ""))" }.joined(separator: "\n")
    }


    private static func ceilingDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder > 0 ? quotient + 1 : quotient
    }
}
