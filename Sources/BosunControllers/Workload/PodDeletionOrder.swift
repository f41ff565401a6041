import BosunRuntime
import Foundation

/// Which pods go first when a controller has too many: kube-controller-manager's
/// `ActivePodsWithRanks` order (with PodDeletionCost and LogarithmicScaleDown on, as they are by
/// default). The first rule that tells two pods apart decides:
///
/// 1. unscheduled before scheduled;
/// 2. Pending, then Unknown, then Running;
/// 3. not ready before ready;
/// 4. lower `controller.kubernetes.io/pod-deletion-cost` first;
/// 5. higher rank first — the number of related active pods on the same node, so doubled-up
///    pods go before lonely ones;
/// 6. both ready: ready for less time first, compared in log2 buckets of the time since;
/// 7. more container restarts first (then more sidecar restarts);
/// 8. newer first, compared in log2 buckets of age;
/// 9. within one bucket (rules 6 and 8), the lower UID first: UIDs are random, so this picks
///    pseudo-randomly among pods of about the same age rather than always the very newest.
///
/// Upstream leaves pods equal on every rule in no particular order; here the UID decides those
/// too, so the choice does not depend on the order the pods were listed in.
public enum PodDeletionOrder {
    /// The annotation users set to steer scale-down (beta since 1.22, on by default).
    public static let costAnnotation = "controller.kubernetes.io/pod-deletion-cost"

    /// The deletion cost in `annotations`: an int32 written without a plus sign or leading zeros;
    /// anything else, or no annotation, counts as 0 (upstream `GetDeletionCostFromPodAnnotations`).
    public static func deletionCost(_ annotations: [String: String]?) -> Int32 {
        guard let value = annotations?[costAnnotation], let first = value.utf8.first else { return 0 }
        let validStart = first == UInt8(ascii: "-") || value == "0" || (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first)
        guard validStart, let cost = Int32(value) else { return 0 }
        return cost
    }

    /// The `count` pods of `pods` to delete first (upstream `getPodsToDelete`). `related` are the
    /// pods whose placement ranks them (rule 5): for a ReplicaSet, the pods of every ReplicaSet
    /// with the same controller. When every pod goes, nothing is sorted.
    public static func podsToDelete(_ pods: [PodFacts], count: Int, related: [PodFacts], now: Time) -> [PodFacts] {
        guard count < pods.count else { return pods }
        return Array(sorted(pods, ranks: ranks(of: pods, related: related), now: now).prefix(max(0, count)))
    }

    /// For each of `pods`, how many active pods of `related` run on its node (unscheduled pods
    /// share the empty node name, as upstream counts them).
    public static func ranks(of pods: [PodFacts], related: [PodFacts]) -> [Int] {
        var onNode: [String: Int] = [:]
        for pod in related where pod.isActive { onNode[pod.nodeName, default: 0] += 1 }
        return pods.map { onNode[$0.nodeName] ?? 0 }
    }

    /// `pods` in deletion order; `ranks[i]` is the rank of `pods[i]` (see ``ranks(of:related:)``).
    public static func sorted(_ pods: [PodFacts], ranks: [Int], now: Time) -> [PodFacts] {
        precondition(ranks.count == pods.count, "one rank per pod")
        return zip(pods, ranks)
            .sorted { precedes($0.0, rank: $0.1, $1.0, rank: $1.1, now: now) }
            .map(\.0)
    }

    /// Whether `a` (of rank `rankA`) should be deleted before `b`.
    public static func precedes(_ a: PodFacts, rank rankA: Int, _ b: PodFacts, rank rankB: Int, now: Time) -> Bool {
        // 1. Unscheduled first.
        if a.nodeName != b.nodeName && (a.nodeName.isEmpty || b.nodeName.isEmpty) { return a.nodeName.isEmpty }
        // 2. Pending < Unknown < Running.
        if phaseOrdinal(a.phase) != phaseOrdinal(b.phase) { return phaseOrdinal(a.phase) < phaseOrdinal(b.phase) }
        // 3. Not ready first.
        if a.isReady != b.isReady { return !a.isReady }
        // 4. Cheaper first.
        if a.deletionCost != b.deletionCost { return a.deletionCost < b.deletionCost }
        // 5. More doubled up first.
        if rankA != rankB { return rankA > rankB }
        // 6. Ready for less time first.
        if a.isReady && b.isReady {
            let readyA = a.readySince ?? .zero, readyB = b.readySince ?? .zero
            if readyA != readyB { return newerFirst(readyA, a.uid, readyB, b.uid, now: now) }
        }
        // 7. More restarts first.
        if a.restarts != b.restarts { return a.restarts > b.restarts }
        if a.sidecarRestarts != b.sidecarRestarts { return a.sidecarRestarts > b.sidecarRestarts }
        // 8. Newer first.
        let createdA = a.creationTimestamp ?? .zero, createdB = b.creationTimestamp ?? .zero
        if createdA != createdB { return newerFirst(createdA, a.uid, createdB, b.uid, now: now) }
        return a.uid < b.uid
    }

    private static func phaseOrdinal(_ phase: String?) -> Int {
        switch phase {
        case "Unknown": 1
        case "Running": 2
        default: 0
        }
    }

    /// Rules 6 and 8 for two different instants: the one in the lower log2 bucket of the time
    /// since it (the more recent) first, the lower UID within a bucket. An unset instant counts
    /// as the most recent, as upstream's `afterOrZero` has it.
    private static func newerFirst(_ a: Time, _ uidA: String, _ b: Time, _ uidB: String, now: Time) -> Bool {
        if now.isZero || a.isZero || b.isZero {
            if a.isZero || b.isZero { return a.isZero }
            return a > b
        }
        let difference = logBucket(since: a, now: now) - logBucket(since: b, now: now)
        return difference == 0 ? uidA < uidB : difference < 0
    }

    /// ⌊log2 of the nanoseconds from `time` to `now`⌋, or -1 when `time` is not before `now`.
    private static func logBucket(since time: Time, now: Time) -> Int64 {
        let elapsed = time.duration(to: now)
        guard elapsed > .zero else { return -1 }
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds / 1_000_000_000)
        return Int64(log2(nanoseconds))
    }
}
