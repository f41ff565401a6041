import BosunRuntime

/// What the Job controller reads of a pod, taken once when the pod changes: the facts every
/// workload controller uses (``PodFacts``) and the Job's own — its tracking finalizer, its
/// completion index and failure counts, what a podFailurePolicy matches, when it finished.
struct JobPodFacts: IndexedPodFacts, Hashable {
    /// A container that terminated, as a podFailurePolicy `onExitCodes` rule sees it.
    struct TerminatedContainer: Hashable, Sendable {
        var name: String
        var exitCode: Int32
    }

    /// A pod condition, as an `onPodConditions` rule sees it.
    struct Condition: Hashable, Sendable {
        var type: String
        var status: String
    }

    var pod: PodFacts
    var hasTrackingFinalizer: Bool
    /// The valid completion index annotation (non-negative), if any.
    var completionIndex: Int?
    var indexFailureCount: Int32
    var indexIgnoredFailureCount: Int32
    /// Restarts of every container and init container (`OnFailure` counts them toward the
    /// backoff limit).
    var totalRestarts: Int32
    /// When the pod finished, as upstream estimates it (see ``finishTime(of:)``).
    var finishedAt: Time
    var terminatedContainers: [TerminatedContainer]
    var terminatedInitContainers: [TerminatedContainer]
    var conditions: [Condition]

    init(_ pod: Pod) {
        self.pod = PodFacts(pod)
        hasTrackingFinalizer = pod.metadata.finalizers?.contains(JobController.trackingFinalizer) == true
        let annotations = pod.metadata.annotations ?? [:]
        completionIndex = annotations[JobController.completionIndexAnnotation].flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil }
        indexFailureCount = Self.count(annotations[JobController.indexFailureCountAnnotation])
        indexIgnoredFailureCount = Self.count(annotations[JobController.indexIgnoredFailureCountAnnotation])
        let statuses = pod.status.containerStatuses ?? [], initStatuses = pod.status.initContainerStatuses ?? []
        totalRestarts = (statuses + initStatuses).reduce(0) { $0 &+ $1.restartCount }
        finishedAt = Self.finishTime(of: pod)
        func terminated(_ statuses: [ContainerStatus]) -> [TerminatedContainer] {
            statuses.compactMap { status in
                status.state?.terminated.map { TerminatedContainer(name: status.name, exitCode: $0.exitCode) }
            }
        }
        terminatedContainers = terminated(statuses)
        terminatedInitContainers = terminated(initStatuses)
        conditions = (pod.status.conditions ?? []).map { Condition(type: $0.type, status: $0.status) }
    }

    var objectName: ObjectName { pod.name }
    var uid: String { pod.uid }
    var labels: [String: String] { pod.labels }
    var controllerRef: OwnerReference? { pod.controllerRef }
    var isDeleting: Bool { pod.isDeleting }
    var phase: String? { pod.phase }
    var isActive: Bool { pod.isActive }
    var isReady: Bool { pod.isReady }

    /// Being deleted and not finished (upstream `IsPodTerminating`).
    var isTerminating: Bool { pod.isDeleting && phase != "Succeeded" && phase != "Failed" }

    /// An annotation count as upstream parses it: anything but an integer in 0...Int32.max is 0.
    private static func count(_ value: String?) -> Int32 {
        guard let value, let number = Int(value), number >= 0, number <= Int(Int32.max) else { return 0 }
        return Int32(number)
    }

    /// Upstream `getFinishedTime`: the latest container finish when every container has
    /// finished; else when Ready turned False; else the deletion moment (`deletionTimestamp`
    /// minus the grace period); else creation.
    static func finishTime(of pod: Pod) -> Time {
        if let statuses = pod.status.containerStatuses, !statuses.isEmpty {
            var latest: Time?
            for status in statuses {
                guard let finished = status.state?.terminated?.finishedAt, !finished.isZero else {
                    latest = nil
                    break
                }
                latest = max(latest ?? finished, finished)
            }
            if let latest { return latest }
        }
        if let ready = pod.readyCondition, ready.status == "False", let since = ready.lastTransitionTime, !since.isZero {
            return since
        }
        if let deleted = pod.metadata.deletionTimestamp {
            return deleted.advanced(by: .seconds(-(pod.metadata.deletionGracePeriodSeconds ?? 0)))
        }
        return pod.metadata.creationTimestamp ?? .zero
    }
}
