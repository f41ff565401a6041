import Synchronization

/// A pod held at Permit: reserved on its node, waiting for every plugin that said `wait` to allow
/// it (upstream `WaitingPod`).
public final class WaitingPod: Sendable {
    public let pod: PodInfo
    public let nodeName: String

    fileprivate struct State {
        var pending: [String: Time]
        var decision: PluginStatus?
        var continuation: CheckedContinuation<PluginStatus, Never>?
    }

    private let state: Mutex<State>

    init(pod: PodInfo, nodeName: String, deadlines: [String: Time]) {
        self.pod = pod
        self.nodeName = nodeName
        state = Mutex(State(pending: deadlines))
    }

    public var uid: String { pod.uid }

    /// The plugins that have not allowed the pod yet.
    public var pendingPlugins: [String] { state.withLock { $0.pending.keys.sorted() } }

    /// Whether every plugin allowed the pod or one rejected it: its binding cycle goes on (or
    /// unreserves it) as soon as it runs.
    public var isDecided: Bool { state.withLock { $0.decision != nil } }

    /// The earliest deadline among the pending plugins, and whose it is.
    var earliestDeadline: (plugin: String, deadline: Time)? {
        state.withLock { s in
            s.pending.min { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { ($0.key, $0.value) }
        }
    }

    /// One plugin's approval; the pod goes on to binding when no plugin is pending.
    public func allow(plugin: String) {
        let resume = state.withLock { s -> (CheckedContinuation<PluginStatus, Never>, PluginStatus)? in
            guard s.decision == nil else { return nil }
            s.pending[plugin] = nil
            guard s.pending.isEmpty else { return nil }
            return s.decide(.success)
        }
        if let (c, status) = resume { c.resume(returning: status) }
    }

    /// Rejects the pod: Unreserve runs and it is requeued as unschedulable.
    public func reject(plugin: String, message: String) {
        let status = PluginStatus(.unschedulable, reasons: [message], plugin: plugin)
        let resume = state.withLock { s in s.decision == nil ? s.decide(status) : nil }
        if let (c, status) = resume { c.resume(returning: status) }
    }

    /// Suspends until a decision; returns it at once if there is one.
    func decision() async -> PluginStatus {
        await withCheckedContinuation { (c: CheckedContinuation<PluginStatus, Never>) in
            let ready = state.withLock { s -> PluginStatus? in
                if let decision = s.decision { return decision }
                s.continuation = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}

extension WaitingPod.State {
    fileprivate mutating func decide(_ status: PluginStatus) -> (CheckedContinuation<PluginStatus, Never>, PluginStatus)? {
        decision = status
        defer { continuation = nil }
        return continuation.map { ($0, status) }
    }
}

/// The pods waiting at Permit, by UID (upstream `waitingPodsMap`). Any plugin can allow or reject
/// them: the gang plugin allows a whole group at once when the last member arrives.
public final class WaitingPods: Sendable {
    private let pods = Mutex<[String: WaitingPod]>([:])

    public init() {}

    public func get(uid: String) -> WaitingPod? { pods.withLock { $0[uid] } }

    /// A stable list of the waiting pods (upstream `IterateOverWaitingPods`).
    public var all: [WaitingPod] { pods.withLock { Array($0.values) }.sorted { $0.uid < $1.uid } }

    public func forEach(_ body: (WaitingPod) -> Void) { for pod in all { body(pod) } }

    public var count: Int { pods.withLock { $0.count } }

    /// `plugin` allows the pod of this UID; `false` if it is not waiting.
    @discardableResult
    public func allow(uid: String, plugin: String) -> Bool {
        guard let pod = get(uid: uid) else { return false }
        pod.allow(plugin: plugin)
        return true
    }

    /// `plugin` rejects the pod of this UID; `false` if it is not waiting.
    @discardableResult
    public func reject(uid: String, plugin: String, message: String) -> Bool {
        guard let pod = get(uid: uid) else { return false }
        pod.reject(plugin: plugin, message: message)
        return true
    }

    func add(_ pod: WaitingPod) { pods.withLock { $0[pod.uid] = pod } }

    func remove(uid: String) { pods.withLock { $0[uid] = nil } }
}
