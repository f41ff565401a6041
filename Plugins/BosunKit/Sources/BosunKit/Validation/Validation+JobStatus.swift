// batch/v1 Job status writes (upstream `ValidateJobUpdateStatus` with the options the Job
// strategy sets while JobManagedBy is on, as in 1.32): counters never go back, terminal
// conditions stay, `Complete` needs `SuccessCriteriaMet` and `Failed` needs `FailureTarget`,
// and a finished Job has nothing active, terminating or uncounted. A rule on a field applies
// only when the write changes that field, so a Job whose status broke a rule earlier can still
// be updated otherwise.

extension Validation {
    /// Validates a `/status` write of `old` to `job`.
    public static func validateJobStatusUpdate(_ job: Job, old: Job) -> FieldErrorList {
        var errors: FieldErrorList = []
        let path: FieldPath = "status"
        let status = job.status, oldStatus = old.status
        func isTrue(_ conditions: [JobCondition]?, _ type: String) -> Bool {
            conditions?.contains { $0.type == type && $0.status == "True" } ?? false
        }
        let complete = isTrue(status.conditions, "Complete"), failed = isTrue(status.conditions, "Failed")
        let failureTarget = isTrue(status.conditions, "FailureTarget"), criteriaMet = isTrue(status.conditions, "SuccessCriteriaMet")
        let finished = complete || failed
        let oldComplete = isTrue(oldStatus.conditions, "Complete"), oldFailed = isTrue(oldStatus.conditions, "Failed")
        let completeChanged = complete != oldComplete, failedChanged = failed != oldFailed
        let finishedChanged = finished != (oldComplete || oldFailed)
        let failureTargetChanged = failureTarget != isTrue(oldStatus.conditions, "FailureTarget")
        let completedIndexesChanged = status.completedIndexes != oldStatus.completedIndexes
        let failedIndexesChanged = status.failedIndexes != oldStatus.failedIndexes
        let activeChanged = status.active != oldStatus.active
        let startTimeChanged = status.startTime != oldStatus.startTime
        let completionTimeChanged = status.completionTime != oldStatus.completionTime
        let uncountedChanged = status.uncountedTerminatedPods != oldStatus.uncountedTerminatedPods
        let active = status.active ?? 0

        errors += validateNonnegative(status.active, path: path.child("active"))
        errors += validateNonnegative(status.succeeded, path: path.child("succeeded"))
        errors += validateNonnegative(status.failed, path: path.child("failed"))
        errors += validateNonnegative(status.ready, path: path.child("ready"))
        errors += validateNonnegative(status.terminating, path: path.child("terminating"))
        if let uncounted = status.uncountedTerminatedPods {
            var seen = Set<String>()
            for (list, name) in [(uncounted.succeeded ?? [], "succeeded"), (uncounted.failed ?? [], "failed")] {
                for (i, uid) in list.enumerated() {
                    let p = path.child("uncountedTerminatedPods").child(name).index(i)
                    if uid.isEmpty {
                        errors.append(.invalid(p, uid, "must not be empty"))
                    } else if !seen.insert(uid).inserted {
                        errors.append(.duplicate(p, uid))
                    }
                }
            }
        }
        let conditionsPath = path.child("conditions")
        func conditionError(_ detail: String) -> FieldError { FieldError(.invalid, conditionsPath, detail) }
        if (completeChanged || failedChanged) && complete && failed {
            errors.append(conditionError("cannot set Complete=True and Failed=true conditions"))
        }
        if (completeChanged || failureTargetChanged) && complete && failureTarget {
            errors.append(conditionError("cannot set Complete=True and FailureTarget=true conditions"))
        }
        if (completeChanged || completionTimeChanged) && status.completionTime != nil && !complete {
            errors.append(.invalid(path.child("completionTime"), rendered: status.completionTime!.rfc3339,
                                   "cannot set completionTime when there is no Complete=True condition"))
        }
        if (completeChanged || completionTimeChanged) && status.completionTime == nil && complete {
            errors.append(.required(path.child("completionTime"), "completionTime is required for Complete jobs"))
        }
        if (startTimeChanged || completionTimeChanged), let start = status.startTime, let end = status.completionTime, end < start {
            errors.append(.invalid(path.child("completionTime"), rendered: end.rfc3339, "completionTime cannot be set before startTime"))
        }
        if (failedChanged || failedIndexesChanged) && failed && !failureTarget {
            errors.append(conditionError("cannot set Failed=True condition without the FailureTarget=true condition"))
        }
        if completeChanged && complete && !criteriaMet {
            errors.append(conditionError("cannot set Complete=True condition without the SuccessCriteriaMet=true condition"))
        }
        if (finishedChanged || activeChanged) && active > 0 && finished {
            errors.append(.invalid(path.child("active"), active, "active>0 is invalid for finished job"))
        }
        if (finishedChanged || startTimeChanged) && status.startTime == nil && finished {
            errors.append(.required(path.child("startTime"), "startTime is required for finished job"))
        }
        if (finishedChanged || uncountedChanged) && finished,
           (status.uncountedTerminatedPods?.succeeded?.count ?? 0) + (status.uncountedTerminatedPods?.failed?.count ?? 0) > 0 {
            errors.append(FieldError(.invalid, path.child("uncountedTerminatedPods"), "uncountedTerminatedPods needs to be empty for finished job"))
        }
        let indexed = job.spec.completionMode == "Indexed"
        if completedIndexesChanged, let completions = job.spec.completions,
           case .failure(let error) = validateIndexesFormat(status.completedIndexes ?? "", completions: completions) {
            errors.append(.invalid(path.child("completedIndexes"), status.completedIndexes ?? "", "error parsing completedIndexes: \(error)"))
        }
        if failedIndexesChanged, let completions = job.spec.completions, job.spec.backoffLimitPerIndex != nil, let failedIndexes = status.failedIndexes,
           case .failure(let error) = validateIndexesFormat(failedIndexes, completions: completions) {
            errors.append(.invalid(path.child("failedIndexes"), failedIndexes, "error parsing failedIndexes: \(error)"))
        }
        if completedIndexesChanged && !(status.completedIndexes ?? "").isEmpty && !indexed {
            errors.append(.invalid(path.child("completedIndexes"), status.completedIndexes ?? "",
                                   "cannot set non-empty completedIndexes when non-indexed completion mode"))
        }
        if failedIndexesChanged && job.spec.backoffLimitPerIndex == nil, let failedIndexes = status.failedIndexes {
            errors.append(.invalid(path.child("failedIndexes"), failedIndexes, "cannot set non-null failedIndexes when backoffLimitPerIndex is null"))
        }
        if (finishedChanged || status.terminating != oldStatus.terminating) && (status.terminating ?? 0) > 0 && finished {
            errors.append(.invalid(path.child("terminating"), status.terminating ?? 0, "terminating>0 is invalid for finished job"))
        }
        if (status.ready != oldStatus.ready || activeChanged), let ready = status.ready, ready > active {
            errors.append(.invalid(path.child("ready"), ready, "cannot set more ready pods than active"))
        }
        if criteriaMet && failed {
            errors.append(conditionError("cannot set SuccessCriteriaMet=True and Failed=true conditions"))
        }
        if criteriaMet && failureTarget {
            errors.append(conditionError("cannot set SuccessCriteriaMet=True and FailureTarget=true conditions"))
        }
        if job.spec.successPolicy != nil && !criteriaMet && complete {
            errors.append(conditionError("cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True"))
        }

        // Transitions.
        for type in ["Failed", "Complete", "FailureTarget"] where isTrue(oldStatus.conditions, type) && !isTrue(status.conditions, type) {
            errors.append(conditionError("cannot disable the terminal \(type)=True condition"))
        }
        if (status.failed ?? 0) < (oldStatus.failed ?? 0) {
            errors.append(.invalid(path.child("failed"), status.failed ?? 0, "cannot decrease the failed counter"))
        }
        // An elastic Indexed Job (completions = parallelism) may be scaled down, and so lose successes.
        let scalable = indexed && job.spec.completions == job.spec.parallelism
        if !scalable && (status.succeeded ?? 0) < (oldStatus.succeeded ?? 0) {
            errors.append(.invalid(path.child("succeeded"), status.succeeded ?? 0, "cannot decrease the succeeded counter"))
        }
        if let end = status.completionTime, let oldEnd = oldStatus.completionTime, end != oldEnd {
            errors.append(.invalid(path.child("completionTime"), rendered: end.rfc3339, "completionTime cannot be mutated"))
        }
        // Resuming a suspended Job restarts its clock (the check as fixed after 1.32, where it
        // refused every resume of a Job that had run).
        if startTimeChanged && oldStatus.startTime != nil && job.spec.suspend != true && !isTrue(oldStatus.conditions, "Suspended") {
            errors.append(.required(path.child("startTime"), "startTime cannot be removed for unsuspended job"))
        }
        if isTrue(oldStatus.conditions, "SuccessCriteriaMet") && !criteriaMet {
            errors.append(conditionError("cannot disable the SuccessCriteriaMet=True condition"))
        }
        if oldComplete && !isTrue(oldStatus.conditions, "SuccessCriteriaMet") && criteriaMet {
            errors.append(conditionError("cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions"))
        }
        return errors
    }
}
