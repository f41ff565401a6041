/// How a kubelet turns container statuses into a pod's phase and conditions: the rules every
/// node runtime reports pods by, so that workload controllers see the same pods whatever runs
/// them. Messages and reasons are the kubelet's own (`pkg/kubelet/status/generate.go`).
public enum KubeletPodStatus {
    /// Whether `container` is a sidecar: an init container that keeps running
    /// (`restartPolicy: Always`).
    public static func isSidecar(_ container: Container) -> Bool {
        container.restartPolicy == "Always"
    }

    /// The pod's phase from its regular containers' statuses (the kubelet's `getPhase`).
    /// `terminating` is true for a pod whose containers were stopped for good (it was deleted):
    /// then even `restartPolicy: Always` ends in Succeeded or Failed.
    public static func phase(spec: PodSpec, containerStatuses: [ContainerStatus], terminating: Bool = false) -> String {
        var waiting = 0, running = 0, stopped = 0, succeeded = 0
        for container in spec.containers {
            guard let status = containerStatuses.first(where: { $0.name == container.name }), let state = status.state else {
                waiting += 1
                continue
            }
            if state.running != nil {
                running += 1
            } else if let terminated = state.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if status.lastState?.terminated != nil {
                // Waiting to restart after an exit.
                stopped += 1
            } else {
                waiting += 1
            }
        }
        if waiting > 0 { return "Pending" }
        if running > 0 { return "Running" }
        if stopped == 0 { return "Pending" }
        let policy = spec.restartPolicy ?? "Always"
        if policy == "Always" && !terminating { return "Running" }
        if stopped == succeeded { return "Succeeded" }
        if policy == "Never" || terminating { return "Failed" }
        return "Running"
    }

    /// The kubelet-owned conditions for a pod in `phase`: PodReadyToStartContainers,
    /// Initialized, Ready, ContainersReady and PodScheduled, set into `conditions` as the
    /// status manager does — a condition's `lastTransitionTime` moves only when its status
    /// changes. Conditions owned by others (readiness gates, DisruptionTarget) are kept.
    public static func setConditions(
        _ conditions: inout [PodCondition], spec: PodSpec, phase: String, sandboxReady: Bool,
        initContainerStatuses: [ContainerStatus], containerStatuses: [ContainerStatus], now: Time
    ) {
        let others = conditions
        func set(_ type: String, _ status: Bool, reason: String? = nil, message: String? = nil) {
            setCondition(&conditions, PodCondition(status: status ? "True" : "False", type: type, message: message, reason: reason), now: now)
        }
        set("PodReadyToStartContainers", sandboxReady)
        let initialized = initializedCondition(spec: spec, phase: phase, initContainerStatuses: initContainerStatuses,
                                               containerStatuses: containerStatuses)
        set("Initialized", initialized.ready, reason: initialized.reason, message: initialized.message)
        let containers = containersReadyCondition(spec: spec, phase: phase, initContainerStatuses: initContainerStatuses,
                                                  containerStatuses: containerStatuses)
        let ready = readyCondition(spec: spec, containersReady: containers, conditions: others)
        set("Ready", ready.ready, reason: ready.reason, message: ready.message)
        set("ContainersReady", containers.ready, reason: containers.reason, message: containers.message)
        if conditions.contains(where: { $0.type == "PodScheduled" }) == false {
            set("PodScheduled", true)
        }
    }

    /// Sets `condition` by type: `lastTransitionTime` becomes `now` (whole seconds) only when the
    /// condition is new or its status changed. Returns whether anything changed.
    @discardableResult
    public static func setCondition(_ conditions: inout [PodCondition], _ condition: PodCondition, now: Time) -> Bool {
        var condition = condition
        if let index = conditions.firstIndex(where: { $0.type == condition.type }) {
            let old = conditions[index]
            condition.lastTransitionTime = old.status == condition.status ? old.lastTransitionTime : now.truncatedToSeconds
            condition.lastProbeTime = old.lastProbeTime
            conditions[index] = condition
            return old != condition
        }
        condition.lastTransitionTime = now.truncatedToSeconds
        conditions.append(condition)
        return true
    }

    struct Verdict {
        var ready: Bool
        var reason: String?
        var message: String?
    }

    static func initializedCondition(
        spec: PodSpec, phase: String, initContainerStatuses: [ContainerStatus], containerStatuses: [ContainerStatus]
    ) -> Verdict {
        if phase == "Succeeded" { return Verdict(ready: true, reason: "PodCompleted") }
        // A regular container that has run means initialization finished once, even if a
        // sidecar restarts now.
        if containerStatuses.contains(where: { $0.state?.running != nil || $0.state?.terminated != nil || $0.lastState?.terminated != nil }) {
            return Verdict(ready: true)
        }
        var unknown: [String] = [], incomplete: [String] = []
        for container in spec.initContainers ?? [] {
            guard let status = initContainerStatuses.first(where: { $0.name == container.name }) else {
                unknown.append(container.name)
                continue
            }
            let done = isSidecar(container) ? status.started == true : status.ready
            if !done { incomplete.append(container.name) }
        }
        var parts: [String] = []
        if !unknown.isEmpty { parts.append("containers with unknown status: " + goList(unknown)) }
        if !incomplete.isEmpty { parts.append("containers with incomplete status: " + goList(incomplete)) }
        if parts.isEmpty { return Verdict(ready: true) }
        return Verdict(ready: false, reason: "ContainersNotInitialized", message: parts.joined(separator: ", "))
    }

    static func containersReadyCondition(
        spec: PodSpec, phase: String, initContainerStatuses: [ContainerStatus], containerStatuses: [ContainerStatus]
    ) -> Verdict {
        if phase == "Succeeded" { return Verdict(ready: false, reason: "PodCompleted") }
        if phase == "Failed" { return Verdict(ready: false, reason: "PodFailed") }
        var unknown: [String] = [], unready: [String] = []
        func check(_ name: String, in statuses: [ContainerStatus]) {
            guard let status = statuses.first(where: { $0.name == name }) else { return unknown.append(name) }
            if !status.ready { unready.append(name) }
        }
        for container in spec.initContainers ?? [] where isSidecar(container) { check(container.name, in: initContainerStatuses) }
        for container in spec.containers { check(container.name, in: containerStatuses) }
        var parts: [String] = []
        if !unknown.isEmpty { parts.append("containers with unknown status: " + goList(unknown)) }
        if !unready.isEmpty { parts.append("containers with unready status: " + goList(unready)) }
        if parts.isEmpty { return Verdict(ready: true) }
        return Verdict(ready: false, reason: "ContainersNotReady", message: parts.joined(separator: ", "))
    }

    static func readyCondition(spec: PodSpec, containersReady: Verdict, conditions: [PodCondition]) -> Verdict {
        guard containersReady.ready else { return containersReady }
        var unready: [String] = []
        for gate in spec.readinessGates ?? [] {
            guard let condition = conditions.first(where: { $0.type == gate.conditionType }) else {
                unready.append("corresponding condition of pod readiness gate \"\(gate.conditionType)\" does not exist.")
                continue
            }
            if condition.status != "True" {
                unready.append("the status of pod readiness gate \"\(gate.conditionType)\" is not \"True\", but \(condition.status)")
            }
        }
        if unready.isEmpty { return Verdict(ready: true) }
        return Verdict(ready: false, reason: "ReadinessGatesNotReady", message: unready.joined(separator: ", "))
    }

    /// A string slice as Go's `%s` prints it: `[a b]`.
    static func goList(_ names: [String]) -> String { "[" + names.joined(separator: " ") + "]" }
}
