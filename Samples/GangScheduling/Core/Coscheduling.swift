import BosunKit
import BosunRuntime
import BosunScheduler

/// The gang scheduler plugin (scheduler-plugins' `Coscheduling`): the members of a PodGroup are
/// bound all together, once at least `minMember` of them have a node, or not at all.
///
/// - **QueueSort**: priority, then the group's timestamp (its creation, or its last failure, so
///   that a failing group does not hold the head of the queue), then the group's name: members
///   of one group sit next to each other in the active queue.
/// - **PreEnqueue**: a member is not tried until its PodGroup exists and has minMember live pods.
/// - **PreFilter**: a group in backoff, or one whose `minResources` exceed the cluster's free
///   capacity, is rejected as unresolvable (preemption would not help).
/// - **PostFilter**: a member no node fits rejects every waiting member of its group, unless the
///   group has its quorum already or misses it by at most `podGroupRejectPercentage`. Any pod
///   that finds no node for lack of resources first makes lower-priority gangs waiting at Permit
///   yield the capacity they hold.
/// - **Reserve/Unreserve**: assumed members count toward quorum; a member that fails after
///   Reserve (a timeout, a rejection, a failed bind) rejects every other waiting member.
/// - **Permit**: members wait (holding their node) until bound plus assumed members reach
///   minMember; the last one allows them all at once.
public struct Coscheduling: QueueSortPlugin, PreEnqueuePlugin, PreFilterPlugin, PostFilterPlugin, ReservePlugin,
    PermitPlugin, EnqueueExtensions
{
    public static let pluginName = "Coscheduling"
    /// Upstream's cap on a Permit wait, applied here too so the reported timeout is the real one.
    public static let maxScheduleTimeout: Duration = .seconds(15 * 60)

    public var name: String { Self.pluginName }

    let state: GangState
    let handle: FrameworkHandle
    public let arguments: CoschedulingArguments

    public init(state: GangState, handle: FrameworkHandle, arguments: CoschedulingArguments = CoschedulingArguments()) {
        self.state = state
        self.handle = handle
        self.arguments = arguments
    }

    /// `namespace/group` of a labelled pod.
    static func groupKey(_ pod: PodInfo) -> String? {
        guard let name = pod.labels[PodGroup.memberLabel], !name.isEmpty else { return nil }
        return pod.namespace + "/" + name
    }

    /// How long members of `podGroup` wait at Permit: the group's own timeout, else the
    /// plugin's, at most 15 minutes.
    public func scheduleTimeout(_ podGroup: PodGroup?) -> Duration {
        let own = podGroup?.spec.scheduleTimeoutSeconds.flatMap { $0 > 0 ? Duration.seconds(Int64($0)) : nil }
        return min(own ?? arguments.permitWaitingTime, Self.maxScheduleTimeout)
    }

    // MARK: QueueSort

    public func less(_ a: QueuedPodInfo, _ b: QueuedPodInfo) -> Bool {
        let pa = a.podInfo.priority, pb = b.podInfo.priority
        if pa != pb { return pa > pb }
        let ka = sortKey(a), kb = sortKey(b)
        if ka.time != kb.time { return ka.time < kb.time }
        if ka.name != kb.name { return ka.name < kb.name }
        return a.podInfo.name < b.podInfo.name
    }

    /// A member sorts by its group's timestamp and name; any other pod by its first attempt
    /// (or its time in the queue) and its own name.
    private func sortKey(_ pod: QueuedPodInfo) -> (time: Time, name: String) {
        let own = pod.initialAttemptTimestamp ?? pod.timestamp
        guard let key = Self.groupKey(pod.podInfo) else { return (own, pod.podInfo.key) }
        return (state.queueTimestamp(of: key) ?? own, key)
    }

    // MARK: PreEnqueue

    public func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        guard let key = Self.groupKey(pod) else { return .success }
        guard let group = state.group(key), let podGroup = group.podGroup else {
            return .unschedulableAndUnresolvable("PodGroup \(key) not found")
        }
        let min = Int(podGroup.spec.minMember)
        if group.members.count < min {
            return .unschedulableAndUnresolvable(
                "pod \(pod.key) waits for its group: PodGroup \(key) has \(group.members.count) of minMember \(min) pods")
        }
        return .success
    }

    // MARK: PreFilter

    public func preFilter(_ cycle: CycleState, _ pod: PodInfo, _ nodes: NodeSnapshot) -> PreFilterResult {
        guard let key = Self.groupKey(pod) else { return .skip }
        guard let group = state.group(key), let podGroup = group.podGroup else {
            return .reject(.unschedulableAndUnresolvable("PodGroup \(key) not found"))
        }
        let now = handle.clock.now()
        if let until = group.backoffUntil, until > now {
            return .reject(.unschedulableAndUnresolvable("PodGroup \(key) failed recently"))
        }
        let min = Int(podGroup.spec.minMember)
        if group.members.count < min {
            return .reject(.unschedulableAndUnresolvable(
                "pre-filter pod \(pod.name) cannot find enough sibling pods, current pods number: \(group.members.count), minMember of group: \(min)"))
        }
        guard let minResources = podGroup.spec.minResources, !(group.permittedUntil.map { $0 > now } ?? false) else {
            return .proceed
        }
        var needed = Resources(minResources)
        needed.allowedPodNumber = Int64(min)
        if let gap = Self.resourceGap(needed, in: nodes, excluding: key) {
            return .reject(.unschedulableAndUnresolvable("PodGroup \(key) does not fit in the cluster: resource gap \(gap)"))
        }
        let until = now.advanced(by: scheduleTimeout(podGroup))
        state.update(key) { $0.permittedUntil = until }
        return .proceed
    }

    /// What of `needed` the nodes' free capacity lacks, counting the group's own pods as free
    /// (they are what the group needs the room for); `nil` if everything fits.
    static func resourceGap(_ needed: Resources, in nodes: NodeSnapshot, excluding key: String) -> String? {
        var free = Resources()
        for node in nodes.nodes {
            var left = node.allocatable
            left -= node.requested
            left.allowedPodNumber = node.allocatable.allowedPodNumber - Int64(node.pods.count)
            for member in node.pods where groupKey(member) == key {
                left += member.requests
                left.allowedPodNumber += 1
            }
            free += left
        }
        var gaps: [String] = []
        if needed.milliCPU > free.milliCPU { gaps.append("cpu: \(needed.milliCPU - free.milliCPU)m") }
        if needed.memory > free.memory { gaps.append("memory: \(needed.memory - free.memory)") }
        if needed.ephemeralStorage > free.ephemeralStorage {
            gaps.append("ephemeral-storage: \(needed.ephemeralStorage - free.ephemeralStorage)")
        }
        if needed.allowedPodNumber > free.allowedPodNumber { gaps.append("pods: \(needed.allowedPodNumber - free.allowedPodNumber)") }
        for (name, value) in needed.scalar.sorted(by: { $0.key < $1.key }) where value > (free.scalar[name] ?? 0) {
            gaps.append("\(name): \(value - (free.scalar[name] ?? 0))")
        }
        return gaps.isEmpty ? nil : gaps.joined(separator: ", ")
    }

    // MARK: PostFilter

    public func postFilter(_ cycle: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus]) -> PostFilterResult {
        yieldLowerPriorityWaiting(to: pod, statuses)
        // Not a member, or no group: nothing more this plugin can do for the pod.
        guard let key = Self.groupKey(pod), let group = state.group(key), let podGroup = group.podGroup else {
            return PostFilterResult(status: .unschedulable())
        }
        let min = Int(podGroup.spec.minMember)
        let assigned = group.assignedCount
        // Quorum reached: this one is an extra replica, and may stay pending alone.
        if assigned >= min {
            return PostFilterResult(status: .unschedulable())
        }
        // A near miss keeps waiting: the members held may still be joined before the timeout.
        if (min - assigned) * 100 <= arguments.podGroupRejectPercentage * min {
            return PostFilterResult(status: .unschedulable())
        }
        let message = "PodGroup \(key) gets rejected due to Pod \(pod.name) is unschedulable even after PostFilter"
        failGroup(key, except: pod.uid, message: message)
        return PostFilterResult(status: .unschedulable(message))
    }

    /// Bosun's answer to priority inversion (upstream has none): gang members waiting at Permit
    /// hold capacity without running anything, so when a pod finds no node for lack of resources,
    /// waiting gangs of lower priority whose capacity on one node would let it fit are rejected,
    /// as if their wait had timed out. Bound pods are never touched, and gangs of equal priority
    /// never displace each other, so the same two gangs cannot take turns doing this.
    private func yieldLowerPriorityWaiting(to pod: PodInfo, _ statuses: [String: PluginStatus]) {
        let lower = handle.waitingPods.all.filter { $0.pod.priority < pod.priority && Self.groupKey($0.pod) != nil }
        guard !lower.isEmpty else { return }
        let byNode = Dictionary(grouping: lower, by: \.nodeName)
        for nodeName in byNode.keys.sorted() where statuses[nodeName]?.plugin == NodeResourcesFit.pluginName {
            guard let node = handle.cache.nodeInfo(named: nodeName), let waiting = byNode[nodeName] else { continue }
            var free = node.allocatable
            free -= node.requested
            free.allowedPodNumber = node.allocatable.allowedPodNumber - Int64(node.pods.count - waiting.count)
            for member in waiting { free += member.pod.requests }
            guard Self.fits(pod.requests, in: free) else { continue }
            for key in Set(waiting.compactMap { Self.groupKey($0.pod) }).sorted() {
                failGroup(key, except: "", message: "PodGroup \(key) yields its capacity at Permit to pod \(pod.key) of higher priority")
            }
            return
        }
    }

    static func fits(_ requests: Resources, in free: Resources) -> Bool {
        requests.milliCPU <= free.milliCPU && requests.memory <= free.memory
            && requests.ephemeralStorage <= free.ephemeralStorage && free.allowedPodNumber >= 1
            && requests.scalar.allSatisfy { $0.value <= (free.scalar[$0.key] ?? 0) }
    }

    // MARK: Reserve

    public func reserve(_ cycle: CycleState, _ pod: PodInfo, nodeName: String) -> PluginStatus {
        guard let key = Self.groupKey(pod) else { return .success }
        state.update(key) { group in
            if !group.bound.contains(pod.uid) { group.assumed.insert(pod.uid) }
        }
        return .success
    }

    public func unreserve(_ cycle: CycleState, _ pod: PodInfo, nodeName: String) {
        guard let key = Self.groupKey(pod) else { return }
        state.update(key) { group in group.assumed.remove(pod.uid) }
        failGroup(key, except: pod.uid, message: "rejected: member \(pod.key) of PodGroup \(key) failed")
    }

    // MARK: Permit

    public func permit(_ cycle: CycleState, _ pod: PodInfo, nodeName: String) -> PermitDecision {
        guard let key = Self.groupKey(pod) else { return .allow }
        guard let group = state.group(key), let podGroup = group.podGroup else {
            return .deny(.unschedulableAndUnresolvable("PodGroup \(key) not found"))
        }
        if group.assignedCount >= Int(podGroup.spec.minMember) {
            for waiting in waitingMembers(of: key) { waiting.allow(plugin: name) }
            return .allow
        }
        // The group's first member to wait brings its siblings back from backoff at once.
        if group.assumed.count == 1 { cycle.activate(GangState.unassigned(group)) }
        return .wait(scheduleTimeout(podGroup))
    }

    // MARK: Failing a group

    /// A member waits at Permit only after Reserve assumed it, so the group's assumed members
    /// are looked up one by one: not every waiting pod of every group filtered and sorted at
    /// each quorum (10,000 of them with 100 gangs of 100 waiting together).
    private func waitingMembers(of key: String) -> [WaitingPod] {
        let waitingPods = handle.waitingPods
        return (state.group(key)?.assumed ?? []).sorted().compactMap { waitingPods.get(uid: $0) }
    }

    /// Rejects every member waiting at Permit (their capacity is released as they unreserve),
    /// moves the group behind the others of its priority, and starts its backoff.
    private func failGroup(_ key: String, except uid: String, message: String) {
        let now = handle.clock.now()
        let backoff = arguments.podGroupBackoff
        let until = now.advanced(by: backoff)
        let backingOff = state.update(key) { group -> Bool in
            group.failedAt = now
            group.permittedUntil = nil
            // A backoff runs its course: failures during it (its own PreFilter rejections) do
            // not extend it.
            guard backoff > .zero && group.hasQuorumOfPods && !(group.backoffUntil.map { $0 > now } ?? false)
            else { return false }
            group.backoffUntil = until
            return true
        }
        for waiting in waitingMembers(of: key) where waiting.uid != uid {
            waiting.reject(plugin: name, message: message)
        }
        if backingOff { endBackoff(of: key, at: until) }
    }

    /// Members rejected during the backoff wait in the unschedulable pool, and no cluster event
    /// need come when it ends: they are activated then (unless the group failed again since).
    private func endBackoff(of key: String, at until: Time) {
        let (state, clock) = (self.state, handle.clock)
        Task {
            do { try await clock.sleep(until: until) } catch { return }
            guard let group = state.group(key), group.backoffUntil == until else { return }
            state.activate(GangState.unassigned(group))
        }
    }

    // MARK: Queueing

    /// Members rejected here wait for capacity to free or grow. Members waiting for their group
    /// (PreEnqueue) are activated by ``GangState`` when a pod or the PodGroup completes the quorum.
    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(.assignedPodDelete),
            ClusterEventWithHint(.nodeAdd),
            ClusterEventWithHint(ClusterEvent(.node, [.updateNodeAllocatable, .updateNodeTaint, .updateNodeLabel],
                                              label: "NodeUpdate")),
        ]
    }
}
