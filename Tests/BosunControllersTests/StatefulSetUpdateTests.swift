import BosunControllers
import BosunRuntime
import Testing

/// The StatefulSet controller against SS-11 … SS-16 (`k8s-workload-semantics.md` §4): updates.
@Suite("StatefulSet: updates")
struct StatefulSetUpdateTests {
    /// A running three-pod set whose template then changes; returns the old update revision.
    private func rollingSet(
        _ env: TestEnvironment, replicas: Int32 = 3, strategy: StatefulSetUpdateStrategy? = nil, parallel: Bool = false
    ) async throws -> String {
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: replicas, parallel: parallel, claims: false, strategy: strategy))
        try await env.runPods((0..<Int(replicas)).map { "web-\($0)" })
        try await env.waitForStatefulSet("all ready") { $0.readyReplicas == replicas && $0.currentReplicas == replicas }
        let old = try #require(try await env.statefulSet().status.updateRevision)
        try await env.setImage("registry.k8s.io/nginx-slim:0.25")
        try await env.waitForStatefulSet("a new update revision") { $0.updateRevision != old }
        return old
    }

    private func revision(_ env: TestEnvironment, _ pod: String) async throws -> String? {
        try await env.pod(pod)?.metadata.labels?["controller-revision-hash"]
    }

    @Test("SS-11: RollingUpdate replaces the highest ordinal first, one at a time, waiting for each to be ready")
    func rollingUpdateOrder() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let old = try await rollingSet(env)
        let new = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitUntil("web-2 is at the new revision") { try await revision(env, "web-2") == new }
        #expect(try await revision(env, "web-1") == old)
        #expect(try await revision(env, "web-0") == old)
        #expect(try await env.pod("web-2")?.spec.containers[0].image == "registry.k8s.io/nginx-slim:0.25")
        try await env.waitForStatefulSet("web-2 is counted as updated") { $0.updatedReplicas == 1 }
        #expect(try await revision(env, "web-1") == old, "the unready web-2 holds the rollout")

        try await env.runPod("web-2")
        try await env.waitUntil("web-1 is updated") { try await revision(env, "web-1") == new }
        #expect(try await revision(env, "web-0") == old)
        try await env.runPod("web-1")
        try await env.waitUntil("web-0 is updated") { try await revision(env, "web-0") == new }
        await env.stop()
    }

    @Test("SS-12: with a partition only ordinals at or above it update; a pod below it returns at the old revision")
    func partition() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let old = try await rollingSet(env, strategy: StatefulSetFixtures.rolling(partition: 2))
        let new = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitUntil("web-2 is updated") { try await revision(env, "web-2") == new }
        try await env.runPod("web-2")
        try await env.waitForStatefulSet("web-2 ready at the new revision") { $0.updatedReplicas == 1 && $0.readyReplicas == 3 }
        #expect(try await revision(env, "web-1") == old)
        #expect(try await revision(env, "web-0") == old)
        let status = try await env.statefulSet().status
        #expect(status.currentRevision == old && status.currentReplicas == 2, "the rollout is not complete below the partition")

        let first = try #require(try await env.pod("web-0"))
        try await env.api.delete(Pod.self, namespace: "default", name: "web-0")
        try await env.waitUntil("web-0 returns") { try await env.pod("web-0").map { $0.metadata.uid != first.metadata.uid } ?? false }
        #expect(try await revision(env, "web-0") == old)
        #expect(try await env.pod("web-0")?.spec.containers[0].image == "registry.k8s.io/nginx-slim:0.24")
        await env.stop()
    }

    @Test("SS-12: a partition above the replicas updates nothing")
    func partitionAboveReplicas() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let old = try await rollingSet(env, strategy: StatefulSetFixtures.rolling(partition: 5))
        try await env.waitForStatefulSet("the new template was seen") { $0.updatedReplicas == nil && $0.currentReplicas == 3 }
        for pod in ["web-0", "web-1", "web-2"] { #expect(try await revision(env, pod) == old) }
        await env.stop()
    }

    @Test("SS-13: maxUnavailable 2 replaces two pods at once; unavailable pods anywhere in the range count")
    func maxUnavailable() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        // Parallel, so that unready pods hold nothing but the update's budget.
        _ = try await rollingSet(env, replicas: 4, strategy: StatefulSetFixtures.rolling(maxUnavailable: .int(2)), parallel: true)
        let new = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitUntil("web-3 and web-2 are updated together") {
            let web3 = try await revision(env, "web-3")
            let web2 = try await revision(env, "web-2")
            return web3 == new && web2 == new
        }
        #expect(try await revision(env, "web-1") != new)
        #expect(try await revision(env, "web-0") != new)
        // web-3 ready, web-2 not: one unavailable leaves room for one more.
        try await env.runPod("web-3")
        try await env.waitUntil("web-1 is updated") { try await revision(env, "web-1") == new }
        try await env.waitForStatefulSet("web-1 seen") { $0.updatedReplicas == 3 }
        #expect(try await revision(env, "web-0") != new, "web-2 and web-1 are unavailable: no room for web-0")
        await env.stop()
    }

    @Test("SS-13: a maxUnavailable percentage rounds down, to at least one")
    func maxUnavailablePercentRoundsDown() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        // 40% of 4 is 1.6: one pod at a time, not two.
        _ = try await rollingSet(env, replicas: 4, strategy: StatefulSetFixtures.rolling(maxUnavailable: .string("40%")), parallel: true)
        let new = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitUntil("web-3 is updated") { try await revision(env, "web-3") == new }
        try await env.waitForStatefulSet("web-3 seen") { $0.updatedReplicas == 1 }
        #expect(try await revision(env, "web-2") != new)
        await env.stop()

        // 10% of 4 is 0.4: still one.
        let env2 = try await TestEnvironment.withStatefulSetController()
        _ = try await rollingSet(env2, replicas: 4, strategy: StatefulSetFixtures.rolling(maxUnavailable: .string("10%")), parallel: true)
        let new2 = try #require(try await env2.statefulSet().status.updateRevision)
        try await env2.waitUntil("web-3 is updated") { try await revision(env2, "web-3") == new2 }
        try await env2.waitForStatefulSet("web-3 seen") { $0.updatedReplicas == 1 }
        #expect(try await revision(env2, "web-2") != new2)
        await env2.stop()
    }

    @Test("SS-14: OnDelete never deletes pods for an update; a pod the user deletes returns at the update revision")
    func onDelete() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let old = try await rollingSet(env, strategy: StatefulSetUpdateStrategy(type: "OnDelete"))
        let new = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitForStatefulSet("the new revision was seen") { $0.updateRevision == new && $0.currentReplicas == 3 }
        for pod in ["web-0", "web-1", "web-2"] { #expect(try await revision(env, pod) == old) }

        try await env.api.delete(Pod.self, namespace: "default", name: "web-0")
        try await env.waitUntil("web-0 returns updated") { try await revision(env, "web-0") == new }
        #expect(try await revision(env, "web-2") == old)
        await env.stop()
    }

    @Test("SS-15: once every pod is updated and ready, currentRevision becomes the update revision")
    func rolloutCompletes() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await rollingSet(env, replicas: 2)
        let new = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitUntil("web-1 updated") { try await revision(env, "web-1") == new }
        try await env.runPod("web-1")
        try await env.waitUntil("web-0 updated") { try await revision(env, "web-0") == new }
        #expect(try await env.statefulSet().status.currentRevision != new, "not complete while web-0 is not ready")
        try await env.runPod("web-0")
        try await env.waitForStatefulSet("the rollout completes") {
            $0.currentRevision == new && $0.currentReplicas == 2 && $0.updatedReplicas == 2 && $0.readyReplicas == 2
        }
        await env.stop()
    }

    @Test("SS-16: a pod that never becomes ready stops the rollout; reverting the template does not recover it")
    func forcedRollback() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let old = try await rollingSet(env)
        let bad = try #require(try await env.statefulSet().status.updateRevision)
        try await env.waitUntil("web-2 runs the bad template") { try await revision(env, "web-2") == bad }
        try await env.setImage("registry.k8s.io/nginx-slim:0.24")
        try await env.waitForStatefulSet("the old revision is the update revision again") { $0.updateRevision == old }
        #expect(try await revision(env, "web-2") == bad, "the stuck pod stays until deleted by hand")
        let reverted = try await env.api.get(ControllerRevision.self, namespace: "default", name: old)
        #expect(reverted.revision == 3, "the old revision was renumbered, not copied")

        try await env.api.delete(Pod.self, namespace: "default", name: "web-2")
        try await env.waitUntil("web-2 returns at the old revision") { try await revision(env, "web-2") == old }
        await env.stop()
    }
}
