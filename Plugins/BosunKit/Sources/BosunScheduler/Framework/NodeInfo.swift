/// A node as the scheduler sees it: the Node, its allocatable resources parsed into integers,
/// what the pods on it (bound and assumed) request, and those pods.
///
/// Immutable and shared by reference: the cache replaces a node's `NodeInfo` when it changes, so a
/// snapshot taken for a cycle never changes under the plugins, and passing one costs a retain.
public final class NodeInfo: Sendable {
    public let node: Node
    public let name: String
    public let labels: [String: String]
    public let taints: [Taint]
    public let unschedulable: Bool
    public let allocatable: Resources
    /// The sum of the pods' requests.
    public let requested: Resources
    /// The sum with upstream's non-zero defaults, for scoring.
    public let nonZeroRequested: Resources
    /// Pods on the node, assumed ones included.
    public let pods: [PodInfo]
    /// Bumped on every change; lets drivers and plugins cache per-node work.
    public let generation: Int64

    public convenience init(node: Node, pods: [PodInfo] = [], generation: Int64 = 0) {
        var requested = Resources(), nonZero = Resources()
        for pod in pods {
            requested += pod.requests
            nonZero += pod.nonZeroRequests
        }
        self.init(node: node, requested: requested, nonZeroRequested: nonZero, pods: pods, generation: generation)
    }

    init(node: Node, requested: Resources, nonZeroRequested: Resources, pods: [PodInfo], generation: Int64) {
        self.node = node
        name = node.metadata.name ?? ""
        labels = node.metadata.labels ?? [:]
        taints = node.spec.taints ?? []
        unschedulable = node.spec.unschedulable ?? false
        allocatable = Resources(node.status.allocatable)
        self.requested = requested
        self.nonZeroRequested = nonZeroRequested
        self.pods = pods
        self.generation = generation
    }

    /// A copy with `pod` added.
    public func adding(_ pod: PodInfo, generation: Int64) -> NodeInfo {
        var requested = self.requested, nonZero = nonZeroRequested
        requested += pod.requests
        nonZero += pod.nonZeroRequests
        return NodeInfo(node: node, requested: requested, nonZeroRequested: nonZero, pods: pods + [pod],
                        generation: generation)
    }

    /// A copy without the pod of this UID (`nil` when it is not here).
    public func removing(uid: String, generation: Int64) -> NodeInfo? {
        guard let index = pods.firstIndex(where: { $0.uid == uid }) else { return nil }
        var requested = self.requested, nonZero = nonZeroRequested
        requested -= pods[index].requests
        nonZero -= pods[index].nonZeroRequests
        var pods = self.pods
        pods.remove(at: index)
        return NodeInfo(node: node, requested: requested, nonZeroRequested: nonZero, pods: pods, generation: generation)
    }

    /// A copy for an updated Node object, keeping the pods.
    public func replacingNode(_ node: Node, generation: Int64) -> NodeInfo {
        NodeInfo(node: node, requested: requested, nonZeroRequested: nonZeroRequested, pods: pods,
                 generation: generation)
    }
}

/// The nodes of one scheduling cycle, in a stable order, with a name index.
public struct NodeSnapshot: Sendable {
    public let nodes: [NodeInfo]
    let index: [String: Int]

    public init(nodes: [NodeInfo]) {
        self.nodes = nodes
        var index: [String: Int] = [:]
        index.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() { index[node.name] = i }
        self.index = index
    }

    init(nodes: [NodeInfo], index: [String: Int]) {
        self.nodes = nodes
        self.index = index
    }

    public var count: Int { nodes.count }

    public subscript(name: String) -> NodeInfo? {
        guard let i = index[name] else { return nil }
        return nodes[i]
    }
}
