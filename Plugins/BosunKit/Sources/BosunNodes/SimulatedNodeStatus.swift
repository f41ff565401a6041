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
        status.conditions = KubeletNodeHeartbeat.conditions(status.conditions, failure: failure, now: now)
        return status
    }
}
