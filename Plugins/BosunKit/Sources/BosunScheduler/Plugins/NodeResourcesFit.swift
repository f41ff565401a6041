/// Fits pods to node capacity: requests plus the pods already there must stay within
/// allocatable (cpu, memory, ephemeral storage, extended resources, pod count). Scores with
/// LeastAllocated over cpu and memory, weight 1 each.
public struct NodeResourcesFit: FilterPlugin, ScorePlugin, EnqueueExtensions {
    public static let pluginName = "NodeResourcesFit"
    public var name: String { Self.pluginName }
    /// Resources LeastAllocated scores, with their weights (upstream default: cpu 1, memory 1).
    public var scoringResources: [(name: String, weight: Int64)]

    public init(scoringResources: [(name: String, weight: Int64)] = [("cpu", 1), ("memory", 1)]) {
        self.scoringResources = scoringResources
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        var reasons: [String] = []
        let allocatable = node.allocatable, requested = node.requested, request = pod.requests
        if Int64(node.pods.count) + 1 > allocatable.allowedPodNumber { reasons.append("Too many pods") }
        if request.milliCPU == 0 && request.memory == 0 && request.ephemeralStorage == 0 && request.scalar.isEmpty {
            return reasons.isEmpty ? .success : PluginStatus(.unschedulable, reasons: reasons)
        }
        if request.milliCPU > 0 && request.milliCPU > allocatable.milliCPU - requested.milliCPU {
            reasons.append("Insufficient cpu")
        }
        if request.memory > 0 && request.memory > allocatable.memory - requested.memory {
            reasons.append("Insufficient memory")
        }
        if request.ephemeralStorage > 0
            && request.ephemeralStorage > allocatable.ephemeralStorage - requested.ephemeralStorage {
            reasons.append("Insufficient ephemeral-storage")
        }
        if !request.scalar.isEmpty {
            for name in request.scalar.keys.sorted() {
                let amount = request.scalar[name] ?? 0
                if amount > 0 && amount > (allocatable.scalar[name] ?? 0) - (requested.scalar[name] ?? 0) {
                    reasons.append("Insufficient \(name)")
                }
            }
        }
        return reasons.isEmpty ? .success : PluginStatus(.unschedulable, reasons: reasons)
    }

    /// LeastAllocated: `(allocatable − requested) × 100 / allocatable` per resource, weighted.
    /// Requests count with upstream's non-zero defaults so that request-less pods still spread.
    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) throws(PluginError) -> Int64 {
        var total: Int64 = 0, weights: Int64 = 0
        for (resource, weight) in scoringResources {
            let capacity: Int64, requested: Int64
            switch resource {
            case "cpu":
                capacity = node.allocatable.milliCPU
                requested = node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU
            case "memory":
                capacity = node.allocatable.memory
                requested = node.nonZeroRequested.memory + pod.nonZeroRequests.memory
            case "ephemeral-storage":
                capacity = node.allocatable.ephemeralStorage
                requested = node.requested.ephemeralStorage + pod.requests.ephemeralStorage
            default:
                capacity = node.allocatable.scalar[resource] ?? 0
                requested = (node.requested.scalar[resource] ?? 0) + (pod.requests.scalar[resource] ?? 0)
                // Upstream leaves extended resources the pod does not ask for out of the average.
                if (pod.requests.scalar[resource] ?? 0) == 0 { continue }
            }
            // Upstream leaves resources the node does not offer out of the average.
            if capacity == 0 { continue }
            weights += weight
            if requested > capacity { continue }
            total += (capacity - requested) * maxNodeScore / capacity * weight
        }
        return weights == 0 ? 0 : total / weights
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(ClusterEvent(.assignedPod, [.delete, .updatePodScaleDown])),
            ClusterEventWithHint(ClusterEvent(.node, [.add, .updateNodeAllocatable])),
        ]
    }
}
