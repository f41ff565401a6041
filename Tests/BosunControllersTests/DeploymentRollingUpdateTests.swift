@testable import BosunControllers
import BosunRuntime
import Testing

@Suite("Deployment: rolling update")
struct DeploymentRollingUpdateTests {
    @Test("D-1: maxSurge rounds up, maxUnavailable rounds down, both of spec.replicas; both 0 → one unavailable; capped; 0 for Recreate")
    func fenceposts() {
        func resolved(_ replicas: Int32, _ surge: IntOrString, _ unavailable: IntOrString) -> (Int32, Int32) {
            let d = nginxDeployment(replicas: replicas, strategy: rollingUpdate(maxSurge: surge, maxUnavailable: unavailable))
            return (d.maxSurge, d.maxUnavailable)
        }
        #expect(resolved(3, "25%", "25%") == (1, 0))
        #expect(resolved(10, "25%", "25%") == (3, 2))
        #expect(resolved(10, "1%", "1%") == (1, 0))
        #expect(resolved(10, "0%", "1%") == (0, 1), "both resolve to 0: one may be unavailable")
        #expect(resolved(3, 0, 0) == (0, 1))
        #expect(resolved(4, 2, 10) == (2, 4), "unavailability is capped at spec.replicas")
        #expect(resolved(0, "25%", "25%") == (0, 0), "nothing may be unavailable of nothing")
        let recreate = nginxDeployment(strategy: DeploymentStrategy(type: "Recreate"))
        #expect((recreate.maxSurge, recreate.maxUnavailable, recreate.minAvailable) == (0, 0, 0))
    }

