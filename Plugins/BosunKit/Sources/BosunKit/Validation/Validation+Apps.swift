// apps/v1 validation: ReplicaSet, Deployment, DaemonSet, StatefulSet (upstream
// pkg/apis/apps/validation), plus the selector immutability the apps/v1 strategies add.

extension Validation {
    static func validateWorkloadSelector(_ selector: LabelSelector, kind: String, path: FieldPath) -> FieldErrorList {
        var errors = validateLabelSelector(selector, path: path)
        if isEmptySelector(selector) {
            errors.append(.invalid(path, rendered: GoSyntax.labelSelector(selector), "empty selector is invalid for \(kind)"))
        }
        return errors
    }

    /// The template of an RS, Deployment or DaemonSet: matches the selector, is a valid pod
    /// template, restarts Always and has no activeDeadlineSeconds.
    static func validateReplicatedTemplate(_ template: PodTemplateSpec?, selector: LabelSelector, kind: String,
                                           path: FieldPath) -> FieldErrorList {
        guard let template else { return [.required(path)] }
        var errors: FieldErrorList = []
        if !isEmptySelector(selector), selectorMatches(selector, template.metadata?.labels) == false {
            errors.append(selectorMismatch(template.metadata?.labels, path: path.child("metadata.labels")))
        }
        errors += validatePodTemplateSpec(template, path: path)
        errors += restartAlways(template, kind: kind, path: path)
        return errors
    }

    static func restartAlways(_ template: PodTemplateSpec, kind: String, path: FieldPath) -> FieldErrorList {
        var errors: FieldErrorList = []
        let policy = template.spec?.restartPolicy ?? ""
        if policy != "Always" { errors.append(.notSupported(path.child("spec.restartPolicy"), policy, supported: ["Always"])) }
        if template.spec?.activeDeadlineSeconds != nil {
            errors.append(.forbidden(path.child("spec.activeDeadlineSeconds"), "activeDeadlineSeconds in \(kind) is not Supported"))
        }
        return errors
    }

    /// Validates a ReplicaSet.
    public static func validateReplicaSet(_ rs: ReplicaSet) -> FieldErrorList {
        var errors = validateObjectMeta(rs.metadata, namespaced: true)
        errors += validateNonnegative(rs.spec.replicas ?? 0, path: "spec.replicas")
        errors += validateNonnegative(rs.spec.minReadySeconds ?? 0, path: "spec.minReadySeconds")
        errors += validateWorkloadSelector(rs.spec.selector, kind: "deployment", path: "spec.selector")
        errors += validateReplicatedTemplate(rs.spec.template, selector: rs.spec.selector, kind: "ReplicaSet", path: "spec.template")
        return errors
    }

    /// The status of a ReplicaSet or ReplicationController (upstream `ValidateReplicaSetStatus`,
    /// `ValidateReplicationControllerStatus`): every count non-negative, none above `replicas`,
    /// `availableReplicas` not above `readyReplicas`.
    public static func validateReplicaStatus(
        replicas: Int32, fullyLabeled: Int32?, ready: Int32?, available: Int32?, observedGeneration: Int64?
    ) -> FieldErrorList {
        let path: FieldPath = "status"
        var errors = validateNonnegative(replicas, path: path.child("replicas"))
        errors += validateNonnegative(fullyLabeled, path: path.child("fullyLabeledReplicas"))
        errors += validateNonnegative(ready, path: path.child("readyReplicas"))
        errors += validateNonnegative(available, path: path.child("availableReplicas"))
        errors += validateNonnegative(observedGeneration, path: path.child("observedGeneration"))
        let (fullyLabeled, ready, available) = (fullyLabeled ?? 0, ready ?? 0, available ?? 0)
        let message = "cannot be greater than status.replicas"
        if fullyLabeled > replicas { errors.append(.invalid(path.child("fullyLabeledReplicas"), fullyLabeled, message)) }
        if ready > replicas { errors.append(.invalid(path.child("readyReplicas"), ready, message)) }
        if available > replicas { errors.append(.invalid(path.child("availableReplicas"), available, message)) }
        if available > ready { errors.append(.invalid(path.child("availableReplicas"), available, "cannot be greater than readyReplicas")) }
        return errors
    }

