// core/v1 kinds besides Pod: ReplicationController, Service, Namespace, Node, ConfigMap,
// Secret, PersistentVolumeClaim, and coordination Lease.

extension Validation {
    /// Largest total size of a ConfigMap's or Secret's data.
    public static let maxSecretSize = 1024 * 1024

    /// Validates a ReplicationController.
    public static func validateReplicationController(_ rc: ReplicationController) -> FieldErrorList {
        var errors = validateObjectMeta(rc.metadata, namespaced: true)
        let spec = rc.spec
        errors += validateNonnegative(spec.minReadySeconds ?? 0, path: "spec.minReadySeconds")
        if (spec.selector ?? [:]).isEmpty { errors.append(.required("spec.selector")) }
        errors += validateNonnegative(spec.replicas ?? 0, path: "spec.replicas")
        guard let template = spec.template else { return errors + [.required("spec.template")] }
        let selector = spec.selector ?? [:]
        let labels = template.metadata?.labels ?? [:]
        if !selector.isEmpty && !selector.allSatisfy({ labels[$0.key] == $0.value }) {
            errors.append(selectorMismatch(template.metadata?.labels, path: "spec.template.metadata.labels"))
        }
        errors += validatePodTemplateSpec(template, path: "spec.template")
        errors += restartAlways(template, kind: "ReplicationController", path: "spec.template")
        return errors
    }

