import BosunRuntime

/// Job condition types and reasons, as batch/v1 names them.
public enum JobConditionType {
    public static let suspended = "Suspended"
    public static let failureTarget = "FailureTarget"
    public static let successCriteriaMet = "SuccessCriteriaMet"
    public static let complete = "Complete"
    public static let failed = "Failed"
}

public enum JobReason {
    public static let backoffLimitExceeded = "BackoffLimitExceeded"
    public static let deadlineExceeded = "DeadlineExceeded"
    public static let podFailurePolicy = "PodFailurePolicy"
    public static let failedIndexes = "FailedIndexes"
    public static let maxFailedIndexesExceeded = "MaxFailedIndexesExceeded"
    public static let successPolicy = "SuccessPolicy"
    public static let completionsReached = "CompletionsReached"
}

extension Job {
    /// The condition of `type`, if the Job has one.
    public func condition(_ type: String) -> JobCondition? {
        status.conditions?.first { $0.type == type }
    }

    /// Whether the condition of `type` is `True`.
    public func hasTrueCondition(_ type: String) -> Bool {
        condition(type)?.status == "True"
    }

    /// The `Complete` or `Failed` condition that is `True`: the Job has finished.
    public var finishedCondition: JobCondition? {
        status.conditions?.first { ($0.type == JobConditionType.complete || $0.type == JobConditionType.failed) && $0.status == "True" }
    }

    /// `Complete` or `Failed` is `True`; a finished Job is never synced again.
    public var isFinished: Bool { finishedCondition != nil }

    /// `Complete` is `True`.
    public var isSucceeded: Bool { hasTrueCondition(JobConditionType.complete) }
}

extension JobCondition {
    /// A condition that starts now: both its probe and transition times are `now`, cut to the
    /// second as stored times are.
    static func new(_ type: String, status: String = "True", reason: String, message: String, now: Time) -> JobCondition {
        let now = now.truncatedToSeconds
        return JobCondition(status: status, type: type, lastProbeTime: now, lastTransitionTime: now,
                            message: message.isEmpty ? nil : message, reason: reason.isEmpty ? nil : reason)
    }
}

extension [JobCondition] {
    /// Upstream `ensureJobConditionStatus`: replaces the condition of `type` when its status,
    /// reason or message differ; adds it when missing, unless it would be added `False`.
    /// Returns whether anything changed.
    mutating func ensure(_ type: String, status: String, reason: String, message: String, now: Time) -> Bool {
        let fresh = JobCondition.new(type, status: status, reason: reason, message: message, now: now)
        if let index = firstIndex(where: { $0.type == type }) {
            let old = self[index]
            guard old.status != status || (old.reason ?? "") != reason || (old.message ?? "") != message else { return false }
            self[index] = fresh
            return true
        }
        guard status != "False" else { return false }
        append(fresh)
        return true
    }
}
