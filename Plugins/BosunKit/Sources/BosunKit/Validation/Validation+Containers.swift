// Container details: environment, mounts, probes, lifecycle handlers, resources and security
// contexts (upstream pkg/apis/core/validation).

extension Validation {
    static func validateEnv(_ env: [EnvVar], envFrom: [EnvFromSource], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        for (i, variable) in env.enumerated() {
            let vPath = path.child("env").index(i)
            if variable.name.isEmpty {
                errors.append(.required(vPath.child("name")))
            } else {
                errors += isEnvVarName(variable.name).map { .invalid(vPath.child("name"), variable.name, $0) }
            }
            guard let from = variable.valueFrom else { continue }
            let fPath = vPath.child("valueFrom")
            var sources = 0
            if let ref = from.fieldRef {
                sources += 1
                if ref.fieldPath.isEmpty { errors.append(.required(fPath.child("fieldRef").child("fieldPath"))) }
            }
            if from.resourceFieldRef != nil { sources += 1 }
            if let ref = from.configMapKeyRef {
                sources += 1
                errors += keySelector(name: ref.name, key: ref.key, path: fPath.child("configMapKeyRef"))
            }
            if let ref = from.secretKeyRef {
                sources += 1
                errors += keySelector(name: ref.name, key: ref.key, path: fPath.child("secretKeyRef"))
            }
            if sources == 0 {
                errors.append(.invalid(fPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
            } else if !(variable.value ?? "").isEmpty {
                errors.append(.invalid(fPath, "", "may not be specified when `value` is not empty"))
            } else if sources > 1 {
                errors.append(.invalid(fPath, "", "may not have more than one field specified at a time"))
            }
        }
        for (i, source) in envFrom.enumerated() {
            let sPath = path.child("envFrom").index(i)
            if let prefix = source.prefix, !prefix.isEmpty {
                errors += isEnvVarName(prefix).map { .invalid(sPath.child("prefix"), prefix, $0) }
            }
            var sources = 0
            for (ref, field) in [(source.configMapRef?.name, "configMapRef"), (source.secretRef?.name, "secretRef")] {
                let present = field == "configMapRef" ? source.configMapRef != nil : source.secretRef != nil
                guard present else { continue }
                sources += 1
                let name = ref ?? ""
                if name.isEmpty {
                    errors.append(.required(sPath.child(field).child("name")))
                } else {
                    errors += nameIsDNSSubdomain(name, true).map { .invalid(sPath.child(field).child("name"), name, $0) }
                }
            }
            if sources == 0 {
                errors.append(.invalid(path.child("envFrom"), "", "must specify one of: `configMapRef` or `secretRef`"))
            } else if sources > 1 {
                errors.append(.invalid(path.child("envFrom"), "", "may not have more than one field specified at a time"))
            }
        }
        return errors
    }

    private static func keySelector(name: String?, key: String, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = isDNS1123Subdomain(name ?? "").map { .invalid(path.child("name"), name ?? "", $0) }
        if key.isEmpty {
            errors.append(.required(path.child("key")))
        } else {
            errors += isConfigMapKey(key).map { .invalid(path.child("key"), key, $0) }
        }
        return errors
    }

    static func validateVolumeMounts(_ c: Container, volumes: [String: Volume], path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        var devices: [String: String] = [:]
        for device in c.volumeDevices ?? [] { devices[device.name] = device.devicePath }
        var mountPoints = Set<String>()
        for (i, mount) in (c.volumeMounts ?? []).enumerated() {
            let mPath = path.child("volumeMounts").index(i)
            if mount.name.isEmpty { errors.append(.required(mPath.child("name"))) }
            if volumes[mount.name] == nil { errors.append(.notFound(mPath.child("name"), mount.name)) }
            if mount.mountPath.isEmpty { errors.append(.required(mPath.child("mountPath"))) }
            if !mountPoints.insert(mount.mountPath).inserted {
                errors.append(.invalid(mPath.child("mountPath"), mount.mountPath, "must be unique"))
            }
            if devices[mount.name] != nil {
                errors.append(.invalid(mPath.child("name"), mount.name, "must not already exist in volumeDevices"))
            }
            if devices.values.contains(mount.mountPath) {
                errors.append(.invalid(mPath.child("mountPath"), mount.mountPath, "must not already exist as a path in volumeDevices"))
            }
            if let subPath = mount.subPath, !subPath.isEmpty {
                errors += localDescendingPath(subPath, path: path.child("volumeMounts").child("subPath"))
            }
            if let expr = mount.subPathExpr, !expr.isEmpty {
                if !(mount.subPath ?? "").isEmpty {
                    errors.append(.invalid(mPath.child("subPathExpr"), expr, "subPathExpr and subPath are mutually exclusive"))
                }
                errors += localDescendingPath(expr, path: path.child("volumeMounts").child("subPathExpr"))
            }
            if let propagation = mount.mountPropagation,
               !["None", "HostToContainer", "Bidirectional"].contains(propagation) {
                errors.append(.notSupported(path.child("volumeMounts").child("mountPropagation"), propagation,
                                            supported: ["Bidirectional", "HostToContainer", "None"]))
            }
        }
        return errors
    }

    /// A relative path without `..` elements (upstream `validateLocalDescendingPath`).
    static func localDescendingPath(_ value: String, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        if value.hasPrefix("/") {
            errors.append(.invalid(path, value, "must be a relative path"))
        }
        if value.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            errors.append(.invalid(path, value, "must not contain '..'"))
        }
        return errors
    }

    enum ProbeKind { case liveness, readiness, startup }

    static func validateProbe(_ probe: Probe?, grace: Int64?, kind: ProbeKind, path: FieldPath) -> FieldErrorList {
        guard let probe else { return [] }
        var errors = validateHandler(exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket,
                                     grpc: probe.grpc, sleep: nil, grace: grace, path: path)
        errors += validateNonnegative(probe.initialDelaySeconds, path: path.child("initialDelaySeconds"))
        errors += validateNonnegative(probe.timeoutSeconds, path: path.child("timeoutSeconds"))
        errors += validateNonnegative(probe.periodSeconds, path: path.child("periodSeconds"))
        errors += validateNonnegative(probe.successThreshold, path: path.child("successThreshold"))
        errors += validateNonnegative(probe.failureThreshold, path: path.child("failureThreshold"))
        if let seconds = probe.terminationGracePeriodSeconds, seconds <= 0 {
            errors.append(.invalid(path.child("terminationGracePeriodSeconds"), seconds, "must be greater than 0"))
        }
        switch kind {
        case .liveness, .startup:
            let threshold = probe.successThreshold ?? 0
            if threshold != 1 { errors.append(.invalid(path.child("successThreshold"), threshold, "must be 1")) }
        case .readiness:
            if let seconds = probe.terminationGracePeriodSeconds {
                errors.append(.invalid(path.child("terminationGracePeriodSeconds"), seconds, "must not be set for readinessProbes"))
            }
        }
        return errors
    }

    static func validateLifecycle(_ lifecycle: Lifecycle, grace: Int64?, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        for (handler, name) in [(lifecycle.postStart, "postStart"), (lifecycle.preStop, "preStop")] {
            guard let h = handler else { continue }
            errors += validateHandler(exec: h.exec, httpGet: h.httpGet, tcpSocket: h.tcpSocket, grpc: nil,
                                      sleep: h.sleep, grace: grace, path: path.child(name))
        }
        return errors
    }

    static func validateHandler(exec: ExecAction?, httpGet: HTTPGetAction?, tcpSocket: TCPSocketAction?,
                                grpc: GRPCAction?, sleep: SleepAction?, grace: Int64?, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        var count = 0
        func claim(_ field: String) -> Bool {
            if count > 0 {
                errors.append(.forbidden(path.child(field), "may not specify more than 1 handler type"))
                return false
            }
            count += 1
            return true
        }
        if let exec, claim("exec"), (exec.command ?? []).isEmpty {
            errors.append(.required(path.child("exec").child("command")))
        }
        if let http = httpGet, claim("httpGet") {
            let hPath = path.child("httpGet")
            if (http.path ?? "").isEmpty { errors.append(.required(hPath.child("path"))) }
            errors += validatePortNumberOrName(http.port, path: hPath.child("port"))
            let scheme = http.scheme ?? ""
            if scheme != "HTTP" && scheme != "HTTPS" {
                errors.append(.notSupported(hPath.child("scheme"), scheme, supported: ["HTTP", "HTTPS"]))
            }
            for header in http.httpHeaders ?? [] {
                errors += isHTTPHeaderName(header.name).map { .invalid(hPath.child("httpHeaders"), header.name, $0) }
            }
        }
        if let tcp = tcpSocket, claim("tcpSocket") {
            errors += validatePortNumberOrName(tcp.port, path: path.child("tcpSocket").child("port"))
        }
        if let grpc, claim("grpc") {
            errors += isValidPortNumber(Int(grpc.port)).map { .invalid(path.child("grpc").child("port"), Int(grpc.port), $0) }
        }
        if let sleep, claim("sleep"), let grace, sleep.seconds <= 0 || sleep.seconds > grace {
            errors.append(.invalid(path.child("sleep"), sleep.seconds,
                "must be greater than 0 and less than terminationGracePeriodSeconds (\(grace)). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."))
        }
        if count == 0 { errors.append(.required(path, "must specify a handler type")) }
        return errors
    }

    /// A port given as a number (1–65535) or an IANA name.
    public static func validatePortNumberOrName(_ port: IntOrString, path: FieldPath) -> FieldErrorList {
        switch port {
        case .int(let number): return isValidPortNumber(Int(number)).map { .invalid(path, Int(number), $0) }
        case .string(let name): return isValidPortName(name).map { .invalid(path, name, $0) }
        }
    }

    static func validateSecurityContext(_ context: SecurityContext?, path: FieldPath) -> FieldErrorList {
        guard let context else { return [] }
        var errors: FieldErrorList = []
        if let uid = context.runAsUser, uid < 0 || uid > 0xFFFF_FFFF {
            errors.append(.invalid(path.child("runAsUser"), uid, inclusiveRangeMessage(0, 0xFFFF_FFFF)))
        }
        if let gid = context.runAsGroup, gid < 0 || gid > 0xFFFF_FFFF {
            errors.append(.invalid(path.child("runAsGroup"), gid, inclusiveRangeMessage(0, 0xFFFF_FFFF)))
        }
        if let procMount = context.procMount, procMount != "Default" && procMount != "Unmasked" {
            errors.append(.notSupported(path.child("procMount"), procMount, supported: ["Default", "Unmasked"]))
        }
        return errors
    }

    static func validatePodSecurityContext(_ context: PodSecurityContext?, path: FieldPath) -> FieldErrorList {
        guard let context else { return [] }
        var errors: FieldErrorList = []
        var idRange: String { inclusiveRangeMessage(0, 0xFFFF_FFFF) }
        if let gid = context.fsGroup, gid < 0 || gid > 0xFFFF_FFFF { errors.append(.invalid(path.child("fsGroup"), gid, idRange)) }
        if let uid = context.runAsUser, uid < 0 || uid > 0xFFFF_FFFF { errors.append(.invalid(path.child("runAsUser"), uid, idRange)) }
        if let gid = context.runAsGroup, gid < 0 || gid > 0xFFFF_FFFF { errors.append(.invalid(path.child("runAsGroup"), gid, idRange)) }
        for (i, gid) in (context.supplementalGroups ?? []).enumerated() where gid < 0 || gid > 0xFFFF_FFFF {
            errors.append(.invalid(path.child("supplementalGroups").index(i), gid, idRange))
        }
        if let policy = context.fsGroupChangePolicy, policy != "OnRootMismatch" && policy != "Always" {
            errors.append(.notSupported(path.child("fsGroupChangePolicy"), policy, supported: ["Always", "OnRootMismatch"]))
        }
        return errors
    }
}