    /// Validates a Service's ports, selector, type and session affinity.
    public static func validateService(_ service: Service) -> FieldErrorList {
        var errors = validateObjectMeta(service.metadata, namespaced: true, name: nameIsDNS1035Label)
        let spec = service.spec, path: FieldPath = "spec"
        let type = spec.type ?? ""
        let headless = spec.clusterIPs == ["None"] || (spec.clusterIPs == nil && spec.clusterIP == "None")
        let ports = spec.ports ?? []
        if ports.isEmpty && !headless && type != "ExternalName" { errors.append(.required(path.child("ports"))) }
        if type == "ExternalName" {
            let cname = (spec.externalName ?? "").hasSuffix(".") ? String((spec.externalName ?? "").dropLast()) : spec.externalName ?? ""
            if cname.isEmpty {
                errors.append(.required(path.child("externalName")))
            } else {
                errors += isDNS1123Subdomain(cname).map { .invalid(path.child("externalName"), cname, $0) }
            }
        }
        var names = Set<String>()
        var seen = Set<String>()
        for (i, port) in ports.enumerated() {
            let pPath = path.child("ports").index(i)
            let name = port.name ?? ""
            if ports.count > 1 && name.isEmpty {
                errors.append(.required(pPath.child("name")))
            } else if !name.isEmpty {
                errors += isDNS1123Label(name).map { .invalid(pPath.child("name"), name, $0) }
                if !names.insert(name).inserted { errors.append(.duplicate(pPath.child("name"), name)) }
            }
            errors += isValidPortNumber(Int(port.port)).map { .invalid(pPath.child("port"), port.port, $0) }
            errors += oneOf(port.protocol, supportedProtocols, path: pPath.child("protocol"))
            errors += validatePortNumberOrName(port.targetPort ?? .int(0), path: pPath.child("targetPort"))
            if type == "ClusterIP" && (port.nodePort ?? 0) != 0 {
                errors.append(.forbidden(pPath.child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
            }
            let key = "\(port.protocol ?? "")/\(port.port)"
            if !seen.insert(key).inserted {
                errors.append(FieldError(.duplicate, pPath,
                    value: "core.ServicePort{Name:\"\", Protocol:" + GoSyntax.quote(port.protocol ?? "")
                        + ", AppProtocol:(*string)(nil), Port:\(port.port), TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"))
            }
        }
        errors += validateLabels(spec.selector, path: path.child("selector"))
        let affinity = spec.sessionAffinity ?? ""
        if affinity.isEmpty {
            errors.append(.required(path.child("sessionAffinity")))
        } else if affinity != "ClientIP" && affinity != "None" {
            errors.append(.notSupported(path.child("sessionAffinity"), affinity, supported: ["ClientIP", "None"]))
        }
        if affinity == "None" && spec.sessionAffinityConfig != nil {
            errors.append(.forbidden(path.child("sessionAffinityConfig"), "must not be set when session affinity is None"))
        }
        if type.isEmpty {
            errors.append(.required(path.child("type")))
        } else if !["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"].contains(type) {
            errors.append(.notSupported(path.child("type"), type, supported: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]))
        }
        return errors
    }

    /// Validates a Namespace: its name is a DNS label; spec finalizers are qualified names.
    public static func validateNamespace(_ namespace: Namespace) -> FieldErrorList {
        var errors = validateObjectMeta(namespace.metadata, namespaced: false, name: nameIsDNSLabel)
        for finalizer in namespace.spec.finalizers ?? [] {
            errors += validateFinalizers([finalizer], path: "spec.finalizers")
            if !finalizer.contains("/") && !standardFinalizers.contains(finalizer) {
                errors.append(.invalid("spec.finalizers", finalizer, "name is neither a standard finalizer name nor is it fully qualified"))
            }
        }
        return errors
    }

    /// Validates a Node: metadata and unique, well-formed taints.
    public static func validateNode(_ node: Node) -> FieldErrorList {
        var errors = validateObjectMeta(node.metadata, namespaced: false)
        var seen: [String: Set<String>] = [:]
        for (i, taint) in (node.spec.taints ?? []).enumerated() {
            let tPath = FieldPath(stringLiteral: "metadata.taints").index(i)
            errors += validateLabelName(taint.key, path: tPath.child("key"))
            let messages = isValidLabelValue(taint.value ?? "")
            if !messages.isEmpty { errors.append(.invalid(tPath.child("value"), taint.value ?? "", messages.joined(separator: ";"))) }
            if taint.effect.isEmpty {
                errors.append(.required(tPath.child("effect")))
            } else if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(taint.effect) {
                errors.append(.notSupported(tPath.child("effect"), taint.effect, supported: ["NoSchedule", "PreferNoSchedule", "NoExecute"]))
            }
            if seen[taint.effect, default: []].contains(taint.key) {
                errors.append(FieldError(.duplicate, tPath, value: "core.Taint{Key:" + GoSyntax.quote(taint.key) + ", Value:"
                    + GoSyntax.quote(taint.value ?? "") + ", Effect:" + GoSyntax.quote(taint.effect) + ", TimeAdded:<nil>}",
                    "taints must be unique by key and effect pair"))
                continue
            }
            seen[taint.effect, default: []].insert(taint.key)
        }
        return errors
    }

    /// Validates a ConfigMap: valid keys, no key in both maps, at most 1 MiB of data.
    public static func validateConfigMap(_ configMap: ConfigMap) -> FieldErrorList {
        var errors = validateObjectMeta(configMap.metadata, namespaced: true)
        var total = 0
        let binary = configMap.binaryData ?? [:]
        for (key, value) in (configMap.data ?? [:]).sorted(by: { GoSyntax.bytewise($0.key, $1.key) }) {
            errors += isConfigMapKey(key).map { .invalid(FieldPath(stringLiteral: "data").key(key), key, $0) }
            if binary[key] != nil {
                errors.append(.invalid(FieldPath(stringLiteral: "data").key(key), key, "duplicate of key present in binaryData"))
            }
            total += value.utf8.count
        }
        for (key, value) in binary.sorted(by: { GoSyntax.bytewise($0.key, $1.key) }) {
            errors += isConfigMapKey(key).map { .invalid(FieldPath(stringLiteral: "binaryData").key(key), key, $0) }
            total += base64DecodedLength(value)
        }
        if total > maxSecretSize { errors.append(.tooLong(FieldPath(), maxLength: maxSecretSize)) }
        return errors
    }

    /// Validates a Secret: valid keys, at most 1 MiB, and the keys its type requires.
    public static func validateSecret(_ secret: Secret) -> FieldErrorList {
        var errors = validateObjectMeta(secret.metadata, namespaced: true)
        let data = secret.data ?? [:], dataPath: FieldPath = "data"
        var total = 0
        for (key, value) in data.sorted(by: { GoSyntax.bytewise($0.key, $1.key) }) {
            errors += isConfigMapKey(key).map { .invalid(dataPath.key(key), key, $0) }
            total += base64DecodedLength(value)
        }
        if total > maxSecretSize { errors.append(.tooLong(dataPath, maxLength: maxSecretSize)) }
        switch secret.type ?? "" {
        case "kubernetes.io/service-account-token":
            if (secret.metadata.annotations?["kubernetes.io/service-account.name"] ?? "").isEmpty {
                errors.append(.required(FieldPath(stringLiteral: "metadata.annotations").key("kubernetes.io/service-account.name")))
            }
        case "kubernetes.io/dockercfg":
            if data[".dockercfg"] == nil { errors.append(.required(dataPath.key(".dockercfg"))) }
        case "kubernetes.io/dockerconfigjson":
            if data[".dockerconfigjson"] == nil { errors.append(.required(dataPath.key(".dockerconfigjson"))) }
        case "kubernetes.io/basic-auth":
            if data["username"] == nil && data["password"] == nil {
                errors.append(.required(dataPath.key("username")))
                errors.append(.required(dataPath.key("password")))
            }
        case "kubernetes.io/ssh-auth":
            if (data["ssh-privatekey"] ?? "").isEmpty { errors.append(.required(dataPath.key("ssh-privatekey"))) }
        case "kubernetes.io/tls":
            if data["tls.crt"] == nil { errors.append(.required(dataPath.key("tls.crt"))) }
            if data["tls.key"] == nil { errors.append(.required(dataPath.key("tls.key"))) }
        default: break
        }
        return errors
    }

    static func base64DecodedLength(_ encoded: String) -> Int {
        let count = encoded.utf8.count
        let padding = encoded.utf8.reversed().prefix(2).filter { $0 == 0x3D }.count
        return max(0, count / 4 * 3 - padding)
    }

    /// Validates a StorageClass (upstream `ValidateStorageClass`): a provisioner, and a known
    /// reclaim policy and binding mode.
    public static func validateStorageClass(_ storageClass: StorageClass) -> FieldErrorList {
        var errors = validateObjectMeta(storageClass.metadata, namespaced: false)
        if storageClass.provisioner.isEmpty { errors.append(.required("provisioner")) }
        let policies = ["Delete", "Retain"]
        if let policy = storageClass.reclaimPolicy, !policies.contains(policy) {
            errors.append(.notSupported("reclaimPolicy", policy, supported: policies))
        }
        let modes = ["Immediate", "WaitForFirstConsumer"]
        if let mode = storageClass.volumeBindingMode, !modes.contains(mode) {
            errors.append(.notSupported("volumeBindingMode", mode, supported: modes))
        }
        return errors
    }

    /// Validates a PersistentVolumeClaim.
    public static func validatePersistentVolumeClaim(_ claim: PersistentVolumeClaim) -> FieldErrorList {
        validateObjectMeta(claim.metadata, namespaced: true) + validatePersistentVolumeClaimSpec(claim.spec, path: "spec")
    }

    static func validatePersistentVolumeClaimSpec(_ spec: PersistentVolumeClaimSpec, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        let modes = spec.accessModes ?? []
        if modes.isEmpty { errors.append(.required(path.child("accessModes"), "at least 1 access mode is required")) }
        errors += validateLabelSelector(spec.selector, path: path.child("selector"))
        let supported = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
        for mode in modes where !supported.contains(mode) {
            errors.append(.notSupported(path.child("accessModes"), mode, supported: supported))
        }
        if modes.contains("ReadWriteOncePod") && modes.contains(where: { $0 != "ReadWriteOncePod" && supported.contains($0) }) {
            errors.append(.forbidden(path.child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
        }
        let storagePath = path.child("resources").key("storage")
        if let storage = spec.resources?.requests?["storage"] {
            if storage.sign <= 0 { errors.append(.invalid(storagePath, storage.description, "must be greater than zero")) }
        } else {
            errors.append(.required(storagePath))
        }
        if let className = spec.storageClassName, !className.isEmpty {
            errors += isDNS1123Subdomain(className).map { .invalid(path.child("storageClassName"), className, $0) }
        }
        if let mode = spec.volumeMode, mode != "Block" && mode != "Filesystem" {
            errors.append(.notSupported(path.child("volumeMode"), mode, supported: ["Block", "Filesystem"]))
        }
        return errors
    }

    /// Validates a Lease: a DNS-subdomain name, a positive duration, non-negative transitions.
    public static func validateLease(_ lease: Lease) -> FieldErrorList {
        var errors = validateObjectMeta(lease.metadata, namespaced: true)
        if let duration = lease.spec.leaseDurationSeconds, duration <= 0 {
            errors.append(.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
        }
        errors += validateNonnegative(lease.spec.leaseTransitions, path: "spec.leaseTransitions")
        return errors
    }
}
