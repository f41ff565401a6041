// PodSpec validation (upstream pkg/apis/core/validation: ValidatePodSpec and the container,
// port, env, mount and probe checks). Runs on a defaulted spec, as the API server does:
// fields that defaulting always fills (restartPolicy, dnsPolicy, ...) are required here.

extension Validation {
    static let supportedProtocols = ["SCTP", "TCP", "UDP"]
    static let supportedPullPolicies = ["Always", "IfNotPresent", "Never"]
    static let supportedRestartPolicies = ["Always", "OnFailure", "Never"]
    static let supportedDNSPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let supportedTerminationMessagePolicies = ["File", "FallbackToLogsOnError"]

    /// Validates a pod spec. `isPod` is true for a Pod (not a template), which adds the
    /// pod-only image whitespace check.
    public static func validatePodSpec(_ spec: PodSpec, path: FieldPath, isPod: Bool = false) -> FieldErrorList {
        var errors: FieldErrorList = []
        if spec.terminationGracePeriodSeconds == nil {
            errors.append(.required(path.child("terminationGracePeriodSeconds")))
        }
        let (volumes, volumeErrors) = validateVolumes(spec.volumes ?? [], path: path.child("volumes"))
        errors += volumeErrors
        let grace = spec.terminationGracePeriodSeconds
        errors += validateContainers(spec.containers, volumes: volumes, grace: grace, path: path.child("containers"))
        errors += validateInitContainers(spec.initContainers ?? [], regular: spec.containers, volumes: volumes,
                                         grace: grace, path: path.child("initContainers"))
        if isPod {
            func checkImages(_ list: [Container], _ name: String) {
                for (i, c) in list.enumerated() {
                    let image = c.image ?? ""
                    if image.hasASCIISpaceAtEitherEnd {
                        errors.append(.invalid(path.child(name).index(i).child("image"), image,
                                               "must not have leading or trailing whitespace"))
                    }
                }
            }
            checkImages(spec.containers, "containers")
            checkImages(spec.initContainers ?? [], "initContainers")
        }
        if spec.hostNetwork == true {
            for (i, c) in spec.containers.enumerated() {
                for (j, port) in (c.ports ?? []).enumerated() {
                    let hostPort = port.hostPort ?? 0
                    if (isPod || hostPort != 0) && hostPort != port.containerPort {
                        errors.append(.invalid(path.child("containers").index(i).child("ports").index(j).child("hostPort"),
                                               hostPort, "must match `containerPort` when `hostNetwork` is true"))
                    }
                }
            }
        }
        errors += oneOf(spec.restartPolicy, supportedRestartPolicies, path: path.child("restartPolicy"))
        errors += oneOf(spec.dnsPolicy, supportedDNSPolicies, path: path.child("dnsPolicy"))
        errors += validateLabels(spec.nodeSelector, path: path.child("nodeSelector"))
        errors += validatePodSecurityContext(spec.securityContext, path: path.child("securityContext"))
        errors += validateAffinity(spec.affinity, path: path.child("affinity"))
        if spec.dnsPolicy == "None" {
            if spec.dnsConfig == nil {
                errors.append(.required(path.child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"))
            } else if (spec.dnsConfig?.nameservers ?? []).isEmpty {
                errors.append(.required(path.child("dnsConfig").child("nameservers"),
                                        "must provide at least one DNS nameserver when `dnsPolicy` is None"))
            }
        }
        for (i, gate) in (spec.readinessGates ?? []).enumerated() {
            errors += isQualifiedName(gate.conditionType).map {
                .invalid(path.child("readinessGates").index(i).child("conditionType"), gate.conditionType, $0)
            }
        }
        var gates = Set<String>()
        for (i, gate) in (spec.schedulingGates ?? []).enumerated() {
            errors += isQualifiedName(gate.name).map { .invalid(path.child("schedulingGates").index(i), gate.name, $0) }
            if !gates.insert(gate.name).inserted { errors.append(.duplicate(path.child("schedulingGates").index(i), gate.name)) }
        }
        errors += validateTopologySpreadConstraints(spec.topologySpreadConstraints ?? [], path: path.child("topologySpreadConstraints"))
        if let sa = spec.serviceAccountName, !sa.isEmpty {
            errors += isDNS1123Subdomain(sa).map { .invalid(path.child("serviceAccountName"), sa, $0) }
        }
        if let node = spec.nodeName, !node.isEmpty {
            errors += isDNS1123Subdomain(node).map { .invalid(path.child("nodeName"), node, $0) }
        }
        if let deadline = spec.activeDeadlineSeconds, deadline < 1 || deadline > Int64(Int32.max) {
            errors.append(.invalid(path.child("activeDeadlineSeconds"), deadline, inclusiveRangeMessage(1, Int(Int32.max))))
        }
        if let hostname = spec.hostname, !hostname.isEmpty {
            errors += isDNS1123Label(hostname).map { .invalid(path.child("hostname"), hostname, $0) }
        }
        if let subdomain = spec.subdomain, !subdomain.isEmpty {
            errors += isDNS1123Label(subdomain).map { .invalid(path.child("subdomain"), subdomain, $0) }
        }
        errors += validateTolerations(spec.tolerations ?? [], path: path.child("tolerations"))
        if let priorityClass = spec.priorityClassName, !priorityClass.isEmpty {
            errors += isDNS1123Subdomain(priorityClass).map { .invalid(path.child("priorityClassName"), priorityClass, $0) }
        }
        if let runtimeClass = spec.runtimeClassName {
            errors += isDNS1123Subdomain(runtimeClass).map { .invalid(path.child("runtimeClassName"), runtimeClass, $0) }
        }
        if let preemption = spec.preemptionPolicy {
            errors += oneOf(preemption, ["PreemptLowerPriority", "Never"], path: path.child("preemptionPolicy"))
        }
        if let os = spec.os {
            if os.name.isEmpty {
                errors.append(.required(path.child("os").child("name"), "cannot be empty"))
            } else if os.name != "linux" && os.name != "windows" {
                errors.append(.notSupported(path.child("os"), os.name, supported: ["linux", "windows"]))
            }
        }
        return errors
    }

    /// `Required value` when empty, `Unsupported value` when not one of `supported`.
    static func oneOf(_ value: String?, _ supported: [String], path: FieldPath) -> FieldErrorList {
        let value = value ?? ""
        if value.isEmpty { return [.required(path)] }
        return supported.contains(value) ? [] : [.notSupported(path, value, supported: supported)]
    }

    static func validateContainers(_ containers: [Container], volumes: [String: Volume], grace: Int64?,
                                   path: FieldPath) -> FieldErrorList {
        if containers.isEmpty { return [.required(path)] }
        var errors: FieldErrorList = []
        for (i, c) in containers.enumerated() {
            let cPath = path.index(i)
            errors += validateContainerCommon(c, volumes: volumes, path: cPath)
            // Pods have a handful of containers: a scan beats building a set.
            if containers[..<i].contains(where: { $0.name == c.name }) { errors.append(.duplicate(cPath.child("name"), c.name)) }
            if let lifecycle = c.lifecycle { errors += validateLifecycle(lifecycle, grace: grace, path: cPath.child("lifecycle")) }
            errors += validateProbe(c.livenessProbe, grace: grace, kind: .liveness, path: cPath.child("livenessProbe"))
            errors += validateProbe(c.readinessProbe, grace: grace, kind: .readiness, path: cPath.child("readinessProbe"))
            errors += validateProbe(c.startupProbe, grace: grace, kind: .startup, path: cPath.child("startupProbe"))
            if c.restartPolicy != nil {
                errors.append(.forbidden(cPath.child("restartPolicy"), "may not be set for non-init containers"))
            }
        }
        errors += hostPortConflicts(containers, path: path)
        return errors
    }

    static func validateInitContainers(_ containers: [Container], regular: [Container], volumes: [String: Volume],
                                       grace: Int64?, path: FieldPath) -> FieldErrorList {
        if containers.isEmpty { return [] }
        var errors: FieldErrorList = []
        var names = Set(regular.map(\.name))
        for (i, c) in containers.enumerated() {
            let cPath = path.index(i)
            errors += validateContainerCommon(c, volumes: volumes, path: cPath)
            var restartAlways = false
            if let policy = c.restartPolicy {
                if policy != "Always" {
                    errors.append(.notSupported(cPath.child("restartPolicy"), policy, supported: ["Always"]))
                }
                restartAlways = policy == "Always"
            }
            if names.contains(c.name) {
                errors.append(.duplicate(cPath.child("name"), c.name))
            } else if !c.name.isEmpty {
                names.insert(c.name)
            }
            errors += hostPortConflicts([c], path: path)
            if restartAlways {
                if let lifecycle = c.lifecycle { errors += validateLifecycle(lifecycle, grace: grace, path: cPath.child("lifecycle")) }
                errors += validateProbe(c.livenessProbe, grace: grace, kind: .liveness, path: cPath.child("livenessProbe"))
                errors += validateProbe(c.readinessProbe, grace: grace, kind: .readiness, path: cPath.child("readinessProbe"))
                errors += validateProbe(c.startupProbe, grace: grace, kind: .startup, path: cPath.child("startupProbe"))
            } else {
                let message = "may not be set for init containers without restartPolicy=Always"
                if c.lifecycle != nil { errors.append(.forbidden(cPath.child("lifecycle"), message)) }
                if c.livenessProbe != nil { errors.append(.forbidden(cPath.child("livenessProbe"), message)) }
                if c.readinessProbe != nil { errors.append(.forbidden(cPath.child("readinessProbe"), message)) }
                if c.startupProbe != nil { errors.append(.forbidden(cPath.child("startupProbe"), message)) }
            }
        }
        return errors
    }

    static func validateContainerCommon(_ c: Container, volumes: [String: Volume], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        if c.name.isEmpty {
            errors.append(.required(path.child("name")))
        } else {
            errors += isDNS1123Label(c.name).map { .invalid(path.child("name"), c.name, $0) }
        }
        if (c.image ?? "").isEmpty { errors.append(.required(path.child("image"))) }
        errors += oneOf(c.terminationMessagePolicy, supportedTerminationMessagePolicies, path: path.child("terminationMessagePolicy"))
        errors += validateContainerPorts(c.ports ?? [], path: path.child("ports"))
        errors += validateEnv(c.env ?? [], envFrom: c.envFrom ?? [], path: path)
        errors += validateVolumeMounts(c, volumes: volumes, path: path)
        errors += oneOf(c.imagePullPolicy, supportedPullPolicies, path: path.child("imagePullPolicy"))
        errors += validateResourceRequirements(c.resources, path: path.child("resources"))
        errors += validateSecurityContext(c.securityContext, path: path.child("securityContext"))
        return errors
    }

    static func hostPortConflicts(_ containers: [Container], path: FieldPath) -> FieldErrorList {
        var seen = Set<String>()
        var errors: FieldErrorList = []
        for (i, c) in containers.enumerated() {
            for (j, port) in (c.ports ?? []).enumerated() {
                guard let hostPort = port.hostPort, hostPort != 0 else { continue }
                let key = "\(port.protocol ?? "")/\(port.hostIP ?? "")/\(hostPort)"
                if !seen.insert(key).inserted {
                    errors.append(.duplicate(path.index(i).child("ports").index(j).child("hostPort"), key))
                }
            }
        }
        return errors
    }

    static func validateContainerPorts(_ ports: [ContainerPort], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        var names = Set<String>()
        for (i, port) in ports.enumerated() {
            let pPath = path.index(i)
            if let name = port.name, !name.isEmpty {
                let messages = isValidPortName(name)
                if !messages.isEmpty {
                    errors += messages.map { .invalid(pPath.child("name"), name, $0) }
                } else if !names.insert(name).inserted {
                    errors.append(.duplicate(pPath.child("name"), name))
                }
            }
            if port.containerPort == 0 {
                errors.append(.required(pPath.child("containerPort")))
            } else {
                errors += isValidPortNumber(Int(port.containerPort)).map { .invalid(pPath.child("containerPort"), port.containerPort, $0) }
            }
            if let hostPort = port.hostPort, hostPort != 0 {
                errors += isValidPortNumber(Int(hostPort)).map { .invalid(pPath.child("hostPort"), hostPort, $0) }
            }
            errors += oneOf(port.protocol, supportedProtocols, path: pPath.child("protocol"))
        }
        return errors
    }
}

extension String {
    /// Whether ``trimmingASCIISpaces()`` would change the string: only if a byte at either end
    /// is ASCII white space, and then it trims to find out.
    var hasASCIISpaceAtEitherEnd: Bool {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return false }
        return self != trimmingASCIISpaces()
    }

    /// Drops leading and trailing ASCII whitespace (Go's `strings.TrimSpace` for ASCII input).
    func trimmingASCIISpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
