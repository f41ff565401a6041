import Foundation

// batch/v1 validation: Job and CronJob (upstream pkg/apis/batch/validation, 1.32).

extension Validation {
    /// The labels a generated Job selector puts on the pod template.
    static let jobControllerUIDLabel = "batch.kubernetes.io/controller-uid"
    static let jobNameLabel = "batch.kubernetes.io/job-name"

    /// Validates a Job. Unless `manualSelector` is true, the selector must be the generated one
    /// (see ``BuiltinAdmission/applyDefaults(_:)``, which generates it once `metadata.uid` is set).
    public static func validateJob(_ job: Job) -> FieldErrorList {
        var errors = validateObjectMeta(job.metadata, namespaced: true)
        errors += validateGeneratedSelector(job)
        errors += validateJobSpec(job.spec, path: "spec", requireSelector: true)
        let name = job.metadata.name ?? ""
        if job.spec.completionMode == "Indexed", let completions = job.spec.completions, completions > 0 {
            let hostname = "\(name)-\(completions - 1)"
            if !isDNS1123Label(hostname).isEmpty {
                errors.append(.invalid("metadata.name", name, "will not able to create pod with invalid DNS label: \(hostname)"))
            }
        }
        return errors
    }

    static func validateGeneratedSelector(_ job: Job) -> FieldErrorList {
        guard job.spec.manualSelector != true, let selector = job.spec.selector else { return [] }
        var errors: FieldErrorList = []
        let uid = job.metadata.uid ?? ""
        if uid.isEmpty { errors.append(.required("metadata.uid")) }
        let labels = job.spec.template.metadata?.labels ?? [:]
        let metaPath: FieldPath = "spec.template.metadata"
        let name = job.metadata.name ?? ""
        for (key, expected) in [("controller-uid", uid), ("job-name", name), (jobControllerUIDLabel, uid), (jobNameLabel, name)] {
            if let actual = labels[key] {
                if actual != expected {
                    errors.append(.invalid(metaPath.child("labels").key(key), rendered: GoSyntax.stringMap(labels), "must be '\(expected)'"))
                }
            } else {
                errors.append(.required(metaPath.child("labels").key(key), "must be '\(expected)'"))
            }
        }
        let generated = [jobControllerUIDLabel: uid, jobNameLabel: name, "controller-uid": uid, "job-name": name]
        if selectorMatches(selector, generated) == false {
            errors.append(.invalid("spec.selector", rendered: GoSyntax.labelSelector(selector), "`selector` not auto-generated"))
        }
        return errors
    }