    /// Validates a Deployment, including its strategy and progress deadline.
    public static func validateDeployment(_ d: Deployment) -> FieldErrorList {
        var errors = validateObjectMeta(d.metadata, namespaced: true)
        let spec = d.spec
        errors += validateNonnegative(spec.replicas ?? 0, path: "spec.replicas")
        errors += validateWorkloadSelector(spec.selector, kind: "deployment", path: "spec.selector")
        errors += validateReplicatedTemplate(spec.template, selector: spec.selector, kind: "ReplicaSet", path: "spec.template")
        errors += validateDeploymentStrategy(spec.strategy, path: "spec.strategy")
        errors += validateNonnegative(spec.minReadySeconds ?? 0, path: "spec.minReadySeconds")
        errors += validateNonnegative(spec.revisionHistoryLimit, path: "spec.revisionHistoryLimit")
        if let deadline = spec.progressDeadlineSeconds {
            errors += validateNonnegative(deadline, path: "spec.progressDeadlineSeconds")
            if deadline <= (spec.minReadySeconds ?? 0) {
                errors.append(.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
            }
        }
        return errors
    }

    /// Validates a Deployment's status as `/status` writes it (upstream
    /// `ValidateDeploymentStatusUpdate`): counts are not negative and not above `replicas`,
    /// `availableReplicas` is not above `readyReplicas`, and `collisionCount` never goes down.
    public static func validateDeploymentStatusUpdate(_ d: Deployment, old: Deployment) -> FieldErrorList {
        let status = d.status
        var errors = validateNonnegative(status.observedGeneration, path: "status.observedGeneration")
        errors += validateNonnegative(status.replicas, path: "status.replicas")
        errors += validateNonnegative(status.updatedReplicas, path: "status.updatedReplicas")
        errors += validateNonnegative(status.readyReplicas, path: "status.readyReplicas")
        errors += validateNonnegative(status.availableReplicas, path: "status.availableReplicas")
        errors += validateNonnegative(status.unavailableReplicas, path: "status.unavailableReplicas")
        errors += validateNonnegative(status.collisionCount, path: "status.collisionCount")
        let replicas = status.replicas ?? 0
        for (value, field) in [(status.updatedReplicas, "updatedReplicas"), (status.readyReplicas, "readyReplicas"),
                               (status.availableReplicas, "availableReplicas")] where (value ?? 0) > replicas {
            errors.append(.invalid(FieldPath("status").child(field), value ?? 0, "cannot be greater than status.replicas"))
        }
        if (status.availableReplicas ?? 0) > (status.readyReplicas ?? 0) {
            errors.append(.invalid("status.availableReplicas", status.availableReplicas ?? 0, "cannot be greater than readyReplicas"))
        }
        if let before = old.status.collisionCount, (status.collisionCount ?? 0) < before {
            errors.append(.invalid("status.collisionCount", status.collisionCount ?? 0, "cannot be decremented"))
        }
        return errors
    }

    static func validateDeploymentStrategy(_ strategy: DeploymentStrategy?, path: FieldPath) -> FieldErrorList {
        let type = strategy?.type ?? ""
        switch type {
        case "Recreate":
            if strategy?.rollingUpdate != nil {
                return [.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")]
            }
            return []
        case "RollingUpdate":
            guard let rolling = strategy?.rollingUpdate else {
                return [.required(path.child("rollingUpdate"), "this should be defaulted and never be nil")]
            }
            let rPath = path.child("rollingUpdate")
            var errors = validatePositiveIntOrPercent(rolling.maxUnavailable, path: rPath.child("maxUnavailable"))
            errors += validatePositiveIntOrPercent(rolling.maxSurge, path: rPath.child("maxSurge"))
            if intOrPercentValue(rolling.maxUnavailable) == 0 && intOrPercentValue(rolling.maxSurge) == 0 {
                errors.append(.invalid(rPath.child("maxUnavailable"), rendered: GoSyntax.intOrString(rolling.maxUnavailable),
                                       "may not be 0 when `maxSurge` is 0"))
            }
            errors += notMoreThan100Percent(rolling.maxUnavailable, path: rPath.child("maxUnavailable"))
            return errors
        default:
            let rendered = "apps.DeploymentStrategy{Type:" + GoSyntax.quote(type) + ", RollingUpdate:"
                + (strategy?.rollingUpdate == nil ? "(*apps.RollingUpdateDeployment)(nil)" : "(*apps.RollingUpdateDeployment)(0x1)") + "}"
            return [FieldError(.notSupported, path, value: rendered, "supported values: \"Recreate\", \"RollingUpdate\"")]
        }
    }

    /// An int ≥ 0 or a percentage string.
    public static func validatePositiveIntOrPercent(_ value: IntOrString?, path: FieldPath) -> FieldErrorList {
        switch value {
        case .string(let s)?: return isValidPercent(s).map { .invalid(path, rendered: GoSyntax.intOrString(value), $0) }
        case .int(let i)?: return validateNonnegative(i, path: path)
        case nil: return []
        }
    }

    static func percentValue(_ value: IntOrString?) -> Int? {
        guard case .string(let s)? = value, isValidPercent(s).isEmpty else { return nil }
        return Int(s.dropLast())
    }

    static func intOrPercentValue(_ value: IntOrString?) -> Int {
        if let percent = percentValue(value) { return percent }
        if case .int(let i)? = value { return Int(i) }
        if case .string(let s)? = value { return Int(s) ?? 0 }
        return 0
    }

    static func notMoreThan100Percent(_ value: IntOrString?, path: FieldPath) -> FieldErrorList {
        guard let percent = percentValue(value), percent > 100 else { return [] }
        return [.invalid(path, rendered: GoSyntax.intOrString(value), "must not be greater than 100%")]
    }

    /// Validates a DaemonSet.
    public static func validateDaemonSet(_ ds: DaemonSet) -> FieldErrorList {
        var errors = validateObjectMeta(ds.metadata, namespaced: true)
        let spec = ds.spec
        errors += validateLabelSelector(spec.selector, path: "spec.selector")
        if selectorMatches(spec.selector, spec.template.metadata?.labels) == false {
            errors.append(selectorMismatch(spec.template.metadata?.labels, path: "spec.template.metadata.labels"))
        }
        if isEmptySelector(spec.selector) {
            errors.append(.invalid("spec.selector", rendered: GoSyntax.labelSelector(spec.selector), "empty selector is invalid for daemonset"))
        }
        errors += validatePodTemplateSpec(spec.template, path: "spec.template")
        errors += restartAlways(spec.template, kind: "DaemonSet", path: "spec.template")
        errors += validateNonnegative(spec.minReadySeconds ?? 0, path: "spec.minReadySeconds")
        let sPath: FieldPath = "spec.updateStrategy"
        switch spec.updateStrategy?.type ?? "" {
        case "OnDelete": break
        case "RollingUpdate":
            if let rolling = spec.updateStrategy?.rollingUpdate {
                let rPath = sPath.child("rollingUpdate")
                errors += validatePositiveIntOrPercent(rolling.maxUnavailable, path: rPath.child("maxUnavailable"))
                errors += validatePositiveIntOrPercent(rolling.maxSurge, path: rPath.child("maxSurge"))
                errors += notMoreThan100Percent(rolling.maxUnavailable, path: rPath.child("maxUnavailable"))
                errors += notMoreThan100Percent(rolling.maxSurge, path: rPath.child("maxSurge"))
                let hasUnavailable = intOrPercentValue(rolling.maxUnavailable) != 0
                let hasSurge = intOrPercentValue(rolling.maxSurge) != 0
                if hasUnavailable && hasSurge {
                    errors.append(.invalid(rPath.child("maxSurge"), rendered: GoSyntax.intOrString(rolling.maxSurge),
                                           "may not be set when maxUnavailable is non-zero"))
                } else if !hasUnavailable && !hasSurge {
                    errors.append(.required(rPath.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
                }
            } else {
                errors.append(.required(sPath.child("rollingUpdate")))
            }
        case let type:
            let rendered = "apps.DaemonSetUpdateStrategy{Type:" + GoSyntax.quote(type) + ", RollingUpdate:"
                + (spec.updateStrategy?.rollingUpdate == nil ? "(*apps.RollingUpdateDaemonSet)(nil)" : "(*apps.RollingUpdateDaemonSet)(0x1)") + "}"
            errors.append(FieldError(.notSupported, sPath, value: rendered, "supported values: \"RollingUpdate\", \"OnDelete\""))
        }
        errors += validateNonnegative(spec.revisionHistoryLimit, path: "spec.revisionHistoryLimit")
        return errors
    }

    /// Validates a StatefulSet (its name must be a DNS label; the template is checked for
    /// labels, annotations and restart policy only, as upstream does).
    public static func validateStatefulSet(_ sts: StatefulSet) -> FieldErrorList {
        validateObjectMeta(sts.metadata, namespaced: true, name: nameIsDNSLabel) + validateStatefulSetSpec(sts.spec)
    }

    static func validateStatefulSetSpec(_ spec: StatefulSetSpec) -> FieldErrorList {
        var errors: FieldErrorList = []
        switch spec.podManagementPolicy ?? "" {
        case "": errors.append(.required("spec.podManagementPolicy"))
        case "OrderedReady", "Parallel": break
        case let policy: errors.append(.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
        }
        let sPath: FieldPath = "spec.updateStrategy"
        switch spec.updateStrategy?.type ?? "" {
        case "": errors.append(.required(sPath))
        case "OnDelete":
            if spec.updateStrategy?.rollingUpdate != nil {
                errors.append(.invalid(sPath.child("rollingUpdate"), rendered: "apps.RollingUpdateStatefulSetStrategy{...}",
                                       "only allowed for updateStrategy 'RollingUpdate'"))
            }
        case "RollingUpdate":
            if let rolling = spec.updateStrategy?.rollingUpdate {
                let rPath = sPath.child("rollingUpdate")
                errors += validateNonnegative(rolling.partition ?? 0, path: rPath.child("partition"))
                if let maxUnavailable = rolling.maxUnavailable {
                    errors += validatePositiveIntOrPercent(maxUnavailable, path: rPath.child("maxUnavailable"))
                    if intOrPercentValue(maxUnavailable) == 0 {
                        errors.append(.invalid(rPath.child("maxUnavailable"), rendered: GoSyntax.intOrString(maxUnavailable), "cannot be 0"))
                    }
                    errors += notMoreThan100Percent(maxUnavailable, path: rPath.child("maxUnavailable"))
                }
            }
        case let type:
            errors.append(.invalid(sPath, rendered: "apps.StatefulSetUpdateStrategy{Type:" + GoSyntax.quote(type) + "}",
                                   "must be 'RollingUpdate' or 'OnDelete'"))
        }
        if let policy = spec.persistentVolumeClaimRetentionPolicy {
            let pPath: FieldPath = "spec.persistentVolumeClaimRetentionPolicy"
            for (value, field) in [(policy.whenDeleted, "whenDeleted"), (policy.whenScaled, "whenScaled")] {
                let value = value ?? ""
                if value != "Retain" && value != "Delete" {
                    errors.append(.notSupported(pPath.child(field), value, supported: ["Retain", "Delete"]))
                }
            }
        }
        errors += validateNonnegative(spec.replicas ?? 0, path: "spec.replicas")
        errors += validateNonnegative(spec.minReadySeconds ?? 0, path: "spec.minReadySeconds")
        if let ordinals = spec.ordinals { errors += validateNonnegative(ordinals.start ?? 0, path: "spec.ordinals.start") }
        errors += validateWorkloadSelector(spec.selector, kind: "statefulset", path: "spec.selector")
        let labels = spec.template.metadata?.labels
        if !isEmptySelector(spec.selector), selectorMatches(spec.selector, labels) == false {
            errors.append(selectorMismatch(labels, path: "spec.template.metadata.labels"))
        }
        errors += validateLabels(labels, path: "spec.template.labels")
        errors += validateAnnotations(spec.template.metadata?.annotations, path: "spec.template.annotations")
        let policy = spec.template.spec?.restartPolicy ?? ""
        if policy != "Always" { errors.append(.notSupported("spec.template.spec.restartPolicy", policy, supported: ["Always"])) }
        if spec.template.spec?.activeDeadlineSeconds != nil {
            errors.append(.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported"))
        }
        for (i, claim) in (spec.volumeClaimTemplates ?? []).enumerated() {
            let cPath = (FieldPath(stringLiteral: "spec.volumeClaimTemplates")).index(i)
            errors += validatePersistentVolumeClaimSpec(claim.spec, path: cPath.child("spec"))
        }
        return errors
    }

    /// apps/v1 strategies make the selector of Deployments, ReplicaSets and DaemonSets immutable.
    static func validateSelectorImmutable(_ new: LabelSelector, _ old: LabelSelector) -> FieldErrorList {
        new == old ? [] : [.immutable("spec.selector", rendered: GoSyntax.labelSelector(new))]
    }

    /// StatefulSet updates: the spec as on create, and only replicas, ordinals, template,
    /// updateStrategy, PVC retention and minReadySeconds may change.
    public static func validateStatefulSetUpdate(_ sts: StatefulSet, old: StatefulSet) -> FieldErrorList {
        var errors = validateObjectMetaUpdate(sts.metadata, old: old.metadata) + validateStatefulSetSpec(sts.spec)
        var clone = sts.spec
        clone.replicas = old.spec.replicas
        clone.template = old.spec.template
        clone.updateStrategy = old.spec.updateStrategy
        clone.minReadySeconds = old.spec.minReadySeconds
        clone.ordinals = old.spec.ordinals
        clone.persistentVolumeClaimRetentionPolicy = old.spec.persistentVolumeClaimRetentionPolicy
        if clone != old.spec {
            errors.append(.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
        }
        return errors
    }
}
