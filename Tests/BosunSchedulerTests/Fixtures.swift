import BosunScheduler
import Synchronization
import Testing

/// A node with the given allocatable resources, labels and taints.
func makeNode(
    _ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int64 = 110, extended: [String: Quantity] = [:],
    labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false
) -> Node {
    var node = Node()
    node.metadata.name = name
    node.metadata.labels = labels.merging([hostnameLabel: name]) { a, _ in a }
    node.spec.taints = taints.isEmpty ? nil : taints
    node.spec.unschedulable = unschedulable ? true : nil
    var allocatable: [String: Quantity] = ["cpu": Quantity(stringLiteral: cpu), "memory": Quantity(stringLiteral: memory),
                                           "pods": Quantity(pods)]
    allocatable.merge(extended) { $1 }
    node.status.allocatable = allocatable
    return node
}

/// A pod with one container requesting `requests`.
func makePod(
    _ name: String, namespace: String = "default", cpu: String? = nil, memory: String? = nil,
    extended: [String: Quantity] = [:], priority: Int32? = nil, labels: [String: String] = [:],
    nodeName: String? = nil
) -> Pod {
    var pod = Pod()
    pod.metadata.name = name
    pod.metadata.namespace = namespace
    pod.metadata.uid = "uid-" + name
    pod.metadata.labels = labels.isEmpty ? nil : labels
    var requests: [String: Quantity] = extended
    if let cpu { requests["cpu"] = Quantity(stringLiteral: cpu) }
    if let memory { requests["memory"] = Quantity(stringLiteral: memory) }
    var container = Container(name: "c")
    if !requests.isEmpty { container.resources = ResourceRequirements(requests: requests) }
    pod.spec.containers = [container]
    pod.spec.priority = priority
    pod.spec.nodeName = nodeName
    return pod
}

/// Records calls in order, from any task.
final class CallLog: Sendable {
    private let entries = Mutex<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
    func clear() { entries.withLock { $0.removeAll() } }
}

/// Records what the binder bound.
final class BindLog: Sendable {
    private let bound = Mutex<[String: String]>([:])
    func record(_ pod: Pod, _ node: String) { bound.withLock { $0[pod.metadata.name ?? ""] = node } }
    var all: [String: String] { bound.withLock { $0 } }
}

/// A framework over a manual clock and `nodes`, with the given plugins (a binder is added).
struct Harness {
    let clock = ManualClock()
    let handle: FrameworkHandle
    let framework: Framework
    let binds = BindLog()

    init(nodes: [Node], plugins: [any SchedulerPlugin]? = nil, weights: [String: Int64] = [:],
         percentage: Int? = nil, queueSort: any QueueSortPlugin = PrioritySort(),
         handle makeHandle: ((ManualClock) -> FrameworkHandle)? = nil) throws {
        handle = makeHandle?(clock) ?? FrameworkHandle(clock: clock)
        for node in nodes { handle.cache.addNode(node) }
        let binds = self.binds
        let bind: DefaultBinder.BindFunction = { pod, node in binds.record(pod, node) }
        var profile: Profile
        if let plugins {
            profile = Profile(queueSort: queueSort, plugins: plugins + [DefaultBinder(bind: bind)], scoreWeights: weights)
        } else {
            profile = Profile.defaults(bind: bind)
        }
        profile.percentageOfNodesToScore = percentage
        profile.tieBreak = .first
        framework = try Framework(profile: profile, handle: handle)
    }

    var queue: SchedulingQueue { framework.queue }

    /// Adds the pod to the queue, pops it and runs its scheduling cycle.
    func schedule(_ pod: Pod) -> SchedulingCycleResult {
        queue.add(pod)
        guard let queued = queue.tryPop() else {
            return .failed(SchedulingFailure(status: .error("pod did not reach the active queue")))
        }
        return framework.schedulingCycle(queued)
    }

    /// Both cycles; the node name on success.
    func scheduleAndBind(_ pod: Pod) async -> Result<String, SchedulingFailure> {
        switch schedule(pod) {
        case .failed(let failure): return .failure(failure)
        case .assumed(let ticket):
            switch await framework.bindingCycle(ticket) {
            case .bound(let node): return .success(node)
            case .failed(let failure): return .failure(failure)
            }
        }
    }
}

extension SchedulingCycleResult {
    var nodeName: String? {
        if case .assumed(let ticket) = self { return ticket.nodeName }
        return nil
    }

    var failure: SchedulingFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }

    var ticket: BindingTicket? {
        if case .assumed(let ticket) = self { return ticket }
        return nil
    }
}

extension BindingCycleResult {
    var failure: SchedulingFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
