/// A pod with everything the default plugins need precomputed once, when the pod enters the
/// scheduler: requests summed, tolerations and affinity parsed. Immutable and shared by reference,
/// so the Filter and Score loops neither recompute nor copy.
public final class PodInfo: Sendable {
    public let pod: Pod
    /// `metadata.uid`, or `namespace/name` when the pod has none (tests, dry runs).
    public let uid: String
    public let namespace: String
    public let name: String
    public let labels: [String: String]
    public let priority: Int32
    /// What the pod reserves on a node: containers summed, the largest init container (with
    /// sidecars), plus overhead (upstream `resource.PodRequests`).
    public let requests: Resources
    /// The same with upstream's defaults (100m cpu, 200Mi memory) for containers that request
    /// none: what spreading scores count so that request-less pods are not free.
    public let nonZeroRequests: Resources
    public let tolerations: [Toleration]
    /// `spec.nodeSelector` plus required node affinity, compiled.
    public let requiredNodeAffinity: RequiredNodeAffinity
    /// Preferred node-affinity terms, compiled, with their weights.
    public let preferredNodeAffinity: [(weight: Int64, term: CompiledNodeSelectorTerm)]
    public let topologySpreadConstraints: [TopologySpreadConstraint]

    public init(_ pod: Pod) {
        self.pod = pod
        uid = PodInfo.uid(of: pod)
        namespace = pod.metadata.namespace ?? ""
        name = pod.metadata.name ?? ""
        labels = pod.metadata.labels ?? [:]
        priority = pod.spec.priority ?? 0
        (requests, nonZeroRequests) = PodInfo.computeRequests(pod.spec)
        tolerations = pod.spec.tolerations ?? []
        let nodeAffinity = pod.spec.affinity?.nodeAffinity
        requiredNodeAffinity = RequiredNodeAffinity(
            nodeSelector: pod.spec.nodeSelector, required: nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        preferredNodeAffinity = (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).compactMap {
            // Upstream ignores terms with weight 0 and terms that do not parse.
            guard $0.weight != 0, let term = CompiledNodeSelectorTerm($0.preference) else { return nil }
            return (Int64($0.weight), term)
        }
        topologySpreadConstraints = pod.spec.topologySpreadConstraints ?? []
    }

    /// `namespace/name`.
    public var key: String { namespace.isEmpty ? name : namespace + "/" + name }

    static func uid(of pod: Pod) -> String {
        if let uid = pod.metadata.uid, !uid.isEmpty { return uid }
        return (pod.metadata.namespace ?? "") + "/" + (pod.metadata.name ?? "")
    }

    /// Upstream's defaults for containers without requests, used only for scoring.
    public static let defaultMilliCPURequest: Int64 = 100
    public static let defaultMemoryRequest: Int64 = 200 * 1024 * 1024

    static func computeRequests(_ spec: PodSpec) -> (Resources, Resources) {
        func containerRequests(_ container: Container) -> (Resources, Resources) {
            let requests = Resources(container.resources?.requests)
            var nonZero = requests
            if container.resources?.requests?["cpu"] == nil { nonZero.milliCPU = defaultMilliCPURequest }
            if container.resources?.requests?["memory"] == nil { nonZero.memory = defaultMemoryRequest }
            return (requests, nonZero)
        }
        var sum = Resources(), sumNonZero = Resources()
        for container in spec.containers {
            let (r, n) = containerRequests(container)
            sum += r
            sumNonZero += n
        }
        // Init containers run one by one, except sidecars (restartPolicy Always), which keep
        // running beside every later init container and the app containers.
        var sidecars = Resources(), sidecarsNonZero = Resources()
        var initMax = Resources(), initMaxNonZero = Resources()
        for container in spec.initContainers ?? [] {
            let (r, n) = containerRequests(container)
            var peak: Resources, peakNonZero: Resources
            if container.restartPolicy == "Always" {
                sum += r
                sumNonZero += n
                sidecars += r
                sidecarsNonZero += n
                peak = sidecars
                peakNonZero = sidecarsNonZero
            } else {
                peak = r
                peak += sidecars
                peakNonZero = n
                peakNonZero += sidecarsNonZero
            }
            initMax.formMax(peak)
            initMaxNonZero.formMax(peakNonZero)
        }
        sum.formMax(initMax)
        sumNonZero.formMax(initMaxNonZero)
        if let overhead = spec.overhead {
            let o = Resources(overhead)
            sum += o
            sumNonZero += o
        }
        return (sum, sumNonZero)
    }
}
