import Synchronization

/// The scheduler's view of nodes and the pods on them, assumed pods included (upstream
/// `internal/cache`). A driver feeds it node and assigned-pod events; the framework takes a
/// snapshot per cycle and assumes the chosen pod into it before Reserve, so the next pod sees the
/// capacity as taken even before the bind lands.
public final class SchedulerCache: Sendable {
    private struct State {
        var nodes: [NodeInfo] = []
        /// `nodes[i].hot`, kept in step with `nodes`.
        var hot: ContiguousArray<NodeHot> = []
        var index: [String: Int] = [:]
        /// Node of every pod the cache counts, by UID.
        var podNodes: [String: String] = [:]
        var assumed: Set<String> = []
        /// Pods whose node has not arrived yet, by node name.
        var orphans: [String: [PodInfo]] = [:]
        var generation: Int64 = 0

        mutating func nextGeneration() -> Int64 {
            generation += 1
            return generation
        }

        mutating func setNode(_ i: Int, _ info: NodeInfo) {
            nodes[i] = info
            hot[i] = info.hot
        }

        mutating func addPod(_ pod: PodInfo, to nodeName: String) {
            podNodes[pod.uid] = nodeName
            if let i = index[nodeName] {
                setNode(i, nodes[i].adding(pod, generation: nextGeneration()))
            } else {
                orphans[nodeName, default: []].append(pod)
            }
        }

        mutating func removePod(uid: String) {
            guard let nodeName = podNodes.removeValue(forKey: uid) else { return }
            assumed.remove(uid)
            if let i = index[nodeName] {
                if let updated = nodes[i].removing(uid: uid, generation: nextGeneration()) { setNode(i, updated) }
            } else {
                orphans[nodeName]?.removeAll { $0.uid == uid }
                if orphans[nodeName]?.isEmpty == true { orphans[nodeName] = nil }
            }
        }
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: Nodes

    public func addNode(_ node: Node) {
        state.withLock { s in
            let name = node.metadata.name ?? ""
            if let i = s.index[name] {
                s.setNode(i, s.nodes[i].replacingNode(node, generation: s.nextGeneration()))
                return
            }
            let pods = s.orphans.removeValue(forKey: name) ?? []
            s.index[name] = s.nodes.count
            let info = NodeInfo(node: node, pods: pods, generation: s.nextGeneration())
            s.nodes.append(info)
            s.hot.append(info.hot)
        }
    }

    public func updateNode(_ node: Node) { addNode(node) }

    public func removeNode(named name: String) {
        state.withLock { s in
            guard let i = s.index.removeValue(forKey: name) else { return }
            // Its pods stay known as orphans: they are deleted by their own events.
            let removed = s.nodes.remove(at: i)
            s.hot.remove(at: i)
            if !removed.pods.isEmpty { s.orphans[name] = removed.pods }
            for j in i..<s.nodes.count { s.index[s.nodes[j].name] = j }
        }
    }

    // MARK: Pods

    /// A pod bound to a node (an assigned-pod add or update event). Confirms an assumed pod.
    public func addPod(_ pod: Pod) {
        guard let nodeName = pod.spec.nodeName, !nodeName.isEmpty else { return }
        let info = PodInfo(pod)
        state.withLock { s in
            // An assumed or older copy is replaced, so the cache sees the bound pod's latest
            // labels and requests, and a bind to another node than assumed moves it.
            if s.podNodes[info.uid] == nodeName, let i = s.index[nodeName] {
                // The usual confirmation of an assumed pod: replace it in one copy of the node.
                s.assumed.remove(info.uid)
                _ = s.nextGeneration()
                if let updated = s.nodes[i].replacing(info, generation: s.nextGeneration()) {
                    s.setNode(i, updated)
                    return
                }
                s.podNodes[info.uid] = nil
            } else if s.podNodes[info.uid] != nil {
                s.removePod(uid: info.uid)
            }
            s.addPod(info, to: nodeName)
        }
    }

    public func updatePod(_ pod: Pod) { addPod(pod) }

    public func removePod(_ pod: Pod) { removePod(uid: PodInfo.uid(of: pod)) }

    public func removePod(uid: String) {
        state.withLock { s in s.removePod(uid: uid) }
    }

    /// Counts `pod` on `nodeName` before it is bound (upstream `AssumePod`).
    public func assume(_ pod: PodInfo, on nodeName: String) {
        state.withLock { s in
            if s.podNodes[pod.uid] != nil { s.removePod(uid: pod.uid) }
            s.addPod(pod, to: nodeName)
            s.assumed.insert(pod.uid)
        }
    }

    /// Drops an assumed pod whose binding failed (upstream `ForgetPod`). Bound pods are untouched.
    public func forget(uid: String) {
        state.withLock { s in
            guard s.assumed.contains(uid) else { return }
            s.removePod(uid: uid)
        }
    }

    public func isAssumed(uid: String) -> Bool { state.withLock { $0.assumed.contains(uid) } }

    /// The node a pod is counted on, assumed or bound.
    public func nodeName(ofPod uid: String) -> String? { state.withLock { $0.podNodes[uid] } }

    public var nodeCount: Int { state.withLock { $0.nodes.count } }

    /// The nodes as they are now. Cheap: it shares the cache's arrays until the cache changes.
    public func snapshot() -> NodeSnapshot {
        state.withLock { NodeSnapshot(nodes: $0.nodes, index: $0.index, hot: $0.hot) }
    }

    public func nodeInfo(named name: String) -> NodeInfo? {
        state.withLock { s in s.index[name].map { s.nodes[$0] } }
    }
}