    static func validateJobSpec(_ spec: JobSpec, path: FieldPath, requireSelector: Bool) -> FieldErrorList {
        var errors: FieldErrorList = []
        errors += validateNonnegative(spec.parallelism, path: path.child("parallelism"))
        errors += validateNonnegative(spec.completions, path: path.child("completions"))
        errors += validateNonnegative(spec.activeDeadlineSeconds, path: path.child("activeDeadlineSeconds"))
        errors += validateNonnegative(spec.backoffLimit, path: path.child("backoffLimit"))
        errors += validateNonnegative(spec.ttlSecondsAfterFinished, path: path.child("ttlSecondsAfterFinished"))
        if let mode = spec.completionMode {
            if mode != "NonIndexed" && mode != "Indexed" {
                errors.append(.notSupported(path.child("completionMode"), mode, supported: ["Indexed", "NonIndexed"]))
            }
            if mode == "Indexed" && spec.completions == nil {
                errors.append(.required(path.child("completions"), "when completion mode is Indexed"))
            }
        }
        errors += validateNonnegative(spec.backoffLimitPerIndex, path: path.child("backoffLimitPerIndex"))
        if let maxFailed = spec.maxFailedIndexes {
            errors += validateNonnegative(maxFailed, path: path.child("maxFailedIndexes"))
            if spec.backoffLimitPerIndex == nil {
                errors.append(.required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"))
            }
        }
        if let managedBy = spec.managedBy { errors += validateManagedBy(managedBy, path: path.child("managedBy")) }
        errors += validateIndexedLimits(spec, path: path)
        errors += validatePodFailurePolicy(spec, path: path.child("podFailurePolicy"))
        errors += validateSuccessPolicy(spec, path: path.child("successPolicy"))
        if let replacement = spec.podReplacementPolicy {
            if spec.podFailurePolicy != nil {
                if replacement != "Failed" {
                    errors.append(.notSupported(path.child("podReplacementPolicy"), replacement, supported: ["Failed"]))
                }
            } else if replacement != "Failed" && replacement != "TerminatingOrFailed" {
                errors.append(.notSupported(path.child("podReplacementPolicy"), replacement, supported: ["Failed", "TerminatingOrFailed"]))
            }
        }
        errors += validatePodTemplateSpec(spec.template, path: path.child("template"))
        // Defaulting makes a missing restartPolicy `Always`, so both mean the user gave none.
        let policy = spec.template.spec?.restartPolicy ?? ""
        if policy == "Always" || policy.isEmpty {
            errors.append(.required(path.child("template.spec.restartPolicy"), "valid values: \"OnFailure\", \"Never\""))
        } else if policy != "OnFailure" && policy != "Never" {
            errors.append(.notSupported(path.child("template.spec.restartPolicy"), policy, supported: ["OnFailure", "Never"]))
        } else if spec.podFailurePolicy != nil && policy != "Never" {
            errors.append(.invalid(path.child("template.spec.restartPolicy"), policy,
                                   "only \"Never\" is supported when podFailurePolicy is specified"))
        }
        if requireSelector {
            if let selector = spec.selector {
                errors += validateLabelSelector(selector, path: path.child("selector"))
                if selectorMatches(selector, spec.template.metadata?.labels) == false {
                    errors.append(selectorMismatch(spec.template.metadata?.labels, path: path.child("template.metadata.labels")))
                }
            } else {
                errors.append(.required(path.child("selector")))
            }
        }
        return errors
    }

    /// Job updates: selector, completionMode, podFailurePolicy, backoffLimitPerIndex,
    /// successPolicy and managedBy are immutable; completions too, except on an Indexed Job
    /// together with parallelism (elastic Indexed Jobs); the template too, except the
    /// scheduling directives of a suspended Job that never started.
    public static func validateJobUpdate(_ job: Job, old: Job) -> FieldErrorList {
        var errors = validateObjectMetaUpdate(job.metadata, old: old.metadata)
        errors += validateJobSpec(job.spec, path: "spec", requireSelector: true)
        let spec = job.spec, oldSpec = old.spec
        if spec.completions != oldSpec.completions {
            if spec.completionMode != "Indexed" {
                errors.append(.immutable("spec.completions", rendered: GoSyntax.optionalInt(spec.completions)))
            } else if let completions = spec.completions, completions != spec.parallelism {
                errors.append(.invalid("spec.completions", completions, "can only be modified in tandem with spec.parallelism"))
            }
        }
        if spec.podFailurePolicy != oldSpec.podFailurePolicy {
            errors.append(.immutable("spec.podFailurePolicy", rendered: spec.podFailurePolicy == nil ? "null" : "batch.PodFailurePolicy{...}"))
        }
        if spec.backoffLimitPerIndex != oldSpec.backoffLimitPerIndex {
            errors.append(.immutable("spec.backoffLimitPerIndex", rendered: GoSyntax.optionalInt(spec.backoffLimitPerIndex)))
        }
        if spec.successPolicy != oldSpec.successPolicy {
            errors.append(.immutable("spec.successPolicy", rendered: spec.successPolicy == nil ? "null" : "batch.SuccessPolicy{...}"))
        }
        if spec.selector != oldSpec.selector {
            errors.append(.immutable("spec.selector", rendered: GoSyntax.labelSelector(spec.selector)))
        }
        if spec.completionMode != oldSpec.completionMode {
            errors.append(.immutable("spec.completionMode", rendered: GoSyntax.quote(spec.completionMode ?? "")))
        }
        if spec.managedBy != oldSpec.managedBy {
            errors.append(.immutable("spec.managedBy", rendered: spec.managedBy.map(GoSyntax.quote) ?? "null"))
        }
        var oldTemplate = oldSpec.template
        if oldSpec.suspend == true && old.status.startTime == nil {
            // Mutable scheduling directives (KEP-2926).
            var oldPodSpec = oldTemplate.spec ?? PodSpec(containers: [])
            oldPodSpec.nodeSelector = spec.template.spec?.nodeSelector
            oldPodSpec.affinity = spec.template.spec?.affinity
            oldPodSpec.tolerations = spec.template.spec?.tolerations
            oldPodSpec.schedulingGates = spec.template.spec?.schedulingGates
            oldTemplate.spec = oldPodSpec
            var meta = oldTemplate.metadata ?? ObjectMeta()
            meta.labels = spec.template.metadata?.labels
            meta.annotations = spec.template.metadata?.annotations
            oldTemplate.metadata = meta
        }
        if spec.template != oldTemplate {
            errors.append(.immutable("spec.template", rendered: "core.PodTemplateSpec{...}"))
        }
        return errors
    }

    /// Validates a CronJob: a name of at most 52 characters, a valid schedule and time zone,
    /// and a job template that validates as a Job spec (without a selector).
    public static func validateCronJob(_ cronJob: CronJob) -> FieldErrorList {
        var errors = validateObjectMeta(cronJob.metadata, namespaced: true)
        let name = cronJob.metadata.name ?? ""
        if name.utf8.count > 52 {
            errors.append(.invalid("metadata.name", name, "must be no more than 52 characters"))
        }
        return errors + validateCronJobSpec(cronJob.spec)
    }

    /// CronJob updates: metadata rules, and the spec as on create (the name limit is not
    /// re-checked); a schedule that already used `TZ=` may keep it, and a time zone is checked
    /// only when it changed.
    public static func validateCronJobUpdate(_ cronJob: CronJob, old: CronJob) -> FieldErrorList {
        validateObjectMetaUpdate(cronJob.metadata, old: old.metadata) + validateCronJobSpec(cronJob.spec, old: old.spec)
    }

    static func validateCronJobSpec(_ spec: CronJobSpec, old: CronJobSpec? = nil) -> FieldErrorList {
        var errors: FieldErrorList = []
        let path: FieldPath = "spec"
        if spec.schedule.isEmpty {
            errors.append(.required(path.child("schedule")))
        } else {
            let allowTZ = old?.schedule.contains("TZ") ?? false
            errors += validateSchedule(spec.schedule, allowTZInSchedule: allowTZ, timeZone: spec.timeZone, path: path.child("schedule"))
        }
        errors += validateNonnegative(spec.startingDeadlineSeconds, path: path.child("startingDeadlineSeconds"))
        if let zone = spec.timeZone, old == nil || old?.timeZone != zone { errors += validateTimeZone(zone, path: path.child("timeZone")) }
        errors += oneOf(spec.concurrencyPolicy, ["Allow", "Forbid", "Replace"], path: path.child("concurrencyPolicy"))
        let tPath = path.child("jobTemplate")
        errors += validateLabels(spec.jobTemplate.metadata?.labels, path: tPath.child("metadata.labels"))
        errors += validateAnnotations(spec.jobTemplate.metadata?.annotations, path: tPath.child("metadata.annotations"))
        let jobSpec = spec.jobTemplate.spec ?? JobSpec(template: PodTemplateSpec())
        errors += validateJobSpec(jobSpec, path: tPath.child("spec"), requireSelector: false)
        if let selector = jobSpec.selector {
            errors.append(.invalid(tPath.child("spec.selector"), rendered: GoSyntax.labelSelector(selector), "`selector` will be auto-generated"))
        }
        if jobSpec.manualSelector == true {
            errors.append(.notSupported(tPath.child("spec.manualSelector"), true, supported: ["nil", "false"]))
        }
        errors += validateNonnegative(spec.successfulJobsHistoryLimit, path: path.child("successfulJobsHistoryLimit"))
        errors += validateNonnegative(spec.failedJobsHistoryLimit, path: path.child("failedJobsHistoryLimit"))
        return errors
    }

    /// A cron schedule: robfig/cron's parse errors; no `TZ=`/`CRON_TZ=` prefix, unless the
    /// stored schedule had one already (and then not together with `timeZone`).
    public static func validateSchedule(
        _ schedule: String, allowTZInSchedule: Bool = false, timeZone: String? = nil, path: FieldPath
    ) -> FieldErrorList {
        var errors: FieldErrorList = []
        do { _ = try CronSchedule(parsing: schedule) } catch { errors.append(.invalid(path, schedule, error.message)) }
        if schedule.contains("TZ") {
            if !allowTZInSchedule {
                errors.append(.invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
            } else if timeZone != nil {
                errors.append(.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
            }
        }
        return errors
    }

    static func validateTimeZone(_ zone: String, path: FieldPath) -> FieldErrorList {
        if zone.isEmpty { return [.invalid(path, zone, "timeZone must be nil or non-empty string")] }
        for part in zone.split(separator: "/", omittingEmptySubsequences: false) {
            // Upstream's `^[A-Za-z\.\-_0-9+]{1,14}$` per component.
            let ok = part != "." && part != ".." && !part.hasPrefix("-") && (1...14).contains(part.utf8.count)
                && part.utf8.allSatisfy { isAlnum($0) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2B || $0 == 0x2E }
            if !ok { return [.invalid(path, zone, "unknown time zone \(zone)")] }
        }
        if zone.lowercased() == "local" {
            return [.invalid(path, zone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")]
        }
        if TimeZone(identifier: zone) == nil { return [.invalid(path, zone, "unknown time zone \(zone)")] }
        return []
    }
}
