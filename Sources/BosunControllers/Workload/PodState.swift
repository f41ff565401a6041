import BosunRuntime

// The pod states workload controllers decide with, as kube-controller-manager defines them
// (`controller.IsPodActive`, `podutil.IsPodReady`, `podutil.IsPodAvailable`).

extension Pod {
    /// Not finished (phase neither Succeeded nor Failed) and not being deleted. Only active pods
    /// count toward a ReplicaSet's, Job's or DaemonSet's replicas, so a terminating pod is
    /// replaced at once.
    public var isActive: Bool {
        PodState.isActive(phase: status.phase, isDeleting: metadata.deletionTimestamp != nil)
    }

    /// The `Ready` condition, if the pod reports one.
    public var readyCondition: PodCondition? {
        status.conditions?.first { $0.type == "Ready" }
    }

    /// The `Ready` condition is `True`.
    public var isReady: Bool { readyCondition?.status == "True" }

    /// Ready, and either `minReadySeconds` is 0 or it has been ready for strictly longer than
    /// `minReadySeconds` by `now` (judged from the Ready condition's `lastTransitionTime`).
    public func isAvailable(minReadySeconds: Int32, now: Time) -> Bool {
        guard isReady else { return false }
        return PodState.isAvailable(readySince: readyCondition?.lastTransitionTime, minReadySeconds: minReadySeconds, now: now)
    }
}

/// The rules behind ``Pod/isActive`` and ``Pod/isAvailable(minReadySeconds:now:)``, for callers
/// that hold the facts rather than the pod (``PodFacts``).
public enum PodState {
    /// Not Succeeded or Failed, and no `deletionTimestamp`.
    public static func isActive(phase: String?, isDeleting: Bool) -> Bool {
        phase != "Succeeded" && phase != "Failed" && !isDeleting
    }

    /// For a pod that is ready since `readySince` (its Ready condition's transition time): is it
    /// available? Always with `minReadySeconds` 0; otherwise only once `readySince +
    /// minReadySeconds` lies strictly before `now`. A ready pod with no transition time never
    /// becomes available under a `minReadySeconds`.
    public static func isAvailable(readySince: Time?, minReadySeconds: Int32, now: Time) -> Bool {
        if minReadySeconds <= 0 { return true }
        guard let availableAt = availableAt(readySince: readySince, minReadySeconds: minReadySeconds) else { return false }
        return availableAt < now
    }

    /// The instant after which a pod ready since `readySince` counts as available: nothing
    /// signals that moment, so controllers requeue themselves for it.
    public static func availableAt(readySince: Time?, minReadySeconds: Int32) -> Time? {
        guard let readySince, !readySince.isZero else { return nil }
        return readySince.advanced(by: .seconds(Int64(max(0, minReadySeconds))))
    }
}
