extension FieldSelector {
    /// The selectable fields of a typed built-in object other than `metadata.name` and
    /// `metadata.namespace`, those with a non-empty value, sorted by field: what
    /// ``fields(of:kind:)`` finds in the object's JSON, read from the typed value instead.
    /// `nil` for a kind that is only read from JSON (events.k8s.io Events share a kind name
    /// with core Events, and with it their JSON rules).
    package static func nonEmptyKindFields<R: Resource>(of object: R) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(R.kind == "Event" ? 11 : 8)
        func add(_ field: String, _ value: String?) {
            if let value, !value.isEmpty { pairs.append((field, value)) }
        }
        if let pod = BuiltinAdmission.cast(object, to: Pod.self) {
            let spec = pod.spec, status = pod.status
            add("spec.hostNetwork", spec.hostNetwork == true ? "true" : "false")
            add("spec.nodeName", spec.nodeName)
            add("spec.restartPolicy", spec.restartPolicy)
            add("spec.schedulerName", spec.schedulerName)
            add("spec.serviceAccountName", spec.serviceAccountName)
            add("status.nominatedNodeName", status.nominatedNodeName)
            add("status.phase", status.phase)
            // The primary IP: podIPs[0], or podIP when podIPs is absent.
            add("status.podIP", status.podIPs?.first.map(\.ip) ?? status.podIP)
        } else if let node = BuiltinAdmission.cast(object, to: Node.self) {
            add("spec.unschedulable", node.spec.unschedulable == true ? "true" : "false")
        } else if let namespace = BuiltinAdmission.cast(object, to: Namespace.self) {
            add("status.phase", namespace.status.phase)
        } else if let secret = BuiltinAdmission.cast(object, to: Secret.self) {
            add("type", secret.type)
        } else if let service = BuiltinAdmission.cast(object, to: Service.self) {
            add("spec.clusterIP", service.spec.clusterIP)
            add("spec.type", service.spec.type)
        } else if let replicaSet = BuiltinAdmission.cast(object, to: ReplicaSet.self) {
            add("status.replicas", String(replicaSet.status.replicas))
        } else if let controller = BuiltinAdmission.cast(object, to: ReplicationController.self) {
            add("status.replicas", String(controller.status.replicas))
        } else if let job = BuiltinAdmission.cast(object, to: Job.self) {
            add("status.successful", String(job.status.succeeded ?? 0))
        } else if let event = BuiltinAdmission.cast(object, to: Event.self) {
            let involved = event.involvedObject
            add("involvedObject.apiVersion", involved.apiVersion)
            add("involvedObject.fieldPath", involved.fieldPath)
            add("involvedObject.kind", involved.kind)
            add("involvedObject.name", involved.name)
            add("involvedObject.namespace", involved.namespace)
            add("involvedObject.resourceVersion", involved.resourceVersion)
            add("involvedObject.uid", involved.uid)
            add("reason", event.reason)
            add("reportingComponent", event.reportingComponent)
            let component = event.source?.component ?? ""
            add("source", component.isEmpty ? event.reportingComponent : component)
            add("type", event.type)
        } else {
            // Every other kind selects only by name and namespace, unless its kind name is one
            // the JSON rules single out.
            let special: Set<String> = ["Pod", "Event", "Secret", "Service", "Node", "Namespace", "ReplicaSet",
                                        "ReplicationController", "Job"]
            return special.contains(R.kind) ? nil : []
        }
        return pairs
    }
}
