/// The status a simulated kubelet reports for its node: capacity and allocatable (what the Node
/// object sets wins over the defaults), addresses, nodeInfo, the kubelet's endpoint, and the
/// kubelet's conditions — the three pressure conditions False and Ready True (or False while the
/// node is failed).
struct SimulatedNodeStatus {
    var options: SimulatedNodesOptions
    var internalIP: String
    /// `nil` while healthy; the Ready=False message while failed.
    var failure: String?

    /// `node`'s status as it should be, keeping the existing heartbeat times.
    func desired(for node: Node, now: Time) -> NodeStatus {
        var status = node.status
        var capacity = status.capacity ?? [:]
        for (resource, quantity) in options.capacity where capacity[resource] == nil { capacity[resource] = quantity }
        status.capacity = capacity
        var allocatable = status.allocatable ?? [:]
        for (resource, quantity) in capacity where allocatable[resource] == nil { allocatable[resource] = quantity }
        status.allocatable = allocatable
        if !(status.addresses ?? []).contains(where: { $0.type == "InternalIP" }) {
            status.addresses = [NodeAddress(address: internalIP, type: "InternalIP"), NodeAddress(address: node.name, type: "Hostname")]
        }
        if status.nodeInfo == nil {
            let id = node.metadata.uid ?? node.name
            status.nodeInfo = NodeSystemInfo(
                architecture: "amd64", bootID: id, containerRuntimeVersion: "sim://1.0", kernelVersion: "simulated",
                kubeletVersion: options.kubeletVersion, machineID: id, operatingSystem: "linux",
                osImage: "Bosun simulated node", systemUUID: id)
        }
        if status.daemonEndpoints == nil {
            status.daemonEndpoints = NodeDaemonEndpoints(kubeletEndpoint: DaemonEndpoint(Port: 10250))
        }
        var conditions = status.conditions ?? []
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            let condition = NodeCondition(status: value ? "True" : "False", type: type, message: message, reason: reason)
            if let index = conditions.firstIndex(where: { $0.type == type }) {
                var updated = condition
                let old = conditions[index]
                updated.lastHeartbeatTime = old.lastHeartbeatTime ?? now.truncatedToSeconds
                updated.lastTransitionTime = old.status == updated.status ? old.lastTransitionTime : now.truncatedToSeconds
                conditions[index] = updated
            } else {
                var added = condition
                added.lastHeartbeatTime = now.truncatedToSeconds
                added.lastTransitionTime = now.truncatedToSeconds
                conditions.append(added)
            }
        }
        set("MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
        set("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure")
        set("PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available")
        if let failure {
            set("Ready", false, "KubeletNotReady", failure)
        } else {
            set("Ready", true, "KubeletReady", "kubelet is posting ready status")
        }
        status.conditions = conditions
        return status
    }

    /// When the status was last posted: the Ready condition's heartbeat.
    static func lastReport(_ status: NodeStatus) -> Time? {
        status.conditions?.first { $0.type == "Ready" }?.lastHeartbeatTime
    }

    /// `status` with every condition's heartbeat at `now`.
    static func heartbeat(_ status: NodeStatus, now: Time) -> NodeStatus {
        var status = status
        status.conditions = status.conditions?.map { condition in
            var condition = condition
            condition.lastHeartbeatTime = now.truncatedToSeconds
            return condition
        }
        return status
    }
}
