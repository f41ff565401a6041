// core/v1 and apiextensions/v1 defaults for the non-workload kinds.

extension Defaulting {
    /// Service: sessionAffinity None (ClientIP gets a 3 h timeout), type ClusterIP, port
    /// protocol TCP and targetPort = port, traffic policies, load-balancer node ports.
    public static func service(_ service: inout Service) {
        var spec = service.spec
        if (spec.sessionAffinity ?? "").isEmpty { spec.sessionAffinity = "None" }
        if spec.sessionAffinity == "None" { spec.sessionAffinityConfig = nil }
        if spec.sessionAffinity == "ClientIP" && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == nil {
            spec.sessionAffinityConfig = SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10_800))
        }
        if (spec.type ?? "").isEmpty { spec.type = "ClusterIP" }
        if var ports = spec.ports {
            for i in ports.indices {
                if (ports[i].protocol ?? "").isEmpty { ports[i].protocol = "TCP" }
                if ports[i].targetPort == nil || ports[i].targetPort == .int(0) || ports[i].targetPort == .string("") {
                    ports[i].targetPort = .int(ports[i].port)
                }
            }
            spec.ports = ports
        }
        let type = spec.type ?? ""
        let externallyAccessible = type == "LoadBalancer" || type == "NodePort"
            || (type == "ClusterIP" && !(spec.externalIPs ?? []).isEmpty)
        if externallyAccessible && (spec.externalTrafficPolicy ?? "").isEmpty { spec.externalTrafficPolicy = "Cluster" }
        if spec.internalTrafficPolicy == nil && (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP") {
            spec.internalTrafficPolicy = "Cluster"
        }
        if type == "LoadBalancer" && spec.allocateLoadBalancerNodePorts == nil { spec.allocateLoadBalancerNodePorts = true }
        service.spec = spec
    }

    /// Namespace: the `kubernetes.io/metadata.name` label and phase Active. (The `kubernetes`
    /// finalizer is the namespace strategy's, added on create only: defaulting runs on every
    /// write, and would put it back after the namespace controller removed it.)
    public static func namespace(_ namespace: inout Namespace) {
        if let name = namespace.metadata.name, !name.isEmpty {
            var labels = namespace.metadata.labels ?? [:]
            labels["kubernetes.io/metadata.name"] = name
            namespace.metadata.labels = labels
        }
        if (namespace.status.phase ?? "").isEmpty { namespace.status.phase = "Active" }
    }

    /// PersistentVolumeClaim: volumeMode Filesystem, phase Pending.
    public static func persistentVolumeClaim(_ claim: inout PersistentVolumeClaim) {
        if claim.spec.volumeMode == nil { claim.spec.volumeMode = "Filesystem" }
        if (claim.status.phase ?? "").isEmpty { claim.status.phase = "Pending" }
    }

    /// PersistentVolume: phase Pending, reclaim policy Retain, volumeMode Filesystem.
    public static func persistentVolume(_ volume: inout PersistentVolume) {
        if (volume.status.phase ?? "").isEmpty { volume.status.phase = "Pending" }
        if (volume.spec.persistentVolumeReclaimPolicy ?? "").isEmpty { volume.spec.persistentVolumeReclaimPolicy = "Retain" }
        if volume.spec.volumeMode == nil { volume.spec.volumeMode = "Filesystem" }
    }

    /// StorageClass: reclaim policy Delete, binding mode Immediate.
    public static func storageClass(_ storageClass: inout StorageClass) {
        if (storageClass.reclaimPolicy ?? "").isEmpty { storageClass.reclaimPolicy = "Delete" }
        if (storageClass.volumeBindingMode ?? "").isEmpty { storageClass.volumeBindingMode = "Immediate" }
    }

    /// Secret: type Opaque.
    public static func secret(_ secret: inout Secret) {
        if (secret.type ?? "").isEmpty { secret.type = "Opaque" }
    }

    /// Node: allocatable defaults to capacity.
    public static func node(_ node: inout Node) {
        if node.status.allocatable == nil, let capacity = node.status.capacity { node.status.allocatable = capacity }
    }

    /// CustomResourceDefinition: singular from kind, listKind `<Kind>List`, conversion None,
    /// storedVersions from the storage version, webhook service port 443.
    public static func customResourceDefinition(_ crd: inout CustomResourceDefinition) {
        if (crd.spec.names.singular ?? "").isEmpty { crd.spec.names.singular = crd.spec.names.kind.lowercased() }
        if (crd.spec.names.listKind ?? "").isEmpty && !crd.spec.names.kind.isEmpty {
            crd.spec.names.listKind = crd.spec.names.kind + "List"
        }
        if crd.spec.conversion == nil { crd.spec.conversion = CustomResourceConversion(strategy: "None") }
        if var webhook = crd.spec.conversion?.webhook, var service = webhook.clientConfig?.service, service.port == nil {
            service.port = 443
            webhook.clientConfig?.service = service
            crd.spec.conversion?.webhook = webhook
        }
        if (crd.status.storedVersions ?? []).isEmpty, let storage = crd.spec.versions.first(where: \.storage) {
            crd.status.storedVersions = [storage.name]
        }
    }
}