    @Test("D-2/D-3/D-4: nginx at 3 replicas, 25%/25%: new 1, old 2, new 2, old 1, new 3, old 0; never above 4 pods nor below 3 available")
    func canonicalRollout() async throws {
        let h = try await DeploymentHarness.start()
        let old = try await h.createAvailable(nginxDeployment())
        #expect(old.name.hasPrefix("nginx-deployment-"))
        h.env.clock.advance(by: .seconds(1))

        let scalingMark = h.timeline.mark
        let totalsMark = h.timeline.totalsMark
        try await h.setImage("nginx:1.16.1")
        try await h.waitUntil("the new ReplicaSet exists") { try await h.replicaSet(running: "nginx:1.16.1") != nil }
        let new = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        #expect(new.spec.replicas == 1, "the surge allows one more pod")
        #expect(try await h.replicaSet(old.name).spec.replicas == 3, "nothing old goes before something new is available")

        // The old ReplicaSet shrinks only once a new pod is available; the new one grows as soon
        // as the old one's spec shrank (the surge counts specs).
        try await h.report(new.name)
        try await h.waitForSpec(old.name, 2)
        try await h.report(old.name)
        try await h.waitForSpec(new.name, 2)
        try await h.report(new.name)
        try await h.waitForSpec(old.name, 1)
        try await h.report(old.name)
        try await h.waitForSpec(new.name, 3)
        try await h.report(new.name)
        try await h.waitForSpec(old.name, 0)
        try await h.report(old.name)
        try await h.waitForComplete()
        try await h.settleTimeline()

        #expect(h.timeline.scalings(since: scalingMark).map(\.description) == [
            "\(new.name)→1", "\(old.name)→2", "\(new.name)→2", "\(old.name)→1", "\(new.name)→3", "\(old.name)→0",
        ])
        #expect(h.timeline.maxSpec(sinceTotals: totalsMark) == 4, "replicas + maxSurge")
        #expect(h.timeline.minKeptAvailable(sinceTotals: totalsMark) == 3, "replicas − maxUnavailable")

        let d = try await h.deployment()
        #expect(d.status.observedGeneration == d.metadata.generation)
        #expect(d.status.replicas == 3 && d.status.updatedReplicas == 3 && d.status.readyReplicas == 3 && d.status.availableReplicas == 3)
        #expect(d.status.unavailableReplicas == nil)
        #expect(d.metadata.annotations?["deployment.kubernetes.io/revision"] == "2", "D-26: the Deployment mirrors its new ReplicaSet")
        #expect(try await h.replicaSet(new.name).metadata.annotations?["deployment.kubernetes.io/revision"] == "2")
        #expect(try await h.replicaSet(old.name).metadata.annotations?["deployment.kubernetes.io/revision"] == "1")
        #expect(try await h.eventMessages("ScalingReplicaSet") == [
            "Scaled up replica set \(old.name) from 0 to 3",
            "Scaled up replica set \(new.name) from 0 to 1",
            "Scaled down replica set \(old.name) from 3 to 2",
            "Scaled up replica set \(new.name) from 1 to 2",
            "Scaled down replica set \(old.name) from 2 to 1",
            "Scaled up replica set \(new.name) from 2 to 3",
            "Scaled down replica set \(old.name) from 1 to 0",
        ])
        await h.stop()
    }

    @Test("D-3: unavailable old replicas are removed first, even with availability at its minimum")
    func unhealthyOldReplicasGoFirst() async throws {
        let h = try await DeploymentHarness.start()
        let old = try await h.createAvailable(nginxDeployment(replicas: 4, strategy: rollingUpdate(maxSurge: 0, maxUnavailable: 1)))
        try await h.report(old.name, ready: 2)
        h.env.clock.advance(by: .seconds(1))
        let mark = h.timeline.mark
        try await h.setImage("nginx:1.16.1")
        // No surge: two of the old pods are not available, so removing one costs nothing.
        try await h.waitUntil("the new ReplicaSet has a pod") { try await h.replicaSet(running: "nginx:1.16.1")?.spec.replicas == 1 }
        let new = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        try await h.settleTimeline()
        #expect(h.timeline.scalings(since: mark).map(\.description) == ["\(new.name)→0", "\(old.name)→3", "\(new.name)→1"])

        // Σ available (2 + 1) is at the minimum of 3, yet the old unavailable pod still goes.
        let next = h.timeline.mark
        try await h.report(new.name)
        try await h.waitForSpec(old.name, 2)
        try await h.settleTimeline()
        #expect(h.timeline.scalings(since: next).first?.description == "\(old.name)→2")
        await h.stop()
    }

    @Test("D-5, D-20, D-21: a new template that never becomes available keeps the old pods and exceeds the deadline")
    func stuckRolloutExceedsDeadline() async throws {
        let h = try await DeploymentHarness.start()
        let old = try await h.createAvailable(nginxDeployment())
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.161")
        try await h.waitUntil("the new ReplicaSet exists") { try await h.replicaSet(running: "nginx:1.161") != nil }
        let new = try #require(try await h.replicaSet(running: "nginx:1.161"))
        let created = try #require(try await h.condition("Progressing"))
        #expect(created.reason == "NewReplicaSetCreated")
        #expect(created.status == "True")
        #expect(created.message == "Created new replica set \"\(new.name)\"")
        let start = try #require(created.lastUpdateTime)

        // The pod is created but never becomes ready: progress (one more updated replica).
        h.env.clock.advance(by: .seconds(10))
        try await h.report(new.name, ready: 0)
        try await h.waitUntil("progress is recorded") { try await h.condition("Progressing")?.reason == "ReplicaSetUpdated" }
        let updated = try #require(try await h.condition("Progressing"))
        #expect(updated.lastUpdateTime == start.advanced(by: .seconds(10)), "progress moves lastUpdateTime")
        #expect(updated.lastTransitionTime == created.lastTransitionTime, "True stays True: no transition")
        #expect(updated.message == "ReplicaSet \"\(new.name)\" is progressing.")

        // Nothing moves for almost the whole deadline.
        h.env.clock.advance(by: .seconds(599))
        for _ in 0..<500 { await Task.yield() }
        #expect(try await h.condition("Progressing")?.reason == "ReplicaSetUpdated")
        #expect(try await h.replicaSet(old.name).spec.replicas == 3, "replicas − maxUnavailable old pods stay")
        #expect(try await h.replicaSet(new.name).spec.replicas == 1)

        // The controller looks again at the deadline by itself.
        try await h.waitUntil("the deadline is exceeded") {
            h.env.clock.advance(by: .seconds(1))
            return try await h.condition("Progressing")?.reason == "ProgressDeadlineExceeded"
        }
        let exceeded = try #require(try await h.condition("Progressing"))
        #expect(exceeded.status == "False")
        #expect(exceeded.message == "ReplicaSet \"\(new.name)\" has timed out progressing.")
        #expect(try #require(exceeded.lastUpdateTime) > start.advanced(by: .seconds(610)))
        #expect(try await h.replicaSet(old.name).spec.replicas == 3)
        let available = try #require(try await h.condition("Available"))
        #expect(available.status == "True", "the old pods keep the Deployment available")

        // It sticks while nothing moves...
        h.env.clock.advance(by: .seconds(60))
        let before = try await h.deployment().metadata.resourceVersion
        try await h.touch(old.name)
        for _ in 0..<500 { await Task.yield() }
        #expect(try await h.deployment().metadata.resourceVersion == before, "nothing new: no status write")
        #expect(try await h.condition("Progressing")?.reason == "ProgressDeadlineExceeded")
        // ...and the rollout goes on once the new pod becomes available.
        try await h.report(new.name)
        try await h.waitForSpec(old.name, 2)
        try await h.waitUntil("progress is recorded again") { try await h.condition("Progressing")?.reason == "ReplicaSetUpdated" }
        #expect(try await h.condition("Progressing")?.status == "True")
        await h.stop()
    }

    @Test("D-6: a template change mid-rollout creates a further ReplicaSet; every other one is old")
    func rollover() async throws {
        let h = try await DeploymentHarness.start()
        let first = try await h.createAvailable(nginxDeployment())
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.16.1")
        try await h.waitUntil("the second ReplicaSet has a pod") { try await h.replicaSet(running: "nginx:1.16.1")?.spec.replicas == 1 }
        let second = try #require(try await h.replicaSet(running: "nginx:1.16.1"))
        try await h.report(second.name, ready: 0)
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.17.0")
        try await h.waitUntil("the third ReplicaSet exists") { try await h.replicaSet(running: "nginx:1.17.0") != nil }
        let third = try #require(try await h.replicaSet(running: "nginx:1.17.0"))
        #expect(third.metadata.annotations?["deployment.kubernetes.io/revision"] == "3")
        // The unavailable pod of the abandoned template goes first; then the new one grows.
        try await h.waitForSpec(second.name, 0)
        try await h.waitForSpec(third.name, 1)
        #expect(try await h.replicaSet(first.name).spec.replicas == 3)
        #expect(try await h.replicaSets().count == 3)
        try await h.waitUntil("the Deployment's revision follows") {
            try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] == "3"
        }
        await h.stop()
    }

    @Test("D-10, D-13: scaled from 10 to 15 mid-rollout (surge 3, unavailable 2), old 8 / new 5 become old 11 / new 7")
    func proportionalScaling() async throws {
        let h = try await DeploymentHarness.start()
        let old = try await h.createAvailable(nginxDeployment(replicas: 10, strategy: rollingUpdate(maxSurge: 3, maxUnavailable: 2)))
        h.env.clock.advance(by: .seconds(1))
        try await h.setImage("nginx:1.161")
        try await h.waitUntil("the new ReplicaSet has 5 replicas") { try await h.replicaSet(running: "nginx:1.161")?.spec.replicas == 5 }
        let new = try #require(try await h.replicaSet(running: "nginx:1.161"))
        #expect(try await h.replicaSet(old.name).spec.replicas == 8)
        try await h.report(old.name)
        try await h.report(new.name, ready: 0)
        try await h.waitUntil("the status shows 13 replicas") { try await h.deployment().status.replicas == 13 }

        let mark = h.timeline.mark
        try await h.scale(to: 15)
        try await h.waitForSpec(old.name, 11)
        try await h.waitForSpec(new.name, 7)
        try await h.settleTimeline()
        #expect(h.timeline.scalings(since: mark).map(\.description) == ["\(old.name)→11", "\(new.name)→7"],
                "the larger ReplicaSet first, each once")
        for rs in [old.name, new.name] {
            let annotations = try await h.replicaSet(rs).metadata.annotations
            #expect(annotations?["deployment.kubernetes.io/desired-replicas"] == "15")
            #expect(annotations?["deployment.kubernetes.io/max-replicas"] == "18")
        }
        #expect(try await h.eventMessages("ScalingReplicaSet").suffix(2) == [
            "Scaled up replica set \(old.name) from 8 to 11", "Scaled up replica set \(new.name) from 5 to 7",
        ])
        await h.stop()
    }

    @Test("D-13: proportions round half away from zero; the leftover goes to the first ReplicaSet; scaling down takes older first")
    func proportionArithmetic() {
        var d = nginxDeployment(replicas: 5, strategy: rollingUpdate(maxSurge: 0, maxUnavailable: 1))
        func rs(_ name: String, _ replicas: Int32, maxReplicas: Int32?) -> ReplicaSet {
            ReplicaSet(metadata: ObjectMeta(annotations: maxReplicas.map { ["deployment.kubernetes.io/max-replicas": String($0)] }, name: name),
                       spec: ReplicaSetSpec(replicas: replicas))
        }
        // 3 × 5 / 2 = 7.5 → 8 (half away from zero): a share of +5, clamped to what is left.
        #expect(replicaSetFraction(rs("a", 3, maxReplicas: 2), d) == 5)
        #expect(proportion(of: rs("a", 3, maxReplicas: 2), d, toAdd: 3, added: 0) == 3)
        // Scaling 4 → 1: 3 × 1 / 4 = 0.75 → 1, a share of −2; clamped to no more than is to remove.
        d.spec.replicas = 1
        #expect(replicaSetFraction(rs("b", 3, maxReplicas: 4), d) == -2)
        #expect(proportion(of: rs("b", 3, maxReplicas: 4), d, toAdd: -3, added: -2) == -1)
        // Without the annotation the Deployment's current size is the base.
        d.status.replicas = 6
        #expect(replicaSetFraction(rs("c", 3, maxReplicas: nil), d) == -2, "3 × 1 / 6 = 0.5 → 1")
        // Scaling to 0 takes everything.
        d.spec.replicas = 0
        #expect(replicaSetFraction(rs("d", 4, maxReplicas: 5), d) == -4)

        // Sorting: larger first; newer first when growing, older first when shrinking.
        let older = ReplicaSet(metadata: ObjectMeta(creationTimestamp: Time(secondsSinceEpoch: 1), name: "older"), spec: ReplicaSetSpec(replicas: 2))
        let newer = ReplicaSet(metadata: ObjectMeta(creationTimestamp: Time(secondsSinceEpoch: 2), name: "newer"), spec: ReplicaSetSpec(replicas: 2))
        let large = ReplicaSet(metadata: ObjectMeta(creationTimestamp: Time(secondsSinceEpoch: 3), name: "large"), spec: ReplicaSetSpec(replicas: 5))
        #expect([older, newer, large].sorted(by: ReplicaSet.largerThenNewer).map(\.name) == ["large", "newer", "older"])
        #expect([newer, older, large].sorted(by: ReplicaSet.largerThenOlder).map(\.name) == ["large", "older", "newer"])
    }

    @Test("D-11: one active ReplicaSet takes the new size whole")
    func singleReplicaSetScales() async throws {
        let h = try await DeploymentHarness.start()
        let rs = try await h.createAvailable(nginxDeployment())
        try await h.scale(to: 5)
        try await h.waitForSpec(rs.name, 5)
        #expect(try await h.replicaSet(rs.name).metadata.annotations?["deployment.kubernetes.io/desired-replicas"] == "5")
        try await h.scale(to: 1)
        try await h.waitForSpec(rs.name, 1)
        #expect(try await h.eventMessages("ScalingReplicaSet").suffix(2) == [
            "Scaled up replica set \(rs.name) from 3 to 5", "Scaled down replica set \(rs.name) from 5 to 1",
        ])
        await h.stop()
    }
}
