import BosunKit
import BosunRuntime

/// The PodGroup controller (scheduler-plugins' `podgroup_controller`, plus stopping a group
/// that is no longer whole).
///
/// It feeds ``GangState`` from the PodGroup and Pod informers (the scheduler plugin reads it),
/// and for each PodGroup:
/// - counts its pods and sets `status.phase`, `running`, `succeeded`, `failed`,
///   `scheduleStartTime`, `occupiedBy` and the `Scheduled` condition;
/// - once the group ran whole, if its available members (bound, not failed: running, starting or
///   succeeded) fall below minMember and its policy is ``PodGroup/MemberLossPolicy/restartGroup``,
///   deletes the remaining members, with a `GangStopped` event and the `MembersLost`
///   condition, so that the owning workload (a Job, say) recreates the group whole.
public enum PodGroupController {
    public static let name = "podgroup"
    /// The pod informer's index of pods by `namespace/group`.
    public static let podIndex = "scheduling.x-k8s.io/pod-group"

    /// Condition types.
    public enum ConditionType {
        /// True once the group reached quorum and ran.
        public static let scheduled = "Scheduled"
        /// True while the group is stopped because it lost members.
        public static let membersLost = "MembersLost"
    }

    /// Event and condition reasons.
    public enum Reason {
        public static let stopped = "GangStopped"
        public static let quorumReached = "QuorumReached"
        public static let belowMinMember = "BelowMinMember"
        public static let whole = "GroupWhole"
    }

    @discardableResult
    public static func register(with manager: Manager, state: GangState) throws -> Controller {
        let pods = manager.informer(for: Pod.self).informer
        pods.addIndexer(podIndex) { pod in pod.podGroupKey.map { [$0] } ?? [] }
        return try manager.controller(for: PodGroup.self)
            .named(name)
            .watchesChanges(of: PodGroup.self) { event in
                if case .deleted(let podGroup) = event.change {
                    state.forget(podGroup: podGroup)
                } else {
                    state.observe(event.object)
                }
                return []
            }
            .watchesChanges(of: Pod.self) { event in
                var keys: [ObjectName] = []
                switch event.change {
                case .added(let pod):
                    state.observe(pod)
                case .updated(let old, let new):
                    if old.podGroupKey != new.podGroupKey {
                        state.forget(pod: old)
                        keys += groupName(of: old)
                    }
                    state.observe(new)
                case .deleted(let pod):
                    state.forget(pod: pod)
                }
                return keys + groupName(of: event.object)
            }
            .reconcile { podGroup, context in
                try await reconcile(podGroup, members: pods.byIndex(podIndex, podGroup.key), context)
            }
    }

    private static func groupName(of pod: Pod) -> [ObjectName] {
        guard let name = pod.metadata.labels?[PodGroup.memberLabel], !name.isEmpty else { return [] }
        return [ObjectName(namespace: pod.metadata.namespace ?? "", name: name)]
    }

    /// Pod counts of a group, as the status reports them.
    public struct Counts: Sendable, Hashable {
        /// Pods not being deleted.
        public var total = 0
        public var running = 0
        public var succeeded = 0
        public var failed = 0
        /// Bound and not failed: what keeps the group whole.
        public var available = 0

        public init(_ pods: [Pod]) {
            for pod in pods where pod.metadata.deletionTimestamp == nil {
                total += 1
                switch pod.status.phase {
                case "Running": running += 1
                case "Succeeded": succeeded += 1
                case "Failed": failed += 1
                default: break
                }
                if pod.status.phase != "Failed", !(pod.spec.nodeName ?? "").isEmpty { available += 1 }
            }
        }
    }

    /// The phase the counts give (upstream's rules, except that a group whose members run whole
    /// again after a restart is Running, not Failed for an old failed pod).
    public static func phase(_ counts: Counts, minMember: Int, current: PodGroup.Phase?) -> PodGroup.Phase {
        if current == .finished { return .finished }
        if counts.succeeded >= minMember { return .finished }
        if counts.running + counts.succeeded >= minMember { return .running }
        if counts.failed > 0 && counts.failed + counts.running + counts.succeeded >= minMember { return .failed }
        if counts.total < minMember { return .pending }
        return .scheduling
    }

    static func reconcile(_ podGroup: PodGroup, members: [Pod], _ context: ReconcileContext) async throws -> ReconcileResult {
        let minMember = Int(podGroup.spec.minMember)
        let counts = Counts(members)
        var status = podGroup.status ?? PodGroup.Status()
        let now = context.clock.now()
        var conditions = status.conditions ?? []

        let wasRunning = status.phase == .running
        if wasRunning && counts.available < minMember && counts.succeeded < minMember
            && podGroup.memberLossPolicy == .restartGroup
        {
            let remaining = members.filter { $0.metadata.deletionTimestamp == nil && GangState.isLive($0) }
            let message = "\(counts.available) of minMember \(minMember) members available; "
                + "stopping the group (\(remaining.count) remaining members evicted) so that it restarts whole"
            for pod in remaining {
                context.events.event(for: pod, type: .warning, reason: Reason.stopped,
                                     message: "PodGroup \(podGroup.metadata.name ?? "") lost members: \(message)")
                do {
                    _ = try await context.client.delete(
                        pod, options: DeleteOptions(preconditions: Preconditions(uid: pod.metadata.uid)))
                } catch let error as APIError where error.code == 404 || error.code == 409 {
                    // Gone already, or replaced by a pod of the same name.
                }
            }
            context.events.event(for: podGroup, type: .warning, reason: Reason.stopped, message: message)
            conditions.set(Condition(message: message, reason: Reason.belowMinMember, status: "True",
                                     type: ConditionType.membersLost), now: now)
            status.phase = .pending
        } else {
            let phase = phase(counts, minMember: minMember, current: status.phase)
            if phase == .scheduling && status.phase != .scheduling { status.scheduleStartTime = now.truncatedToSeconds }
            if phase == .running {
                conditions.set(Condition(message: "\(counts.running + counts.succeeded) of minMember \(minMember) members run",
                                         reason: Reason.quorumReached, status: "True", type: ConditionType.scheduled), now: now)
                if conditions[ConditionType.membersLost]?.status == "True" {
                    conditions.set(Condition(message: "the group runs whole again", reason: Reason.whole, status: "False",
                                             type: ConditionType.membersLost), now: now)
                }
            }
            status.phase = phase
        }
        status.running = Int32(counts.running)
        status.succeeded = Int32(counts.succeeded)
        status.failed = Int32(counts.failed)
        status.occupiedBy = members.lazy.compactMap { $0.metadata.ownerReferences?.first { $0.controller == true }?.uid }.first
        status.conditions = conditions.isEmpty ? nil : conditions
        if status != podGroup.status {
            var updated = podGroup
            updated.status = status
            _ = try await context.client.updateStatus(updated)
        }
        return .done
    }
}
