import BosunRuntime

/// What a Job's `podFailurePolicy` makes of a failed pod (upstream `matchPodFailurePolicy`).
struct PodFailurePolicyMatch: Hashable, Sendable {
    /// The failure message when a `FailJob` rule matched.
    var failJobMessage: String?
    /// Whether the failure counts toward `backoffLimit` (and `backoffLimitPerIndex`): false only
    /// for an `Ignore` rule.
    var countsFailure: Bool
    /// The matched rule's action, if a rule matched.
    var action: String?

    static let noMatch = PodFailurePolicyMatch(failJobMessage: nil, countsFailure: true, action: nil)

    init(failJobMessage: String?, countsFailure: Bool, action: String?) {
        self.failJobMessage = failJobMessage
        self.countsFailure = countsFailure
        self.action = action
    }

    /// The first rule that matches `pod` decides. `onExitCodes` looks at terminated containers,
    /// then init containers (exit code 0 never matches); `onPodConditions` at the pod's
    /// conditions. Without a policy every failure counts.
    init(_ policy: PodFailurePolicy?, pod: JobPodFacts) {
        self = .noMatch
        guard let policy else { return }
        for (index, rule) in policy.rules.enumerated() {
            var failJobMessage: String?
            if let requirement = rule.onExitCodes {
                guard let container = Self.matchingContainer(pod.terminatedContainers, requirement)
                    ?? Self.matchingContainer(pod.terminatedInitContainers, requirement)
                else { continue }
                failJobMessage = "Container \(container.name) for pod \(pod.objectName) failed with exit code \(container.exitCode) "
                    + "matching \(rule.action) rule at index \(index)"
            } else if let patterns = rule.onPodConditions {
                guard let condition = pod.conditions.first(where: { condition in
                    patterns.contains { $0.type == condition.type && $0.status == condition.status }
                }) else { continue }
                failJobMessage = "Pod \(pod.objectName) has condition \(condition.type) matching \(rule.action) rule at index \(index)"
            } else {
                continue
            }
            switch rule.action {
            case "Ignore": self = PodFailurePolicyMatch(failJobMessage: nil, countsFailure: false, action: "Ignore")
            case "FailIndex": self = PodFailurePolicyMatch(failJobMessage: nil, countsFailure: true, action: "FailIndex")
            case "Count": self = PodFailurePolicyMatch(failJobMessage: nil, countsFailure: true, action: "Count")
            case "FailJob": self = PodFailurePolicyMatch(failJobMessage: failJobMessage, countsFailure: true, action: "FailJob")
            // An action this controller does not know matches nothing, and the next rule decides
            // (validation admits none).
            default: continue
            }
            return
        }
    }

    private static func matchingContainer(
        _ containers: [JobPodFacts.TerminatedContainer], _ requirement: PodFailurePolicyOnExitCodesRequirement
    ) -> JobPodFacts.TerminatedContainer? {
        containers.first { container in
            guard requirement.containerName == nil || requirement.containerName == container.name, container.exitCode != 0 else {
                return false
            }
            switch requirement.operator {
            case "In": return requirement.values.contains(container.exitCode)
            case "NotIn": return !requirement.values.contains(container.exitCode)
            default: return false
            }
        }
    }
}
