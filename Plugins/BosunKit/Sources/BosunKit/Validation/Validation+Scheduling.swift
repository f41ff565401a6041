// Resources, volumes, tolerations, affinity and topology spread (upstream core validation).

extension Validation {
    static let standardContainerResources: Set<String> = ["cpu", "memory", "ephemeral-storage"]
    static let standardResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
        "resourcequotas", "secrets", "persistentvolumeclaims", "storage", "requests.storage",
        "services.nodeports", "services.loadbalancers", "configmaps",
    ]

    static func isNativeResource(_ name: String) -> Bool { !name.utf8.contains(0x2F) || name.contains("kubernetes.io/") }
    static func isHugePages(_ name: String) -> Bool { name.hasPrefix("hugepages-") }
    static func overcommitAllowed(_ name: String) -> Bool { isNativeResource(name) && !isHugePages(name) }

    static func validateContainerResourceName(_ name: String, path: FieldPath) -> FieldErrorList {
        var errors = isQualifiedName(name).map { FieldError.invalid(path, name, $0) }
        if !errors.isEmpty { return errors }
        if !name.utf8.contains(0x2F) {
            if !standardResources.contains(name) && !isHugePages(name) {
                errors.append(.invalid(path, name, "must be a standard resource type or fully qualified"))
            }
            if !standardContainerResources.contains(name) && !isHugePages(name) {
                errors.append(.invalid(path, name, "must be a standard resource for containers"))
            }
        } else if !isNativeResource(name) && (name.hasPrefix("requests.") || !isQualifiedName("requests." + name).isEmpty) {
            errors.append(.invalid(path, name, "doesn't follow extended resource name standard"))
        }
        return errors
    }

    static func validateQuantity(_ name: String, _ quantity: Quantity, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        if quantity.sign < 0 { errors.append(.invalid(path, quantity.description, "must be greater than or equal to 0")) }
        if !isNativeResource(name) && quantity.milliValue % 1000 != 0 {
            errors.append(.invalid(path, quantity.description, "must be an integer"))
        }
        return errors
    }

    /// Names and quantities of requests and limits, and requests ≤ limits.
    public static func validateResourceRequirements(_ requirements: ResourceRequirements?, path: FieldPath) -> FieldErrorList {
        guard let requirements else { return [] }
        if resourceRequirementsAreValid(requirements) { return [] }
        var errors: FieldErrorList = []
        let limits = requirements.limits ?? [:]
        let limitPath = path.child("limits"), requestPath = path.child("requests")
        for name in limits.keys.sorted(by: GoSyntax.bytewise) {
            errors += validateContainerResourceName(name, path: limitPath.key(name))
            errors += validateQuantity(name, limits[name]!, path: limitPath.key(name))
        }
        for (name, quantity) in (requirements.requests ?? [:]).sorted(by: { GoSyntax.bytewise($0.key, $1.key) }) {
            errors += validateContainerResourceName(name, path: requestPath.key(name))
            errors += validateQuantity(name, quantity, path: requestPath.key(name))
            if let limit = limits[name] {
                if quantity != limit && !overcommitAllowed(name) {
                    errors.append(.invalid(requestPath, quantity.description, "must be equal to \(name) limit of \(limit.description)"))
                } else if quantity > limit {
                    errors.append(.invalid(requestPath, quantity.description,
                                           "must be less than or equal to \(name) limit of \(limit.description)"))
                }
            } else if !overcommitAllowed(name) {
                errors.append(.required(limitPath, "Limit must be set for non overcommitable resources"))
            }
        }
        return errors
    }

    /// Whether ``validateResourceRequirements(_:path:)`` finds nothing wrong: its checks, in any
    /// order, without sorting names or building paths.
    private static func resourceRequirementsAreValid(_ requirements: ResourceRequirements) -> Bool {
        let limits = requirements.limits ?? [:]
        for (name, quantity) in limits {
            guard validateContainerResourceName(name, path: .root).isEmpty, validateQuantity(name, quantity, path: .root).isEmpty
            else { return false }
        }
        for (name, quantity) in requirements.requests ?? [:] {
            guard validateContainerResourceName(name, path: .root).isEmpty, validateQuantity(name, quantity, path: .root).isEmpty
            else { return false }
            if let limit = limits[name] {
                if (quantity != limit && !overcommitAllowed(name)) || quantity > limit { return false }
            } else if !overcommitAllowed(name) {
                return false
            }
        }
        return true
    }

    /// Volume names are unique DNS labels, and each volume has exactly one source.
    static func validateVolumes(_ volumes: [Volume], path: FieldPath) -> ([String: Volume], FieldErrorList) {
        var byName: [String: Volume] = [:]
        var errors: FieldErrorList = []
        for (i, volume) in volumes.enumerated() {
            let vPath = path.index(i)
            var volumeErrors = validateVolumeSource(volume, path: vPath)
            if volume.name.isEmpty {
                volumeErrors.append(.required(vPath.child("name")))
            } else {
                volumeErrors += isDNS1123Label(volume.name).map { .invalid(vPath.child("name"), volume.name, $0) }
            }
            if byName[volume.name] != nil { volumeErrors.append(.duplicate(vPath.child("name"), volume.name)) }
            if volumeErrors.isEmpty { byName[volume.name] = volume } else { errors += volumeErrors }
        }
        return (byName, errors)
    }

    static func validateVolumeSource(_ v: Volume, path: FieldPath) -> FieldErrorList {
        // Upstream's order, and its field names for the "more than 1" errors (typos included).
        let sources: [(String, Bool)] = [
            ("emptyDir", v.emptyDir != nil), ("hostPath", v.hostPath != nil), ("gitRepo", v.gitRepo != nil),
            ("gcePersistentDisk", v.gcePersistentDisk != nil), ("awsElasticBlockStore", v.awsElasticBlockStore != nil),
            ("secret", v.secret != nil), ("nfs", v.nfs != nil), ("iscsi", v.iscsi != nil), ("glusterfs", v.glusterfs != nil),
            ("flocker", v.flocker != nil), ("persistentVolumeClaim", v.persistentVolumeClaim != nil), ("rbd", v.rbd != nil),
            ("cinder", v.cinder != nil), ("cephFS", v.cephfs != nil), ("quobyte", v.quobyte != nil),
            ("downwarAPI", v.downwardAPI != nil), ("fc", v.fc != nil), ("flexVolume", v.flexVolume != nil),
            ("configMap", v.configMap != nil), ("azureFile", v.azureFile != nil), ("vsphereVolume", v.vsphereVolume != nil),
            ("photonPersistentDisk", v.photonPersistentDisk != nil), ("portworxVolume", v.portworxVolume != nil),
            ("azureDisk", v.azureDisk != nil), ("storageos", v.storageos != nil), ("projected", v.projected != nil),
            ("scaleIO", v.scaleIO != nil), ("csi", v.csi != nil), ("ephemeral", v.ephemeral != nil), ("image", v.image != nil),
        ]
        var errors: FieldErrorList = []
        var count = 0
        for (name, present) in sources where present {
            if count > 0 { errors.append(.forbidden(path.child(name), "may not specify more than 1 volume type")) }
            count += 1
        }
        if count == 0 { errors.append(.required(path, "must specify a volume type")) }
        let modeMessage = "must be a number between 0 and 0777 (octal), both inclusive"
        func mode(_ value: Int32?, _ p: FieldPath) {
            if let value, value < 0 || value > 0o777 { errors.append(.invalid(p, value, modeMessage)) }
        }
        func items(_ list: [KeyToPath]?, _ p: FieldPath) {
            for (i, item) in (list ?? []).enumerated() {
                if item.key.isEmpty { errors.append(.required(p.index(i).child("key"))) }
                if item.path.isEmpty { errors.append(.required(p.index(i).child("path"))) }
                mode(item.mode, p.index(i).child("mode"))
            }
        }
        if let hostPath = v.hostPath, hostPath.path.isEmpty { errors.append(.required(path.child("hostPath").child("path"))) }
        if let secret = v.secret {
            if (secret.secretName ?? "").isEmpty { errors.append(.required(path.child("secret").child("secretName"))) }
            mode(secret.defaultMode, path.child("secret").child("defaultMode"))
            items(secret.items, path.child("secret").child("items"))
        }
        if let configMap = v.configMap {
            if (configMap.name ?? "").isEmpty { errors.append(.required(path.child("configMap").child("name"))) }
            mode(configMap.defaultMode, path.child("configMap").child("defaultMode"))
            items(configMap.items, path.child("configMap").child("items"))
        }
        if let claim = v.persistentVolumeClaim, claim.claimName.isEmpty {
            errors.append(.required(path.child("persistentVolumeClaim").child("claimName")))
        }
        if let nfs = v.nfs {
            if nfs.server.isEmpty { errors.append(.required(path.child("nfs").child("server"))) }
            if nfs.path.isEmpty { errors.append(.required(path.child("nfs").child("path"))) }
            if !nfs.path.hasPrefix("/") { errors.append(.invalid(path.child("nfs").child("path"), nfs.path, "must be an absolute path")) }
        }
        if let downward = v.downwardAPI { mode(downward.defaultMode, path.child("downwardAPI").child("defaultMode")) }
        if let projected = v.projected { mode(projected.defaultMode, path.child("projected").child("defaultMode")) }
        return errors
    }

    /// Toleration keys, operators, values and effects.
    public static func validateTolerations(_ tolerations: [Toleration], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        for (i, t) in tolerations.enumerated() {
            let tPath = path.index(i)
            let key = t.key ?? "", op = t.operator ?? "", value = t.value ?? "", effect = t.effect ?? ""
            if !key.isEmpty { errors += validateLabelName(key, path: tPath.child("key")) }
            if key.isEmpty && op != "Exists" {
                errors.append(.invalid(tPath.child("operator"), op,
                                       "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
            }
            if t.tolerationSeconds != nil && effect != "NoExecute" {
                errors.append(.invalid(tPath.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
            }
            switch op {
            case "Equal", "":
                let messages = isValidLabelValue(value)
                if !messages.isEmpty { errors.append(.invalid(tPath.child("operator"), value, messages.joined(separator: ";"))) }
            case "Exists":
                if !value.isEmpty {
                    errors.append(.invalid(tPath.child("operator"), value, "value must be empty when `operator` is 'Exists'"))
                }
            default:
                errors.append(.notSupported(tPath.child("operator"), op, supported: ["Equal", "Exists"]))
            }
            if !effect.isEmpty, effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute" {
                errors.append(.notSupported(tPath.child("effect"), effect, supported: ["NoSchedule", "PreferNoSchedule", "NoExecute"]))
            }
        }
        return errors
    }

    static func validateNodeSelectorTerm(_ term: NodeSelectorTerm, path: FieldPath, checkValues: Bool) -> FieldErrorList {
        var errors: FieldErrorList = []
        for (j, r) in (term.matchExpressions ?? []).enumerated() {
            let rPath = path.child("matchExpressions").index(j)
            let values = r.values ?? []
            switch r.operator {
            case "In", "NotIn":
                if values.isEmpty { errors.append(.required(rPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")) }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errors.append(.forbidden(rPath.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            case "Gt", "Lt":
                if values.count != 1 {
                    errors.append(.required(rPath.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
                }
            default:
                errors.append(.invalid(rPath.child("operator"), r.operator, "not a valid selector operator"))
            }
            errors += validateLabelName(r.key, path: rPath.child("key"))
            if checkValues {
                for (k, value) in values.enumerated() {
                    errors += isValidLabelValue(value).map { .invalid(rPath.child("values").index(k), value, $0) }
                }
            }
        }
        for (j, r) in (term.matchFields ?? []).enumerated() {
            let rPath = path.child("matchFields").index(j)
            if r.operator == "In" || r.operator == "NotIn" {
                if (r.values ?? []).count != 1 {
                    errors.append(.required(rPath.child("values"),
                                            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
                }
            } else {
                errors.append(.invalid(rPath.child("operator"), r.operator, "not a valid selector operator"))
            }
            if r.key != "metadata.name" {
                errors.append(.invalid(rPath.child("key"), r.key, "not a valid field selector key"))
            } else {
                for (k, value) in (r.values ?? []).enumerated() {
                    errors += isDNS1123Subdomain(value).map { .invalid(rPath.child("values").index(k), value, $0) }
                }
            }
        }
        return errors
    }

    static func validateAffinity(_ affinity: Affinity?, path: FieldPath) -> FieldErrorList {
        guard let affinity else { return [] }
        var errors: FieldErrorList = []
        if let node = affinity.nodeAffinity {
            let nPath = path.child("nodeAffinity")
            if let required = node.requiredDuringSchedulingIgnoredDuringExecution {
                let termsPath = nPath.child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms")
                if required.nodeSelectorTerms.isEmpty {
                    errors.append(.required(termsPath, "must have at least one node selector term"))
                }
                for (i, term) in required.nodeSelectorTerms.enumerated() {
                    errors += validateNodeSelectorTerm(term, path: termsPath.index(i), checkValues: true)
                }
            }
            for (i, term) in (node.preferredDuringSchedulingIgnoredDuringExecution ?? []).enumerated() {
                let tPath = nPath.child("preferredDuringSchedulingIgnoredDuringExecution").index(i)
                if term.weight <= 0 || term.weight > 100 { errors.append(.invalid(tPath.child("weight"), term.weight, "must be in the range 1-100")) }
                errors += validateNodeSelectorTerm(term.preference, path: tPath.child("preference"), checkValues: false)
            }
        }
        let podTerms: [(String, [PodAffinityTerm]?, [WeightedPodAffinityTerm]?)] = [
            ("podAffinity", affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
             affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
            ("podAntiAffinity", affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
             affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
        ]
        for (name, required, preferred) in podTerms {
            for (i, term) in (required ?? []).enumerated() {
                errors += validatePodAffinityTerm(term, path: path.child(name).child("requiredDuringSchedulingIgnoredDuringExecution").index(i))
            }
            for (i, weighted) in (preferred ?? []).enumerated() {
                let wPath = path.child(name).child("preferredDuringSchedulingIgnoredDuringExecution").index(i)
                if weighted.weight <= 0 || weighted.weight > 100 {
                    errors.append(.invalid(wPath.child("weight"), weighted.weight, "must be in the range 1-100"))
                }
                errors += validatePodAffinityTerm(weighted.podAffinityTerm, path: wPath.child("podAffinityTerm"))
            }
        }
        return errors
    }

    static func validatePodAffinityTerm(_ term: PodAffinityTerm, path: FieldPath) -> FieldErrorList {
        var errors = validateLabelSelector(term.labelSelector, path: path.child("labelSelector"))
        errors += validateLabelSelector(term.namespaceSelector, path: path.child("namespaceSelector"))
        for namespace in term.namespaces ?? [] {
            errors += isDNS1123Label(namespace).map { .invalid(path.child("namespace"), namespace, $0) }
        }
        if term.topologyKey.isEmpty { errors.append(.required(path.child("topologyKey"), "can not be empty")) }
        errors += validateLabelName(term.topologyKey, path: path.child("topologyKey"))
        return errors
    }

    static func validateTopologySpreadConstraints(_ constraints: [TopologySpreadConstraint], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        for (i, c) in constraints.enumerated() {
            let cPath = path.index(i)
            if c.maxSkew <= 0 { errors.append(.invalid(cPath.child("maxSkew"), c.maxSkew, "must be greater than zero")) }
            if c.topologyKey.isEmpty { errors.append(.required(cPath.child("topologyKey"), "can not be empty")) }
            if c.whenUnsatisfiable != "DoNotSchedule" && c.whenUnsatisfiable != "ScheduleAnyway" {
                errors.append(.notSupported(cPath.child("whenUnsatisfiable"), c.whenUnsatisfiable,
                                            supported: ["DoNotSchedule", "ScheduleAnyway"]))
            }
            if constraints[(i + 1)...].contains(where: { $0.topologyKey == c.topologyKey && $0.whenUnsatisfiable == c.whenUnsatisfiable }) {
                errors.append(.duplicate(cPath.child("{topologyKey, whenUnsatisfiable}"), "{\(c.topologyKey), \(c.whenUnsatisfiable)}"))
            }
            if let minDomains = c.minDomains {
                if minDomains <= 0 { errors.append(.invalid(cPath.child("minDomains"), minDomains, "must be greater than zero")) }
                if c.whenUnsatisfiable != "DoNotSchedule" {
                    errors.append(.invalid(cPath.child("minDomains"), minDomains,
                                           "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not \(c.whenUnsatisfiable)"))
                }
            }
            for (policy, field) in [(c.nodeAffinityPolicy, "nodeAffinityPolicy"), (c.nodeTaintsPolicy, "nodeTaintsPolicy")] {
                if let policy, policy != "Honor" && policy != "Ignore" {
                    errors.append(.notSupported(cPath.child(field), policy, supported: ["Honor", "Ignore"]))
                }
            }
            errors += validateLabelSelector(c.labelSelector, path: cPath.child("labelSelector"))
        }
        return errors
    }
}
