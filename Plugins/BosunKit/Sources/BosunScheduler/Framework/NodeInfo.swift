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
    /// The integers the default Filter and Score fast paths read, kept by the cache and the
    /// snapshot in a contiguous array so those loops touch neither this object nor its refcount.
    let hot: NodeHot

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
        hot = NodeHot(allocatable: allocatable, requested: requested, nonZeroRequested: nonZeroRequested,
                      podCount: pods.count, unschedulable: unschedulable, taints: taints)
    }

    /// Same Node (its parsed fields are copied, not parsed again), other pods.
    private init(sameNodeAs base: NodeInfo, requested: Resources, nonZeroRequested: Resources, pods: [PodInfo],
                 generation: Int64) {
        node = base.node
        name = base.name
        labels = base.labels
        taints = base.taints
        unschedulable = base.unschedulable
        allocatable = base.allocatable
        self.requested = requested
        self.nonZeroRequested = nonZeroRequested
        self.pods = pods
        self.generation = generation
        hot = NodeHot(allocatable: allocatable, requested: requested, nonZeroRequested: nonZeroRequested,
                      podCount: pods.count, unschedulable: unschedulable, taints: taints)
    }

    /// A copy with `pod` added.
    public func adding(_ pod: PodInfo, generation: Int64) -> NodeInfo {
        var requested = self.requested, nonZero = nonZeroRequested
        requested += pod.requests
        nonZero += pod.nonZeroRequests
        var pods = self.pods
        pods.reserveCapacity(pods.count + 1)
        pods.append(pod)
        return NodeInfo(sameNodeAs: self, requested: requested, nonZeroRequested: nonZero, pods: pods,
                        generation: generation)
    }

    /// A copy with the pod of `pod`'s UID removed and `pod` added (`nil` when it is not here): one
    /// copy where removing and adding would make two.
    func replacing(_ pod: PodInfo, generation: Int64) -> NodeInfo? {
        guard let index = pods.firstIndex(where: { $0.uid == pod.uid }) else { return nil }
        var requested = self.requested, nonZero = nonZeroRequested
        requested -= pods[index].requests
        nonZero -= pods[index].nonZeroRequests
        requested += pod.requests
        nonZero += pod.nonZeroRequests
        var pods = self.pods
        pods.remove(at: index)
        pods.append(pod)
        return NodeInfo(sameNodeAs: self, requested: requested, nonZeroRequested: nonZero, pods: pods,
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
        return NodeInfo(sameNodeAs: self, requested: requested, nonZeroRequested: nonZero, pods: pods,
                        generation: generation)
    }

    /// A copy for an updated Node object, keeping the pods.
    public func replacingNode(_ node: Node, generation: Int64) -> NodeInfo {
        NodeInfo(node: node, requested: requested, nonZeroRequested: nonZeroRequested, pods: pods,
                 generation: generation)
    }
}

/// A node's scheduling-relevant numbers, precomputed once per `NodeInfo` (upstream keeps them in
/// `framework.Resource` fields): what the default plugins' fast paths compare, as plain integers
/// with no references, 64 bytes.
struct NodeHot: Sendable {
    /// Allocatable minus requested (as NodeResourcesFit's Filter compares).
    var freeMilliCPU: Int64
    var freeMemory: Int64
    var freeEphemeralStorage: Int64
    /// Allocatable and the non-zero requests (as NodeResourcesFit's LeastAllocated scores).
    var allocatableMilliCPU: Int64
    var allocatableMemory: Int64
    var nonZeroMilliCPU: Int64
    var nonZeroMemory: Int64
    /// Allowed pods minus the pods there, clamped to `Int32`.
    var podRoom: Int32
    var flags: Flags

    struct Flags: OptionSet, Sendable {
        let rawValue: UInt32
        /// `spec.unschedulable`.
        static let unschedulable = Flags(rawValue: 1 << 0)
        /// A NoSchedule or NoExecute taint.
        static let filterTaints = Flags(rawValue: 1 << 1)
        /// A PreferNoSchedule taint.
        static let preferNoScheduleTaints = Flags(rawValue: 1 << 2)
        /// A difference overflowed: the fast paths must not trust the numbers.
        static let overflow = Flags(rawValue: 1 << 3)
    }

    init(allocatable: Resources, requested: Resources, nonZeroRequested: Resources, podCount: Int,
         unschedulable: Bool, taints: [Taint]) {
        var flags: Flags = []
        func difference(_ a: Int64, _ b: Int64) -> Int64 {
            let (result, overflow) = a.subtractingReportingOverflow(b)
            if overflow { flags.insert(.overflow) }
            return result
        }
        freeMilliCPU = difference(allocatable.milliCPU, requested.milliCPU)
        freeMemory = difference(allocatable.memory, requested.memory)
        freeEphemeralStorage = difference(allocatable.ephemeralStorage, requested.ephemeralStorage)
        let room = difference(allocatable.allowedPodNumber, Int64(podCount))
        podRoom = Int32(clamping: room)
        allocatableMilliCPU = allocatable.milliCPU
        allocatableMemory = allocatable.memory
        nonZeroMilliCPU = nonZeroRequested.milliCPU
        nonZeroMemory = nonZeroRequested.memory
        if unschedulable { flags.insert(.unschedulable) }
        for taint in taints {
            switch taint.effect {
            case "NoSchedule", "NoExecute": flags.insert(.filterTaints)
            case "PreferNoSchedule": flags.insert(.preferNoScheduleTaints)
            default: break
            }
        }
        self.flags = flags
    }
}

/// The nodes of one scheduling cycle, in a stable order, with a name index.
public struct NodeSnapshot: Sendable {
    public let nodes: [NodeInfo]
    let index: [String: Int]
    /// `nodes[i].hot`, contiguous.
    let hot: ContiguousArray<NodeHot>

    public init(nodes: [NodeInfo]) {
        self.nodes = nodes
        var index: [String: Int] = [:]
        index.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() { index[node.name] = i }
        self.index = index
        hot = ContiguousArray(nodes.lazy.map(\.hot))
    }

    init(nodes: [NodeInfo], index: [String: Int], hot: ContiguousArray<NodeHot>) {
        self.nodes = nodes
        self.index = index
        self.hot = hot
    }

    public var count: Int { nodes.count }

    public subscript(name: String) -> NodeInfo? {
        guard let i = index[name] else { return nil }
        return nodes[i]
    }
}
