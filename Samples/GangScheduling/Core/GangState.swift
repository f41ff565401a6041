import BosunKit
import BosunRuntime
import BosunScheduler
import Synchronization

/// What the gang plugin knows about every group, shared by its scheduler plugin and its
/// controller: the PodGroups and their member pods (fed by the informers), and what only the
/// scheduler knows (members assumed at Reserve, when a group last failed, its backoff).
///
/// Lock order: nothing here calls the scheduler's queue or waiting pods while holding the lock,
/// because the queue calls in (QueueSort, PreEnqueue) while holding its own.
public final class GangState: Sendable {
    /// One group, by `namespace/name`. It exists while either its PodGroup or a member does.
    public struct Group: Sendable {
        public var podGroup: PodGroup?
        /// Live members (neither finished nor being deleted), by UID.
        public var members: [String: Pod] = [:]
        /// Members bound to a node, by UID (a subset of `members`).
        public var bound: Set<String> = []
        /// Members the scheduler assumed (Reserve) and that are not bound yet.
        public var assumed: Set<String> = []
        /// When an attempt of the group last failed: from then on its place in the queue.
        public var failedAt: Time?
        /// The group is not tried before this (the plugin's group backoff).
        public var backoffUntil: Time?
        /// The minResources pre-check passed and holds until this time.
        public var permittedUntil: Time?

        /// Members counted toward quorum: bound or assumed.
        public var assignedCount: Int { bound.count + assumed.count }

        /// The time the group sorts by: its last failure, else the PodGroup's creation.
        var queueTimestamp: Time? { failedAt ?? podGroup?.metadata.creationTimestamp }

        var isEmpty: Bool { podGroup == nil && members.isEmpty && assumed.isEmpty }

        var minMember: Int { Int(podGroup?.spec.minMember ?? 1) }

        /// Whether the group exists and has its quorum of live pods.
        var hasQuorumOfPods: Bool { podGroup != nil && members.count >= minMember }
    }

    private struct Groups {
        var byKey: [String: Group] = [:]
        /// Each group's ``Group/queueTimestamp``, kept apart so that QueueSort, which asks for it
        /// at every comparison in the active queue, does not copy a group (and its members) to read it.
        var queueTimestamps: [String: Time] = [:]
    }

    private let groups = Mutex(Groups())
    private let handleBox = Mutex<FrameworkHandle?>(nil)

    public init() {}

    /// The scheduler's handle, once the scheduler plugin has been made; members are activated
    /// through it when their group reaches quorum.
    public var handle: FrameworkHandle? { handleBox.withLock { $0 } }

    func attach(_ handle: FrameworkHandle) { handleBox.withLock { $0 = handle } }

    /// A copy of one group.
    public func group(_ key: String) -> Group? { groups.withLock { $0.byKey[key] } }

    /// The time a group's members sort by.
    func queueTimestamp(of key: String) -> Time? { groups.withLock { $0.queueTimestamps[key] } }

    /// The keys of the groups known.
    public var keys: [String] { groups.withLock { Array($0.byKey.keys) }.sorted() }

    /// Reads or changes one group under the lock; a group left empty is dropped.
    @discardableResult
    func update<R>(_ key: String, _ body: (inout Group) -> R) -> R {
        groups.withLock { all in
            var group = all.byKey.removeValue(forKey: key) ?? Group()
            let result = body(&group)
            let kept = !group.isEmpty
            all.queueTimestamps[key] = kept ? group.queueTimestamp : nil
            if kept { all.byKey[key] = group }
            return result
        }
    }

    // MARK: Informer events

    /// A PodGroup was added or changed: a group that now has its quorum of pods (it was just
    /// created, or its minMember lowered) has its waiting members activated.
    public func observe(_ podGroup: PodGroup) {
        let toActivate = update(podGroup.key) { group -> [Pod] in
            let had = group.hasQuorumOfPods
            group.podGroup = podGroup
            // A changed group is a new chance: the minResources check is done again.
            group.permittedUntil = nil
            return !had && group.hasQuorumOfPods ? Self.unassigned(group) : []
        }
        activate(toActivate)
    }

    public func forget(podGroup: PodGroup) {
        update(podGroup.key) { $0.podGroup = nil }
    }

    /// A pod was added or changed. Finished and terminating pods are no longer members; bound
    /// ones count toward quorum. A group whose live pods just reached minMember has its
    /// unscheduled members activated, the new pod included.
    public func observe(_ pod: Pod) {
        guard let key = pod.podGroupKey else { return }
        let uid = Self.uid(of: pod)
        let toActivate = update(key) { group -> [Pod] in
            let had = group.hasQuorumOfPods
            if Self.isLive(pod) {
                group.members[uid] = pod
                if let node = pod.spec.nodeName, !node.isEmpty {
                    group.bound.insert(uid)
                    group.assumed.remove(uid)
                }
            } else {
                Self.drop(uid, from: &group)
            }
            return !had && group.hasQuorumOfPods ? Self.unassigned(group) : []
        }
        activate(toActivate)
    }

    public func forget(pod: Pod) {
        guard let key = pod.podGroupKey else { return }
        let uid = Self.uid(of: pod)
        update(key) { Self.drop(uid, from: &$0) }
    }

    /// The pod's UID as the scheduler's `PodInfo` has it (`namespace/name` without one), without
    /// computing everything else a `PodInfo` holds for every pod event.
    static func uid(of pod: Pod) -> String {
        if let uid = pod.metadata.uid, !uid.isEmpty { return uid }
        return (pod.metadata.namespace ?? "") + "/" + (pod.metadata.name ?? "")
    }

    private static func drop(_ uid: String, from group: inout Group) {
        group.members[uid] = nil
        group.bound.remove(uid)
        group.assumed.remove(uid)
    }

    /// Neither finished nor being deleted.
    static func isLive(_ pod: Pod) -> Bool {
        pod.metadata.deletionTimestamp == nil && pod.status.phase != "Succeeded" && pod.status.phase != "Failed"
    }

    /// Live members without a node, in name order.
    static func unassigned(_ group: Group) -> [Pod] {
        group.members.filter { !group.bound.contains($0.key) && !group.assumed.contains($0.key) }
            .map(\.value).sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    func activate(_ pods: [Pod]) {
        guard !pods.isEmpty else { return }
        handle?.activate(pods)
    }
}
