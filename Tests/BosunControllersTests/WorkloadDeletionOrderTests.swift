import BosunControllers
import BosunRuntime
import Testing

/// Kubernetes' order for choosing pods to delete, rule by rule: each test makes two pods that
/// differ in what one rule looks at (and, where it matters, would be ordered the other way by
/// every later rule).
@Suite("Workload: deletion order")
struct WorkloadDeletionOrderTests {
    let now = Time(secondsSinceEpoch: 1_767_225_600)

    /// A scheduled, Running, ready pod, created and ready a day ago.
    func pod(_ uid: String, configure: (inout Pod) -> Void = { _ in }) -> PodFacts {
        let dayAgo = now.advanced(by: .seconds(-86_400))
        var pod = Pod(
            metadata: ObjectMeta(creationTimestamp: dayAgo, name: "pod-" + uid, namespace: "default", uid: uid),
            spec: PodSpec(nodeName: "n1"),
            status: PodStatus(conditions: [PodCondition(status: "True", type: "Ready", lastTransitionTime: dayAgo)], phase: "Running"))
        configure(&pod)
        return PodFacts(pod)
    }

    /// Whether `a` goes before `b` (and not the other way round).
    func first(_ a: PodFacts, _ b: PodFacts, ranks: (Int, Int) = (0, 0)) -> Bool {
        PodDeletionOrder.precedes(a, rank: ranks.0, b, rank: ranks.1, now: now)
            && !PodDeletionOrder.precedes(b, rank: ranks.1, a, rank: ranks.0, now: now)
    }

    /// Makes a pod the one every rule after rule 1 would keep: Running, ready long ago, costly,
    /// old, never restarted.
    func keeper(_ uid: String, _ configure: @escaping (inout Pod) -> Void = { _ in }) -> PodFacts {
        pod(uid) { pod in
            pod.metadata.annotations = [PodDeletionOrder.costAnnotation: "1000"]
            configure(&pod)
        }
    }

    @Test("1. unscheduled before scheduled")
    func unscheduledFirst() {
        let unscheduled = keeper("b") { $0.spec.nodeName = nil }
        let scheduled = pod("a") { $0.status.phase = "Pending" }
        #expect(first(unscheduled, scheduled))
    }

    @Test("2. Pending, then Unknown, then Running")
    func phaseOrder() {
        let pending = keeper("c") { $0.status.phase = "Pending" }
        let unknown = keeper("b") { $0.status.phase = "Unknown" }
        let running = pod("a") { $0.status.conditions = nil }
        #expect(first(pending, unknown))
        #expect(first(unknown, running))
    }

    @Test("3. not ready before ready")
    func notReadyFirst() {
        let notReady = keeper("b") { $0.status.conditions = [PodCondition(status: "False", type: "Ready")] }
        let ready = pod("a") { $0.metadata.creationTimestamp = self.now }
        #expect(first(notReady, ready))
    }

    @Test("4. lower pod-deletion-cost first")
    func cheaperFirst() {
        let cheap = pod("b") { $0.metadata.annotations = [PodDeletionOrder.costAnnotation: "-10"] }
        let dear = pod("a") { $0.metadata.creationTimestamp = self.now }
        #expect(first(cheap, dear))
    }

    @Test("5. more doubled up (higher rank) first")
    func doubledUpFirst() {
        let crowded = pod("b")
        let alone = pod("a") { $0.metadata.creationTimestamp = self.now }
        #expect(first(crowded, alone, ranks: (3, 1)))
    }

    @Test("6. both ready: ready for less time first, by log2 buckets; within a bucket the lower UID")
    func readyForLessTimeFirst() {
        let recent = pod("b") { $0.status.conditions = [PodCondition(status: "True", type: "Ready", lastTransitionTime: self.now.advanced(by: .seconds(-10)))] }
        let long = pod("a") { $0.status.containerStatuses = [ContainerStatus(name: "c", restartCount: 9)] }
        #expect(first(recent, long), "rule 6 decides before restarts (rule 7)")

        // 10 s and 12 s ago share a log2 bucket (2^33 ns ≈ 8.6 s … 17.2 s): the UID decides,
        // before restarts are looked at.
        let tenSeconds = pod("z") {
            $0.status.conditions = [PodCondition(status: "True", type: "Ready", lastTransitionTime: self.now.advanced(by: .seconds(-10)))]
            $0.status.containerStatuses = [ContainerStatus(name: "c", restartCount: 5)]
        }
        let twelveSeconds = pod("y") {
            $0.status.conditions = [PodCondition(status: "True", type: "Ready", lastTransitionTime: self.now.advanced(by: .seconds(-12)))]
        }
        #expect(first(twelveSeconds, tenSeconds))
        // An unset ready time counts as the most recent.
        let unset = pod("z") { $0.status.conditions = [PodCondition(status: "True", type: "Ready")] }
        #expect(first(unset, pod("a")))
    }

    @Test("7. more restarts first, then more sidecar restarts")
    func moreRestartsFirst() {
        let restarted = pod("b") { $0.status.containerStatuses = [ContainerStatus(name: "c", restartCount: 3)] }
        let fresh = pod("a") { $0.metadata.creationTimestamp = self.now }
        #expect(first(restarted, fresh))

        let sidecarRestarted = pod("d") {
            $0.spec.initContainers = [Container(name: "s", restartPolicy: "Always")]
            $0.status.initContainerStatuses = [ContainerStatus(name: "s", restartCount: 4)]
        }
        #expect(first(sidecarRestarted, pod("c")))
    }

    @Test("8. newer first, by log2 buckets of age")
    func newerFirst() {
        let newer = pod("b") { $0.metadata.creationTimestamp = self.now.advanced(by: .seconds(-60)) }
        let older = pod("a")
        #expect(first(newer, older))
        // An unset creation time counts as the newest.
        #expect(first(pod("b") { $0.metadata.creationTimestamp = nil }, pod("a")))
    }

    @Test("9. same bucket, or equal on every rule: the lower UID first")
    func uidBreaksTies() {
        let a = pod("a") { $0.metadata.creationTimestamp = self.now.advanced(by: .seconds(-101)) }
        let b = pod("b") { $0.metadata.creationTimestamp = self.now.advanced(by: .seconds(-100)) }
        #expect(first(a, b), "101 s and 100 s are in one bucket, so the newer one need not go first")
        #expect(first(pod("a"), pod("b")))
    }

    @Test("ranks count active related pods per node; pods to delete are the first of the order, unsorted when all go")
    func ranksAndChoice() {
        let a = pod("a") { $0.spec.nodeName = "n1" }
        let b = pod("b") { $0.spec.nodeName = "n2" }
        let c = pod("c") { $0.spec.nodeName = "n2" }
        let finished = pod("d") {
            $0.spec.nodeName = "n1"
            $0.status.phase = "Succeeded"
        }
        #expect(PodDeletionOrder.ranks(of: [a, b, c], related: [a, b, c, finished]) == [1, 2, 2], "finished pods do not count")
        let chosen = PodDeletionOrder.podsToDelete([a, b, c], count: 1, related: [a, b, c], now: now)
        #expect(chosen.map(\.uid) == ["b"], "doubled up on n2, then the lower UID")
        let all = PodDeletionOrder.podsToDelete([c, a, b], count: 3, related: [], now: now)
        #expect(all.map(\.uid) == ["c", "a", "b"])
    }
}
