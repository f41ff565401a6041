// Pods, pod templates and the pod update rules (upstream ValidatePodCreate, ValidatePodUpdate,
// ValidatePodTemplateSpec).

extension Validation {
    static let updatablePodSpecFields = [
        "`spec.containers[*].image`",
        "`spec.initContainers[*].image`",
        "`spec.activeDeadlineSeconds`",
        "`spec.tolerations` (only additions to existing tolerations)",
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ]

    /// Validates a Pod on create.
    public static func validatePod(_ pod: Pod) -> FieldErrorList {
        var errors = validateObjectMeta(pod.metadata, namespaced: true)
        errors += validatePodSpecOfPod(pod.spec)
        if !(pod.spec.ephemeralContainers ?? []).isEmpty {
            errors.append(.forbidden("spec.ephemeralContainers", "cannot be set on create"))
        }
        if !(pod.spec.nodeName ?? "").isEmpty && !(pod.spec.schedulingGates ?? []).isEmpty {
            errors.append(.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
        }
        return errors
    }

    /// Validates a Pod update: only images, `activeDeadlineSeconds` (down only), added
    /// tolerations, removed scheduling gates and a negative grace period raised to 1 may change.
    public static func validatePodUpdate(_ pod: Pod, old: Pod) -> FieldErrorList {
        var errors = validateObjectMetaUpdate(pod.metadata, old: old.metadata)
        errors += validateObjectMeta(pod.metadata, namespaced: true)
        errors += validatePodSpecOfPod(pod.spec)
        let spec: FieldPath = "spec"
        for (new, previous, name) in [(pod.spec.containers, old.spec.containers, "containers"),
                                      (pod.spec.initContainers ?? [], old.spec.initContainers ?? [], "initContainers")] {
            if new.count != previous.count {
                errors.append(.forbidden(spec.child(name), "pod updates may not add or remove containers"))
                return errors
            }
        }
        if let deadline = pod.spec.activeDeadlineSeconds {
            if deadline < 0 || deadline > Int64(Int32.max) {
                errors.append(.invalid(spec.child("activeDeadlineSeconds"), deadline, inclusiveRangeMessage(0, Int(Int32.max))))
                return errors
            }
            if let previous = old.spec.activeDeadlineSeconds, previous < deadline {
                errors.append(.invalid(spec.child("activeDeadlineSeconds"), deadline, "must be less than or equal to previous value"))
                return errors
            }
        } else if old.spec.activeDeadlineSeconds != nil {
            errors.append(.invalid(spec.child("activeDeadlineSeconds"), rendered: "null", "must not update from a positive integer to nil value"))
        }
        // Existing tolerations may only change their tolerationSeconds.
        for previous in old.spec.tolerations ?? [] {
            let kept = (pod.spec.tolerations ?? []).contains { t in
                var candidate = previous
                candidate.tolerationSeconds = t.tolerationSeconds
                return candidate == t
            }
            if !kept {
                errors.append(.forbidden(spec.child("tolerations"), "existing toleration can not be modified except its tolerationSeconds"))
                break
            }
        }
        let oldGates = Set((old.spec.schedulingGates ?? []).map(\.name))
        for (i, gate) in (pod.spec.schedulingGates ?? []).enumerated() where !oldGates.contains(gate.name) {
            errors.append(.forbidden(spec.child("schedulingGates").index(i).child("name"),
                                     "only deletion is allowed, but found new scheduling gate '\(gate.name)'"))
        }
        if pod.spec == old.spec { return errors }
        var munged = pod.spec
        for i in munged.containers.indices { munged.containers[i].image = old.spec.containers[i].image }
        if var inits = munged.initContainers, let oldInits = old.spec.initContainers {
            for i in inits.indices { inits[i].image = oldInits[i].image }
            munged.initContainers = inits
        }
        munged.activeDeadlineSeconds = old.spec.activeDeadlineSeconds
        munged.schedulingGates = old.spec.schedulingGates
        munged.tolerations = old.spec.tolerations
        if let previous = old.spec.terminationGracePeriodSeconds, previous < 0, munged.terminationGracePeriodSeconds == 1 {
            munged.terminationGracePeriodSeconds = previous
        }
        if munged != old.spec {
            errors.append(.forbidden(spec, "pod updates may not change fields other than "
                + updatablePodSpecFields.joined(separator: ",") + "\n" + specDiff(old.spec, munged)))
        }
        return errors
    }

    /// A short account of which top-level fields differ (upstream prints a go-cmp diff here).
    static func specDiff(_ old: some JSONEncodable, _ new: some JSONEncodable) -> String {
        let a = old.jsonValue().objectValue?.members ?? [], b = new.jsonValue().objectValue?.members ?? []
        var keys: [String] = []
        for m in a where !b.contains(where: { $0.key == m.key && $0.value == m.value }) { keys.append(m.key) }
        for m in b where !a.contains(where: { $0.key == m.key }) { keys.append(m.key) }
        return keys.map { "  changed: " + $0 }.joined(separator: "\n")
    }

    /// Validates a pod template's labels, annotations and spec.
    public static func validatePodTemplateSpec(_ template: PodTemplateSpec?, path: FieldPath) -> FieldErrorList {
        guard let template else { return [.required(path)] }
        var errors = validateLabels(template.metadata?.labels, path: path.child("labels"))
        errors += validateAnnotations(template.metadata?.annotations, path: path.child("annotations"))
        errors += validatePodSpec(template.spec ?? PodSpec(containers: []), path: path.child("spec"))
        if !(template.spec?.ephemeralContainers ?? []).isEmpty {
            errors.append(.forbidden(path.child("spec").child("ephemeralContainers"), "ephemeral containers not allowed in pod template"))
        }
        return errors
    }

    /// Validates a PodTemplate object.
    public static func validatePodTemplate(_ template: PodTemplate) -> FieldErrorList {
        validateObjectMeta(template.metadata, namespaced: true)
            + validatePodTemplateSpec(template.template ?? PodTemplateSpec(), path: "template")
    }

    /// `spec.template.metadata.labels: Invalid value: map[string]string{...}: `selector` does not match template `labels``.
    static func selectorMismatch(_ labels: [String: String]?, path: FieldPath) -> FieldError {
        .invalid(path, rendered: GoSyntax.stringMap(labels), "`selector` does not match template `labels`")
    }

    /// Whether a struct-form selector matches `labels`; `nil` when the selector does not compile.
    static func selectorMatches(_ selector: LabelSelector, _ labels: [String: String]?) -> Bool? {
        let expressions = selector.matchExpressions?.map { (key: $0.key, operator: $0.operator, values: $0.values ?? []) }
        guard let compiled = try? Selector(matchLabels: selector.matchLabels, matchExpressions: expressions) else { return nil }
        return compiled.matches(labels ?? [:])
    }

    static func isEmptySelector(_ selector: LabelSelector) -> Bool {
        (selector.matchLabels ?? [:]).isEmpty && (selector.matchExpressions ?? []).isEmpty
    }
}

extension Validation {
    /// ``validatePodSpec(_:path:isPod:)`` of a pod's spec, skipped for a spec found valid lately
    /// (see ``PodSpecMemo``): pods a controller makes from one template share its storage.
    static func validatePodSpecOfPod(_ spec: PodSpec) -> FieldErrorList {
        if validPodSpecs.result(for: spec) != nil { return [] }
        let errors = validatePodSpec(spec, path: "spec", isPod: true)
        if errors.isEmpty { validPodSpecs.remember(true, for: spec) }
        return errors
    }

    /// Pod specs found valid lately.
    static let validPodSpecs = PodSpecMemo<Bool>()
}
