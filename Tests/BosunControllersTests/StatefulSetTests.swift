import BosunControllers
import BosunRuntime
import Testing

/// The StatefulSet controller against SS-1 … SS-10 of the workload checklist
/// (`k8s-workload-semantics.md` §4): identity and ordering.
@Suite("StatefulSet")
struct StatefulSetTests {
    @Test("SS-1: pods are <set>-<ordinal> from ordinals.start, with hostname, subdomain and an event per create")
    func stableNamesFromStartOrdinal() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let set = try await env.api.create(StatefulSetFixtures.web(replicas: 2, parallel: true, start: 5))
        try await env.waitUntil("web-5 and web-6 exist") { try await env.podNames() == ["web-5", "web-6"] }
        for name in ["web-5", "web-6"] {
            let pod = try #require(try await env.pod(name))
            #expect(pod.spec.hostname == name && pod.spec.subdomain == "nginx")
            #expect(pod.metadata.generateName == "web-")
            #expect(pod.isControlled(by: set))
            #expect(pod.metadata.ownerReferences?.first?.blockOwnerDeletion == true)
        }
        try await env.waitUntil("both creates are recorded") {
            let created = try await env.events(about: "StatefulSet", named: "web").filter { $0.reason == "SuccessfulCreate" }
            return Set(created.compactMap(\.message)).isSuperset(of: [
                "create Pod web-5 in StatefulSet web successful", "create Pod web-6 in StatefulSet web successful",
            ])
        }
        await env.stop()
    }

    @Test("SS-2: pods carry pod-name, pod-index and controller-revision-hash (the update revision's name)")
    func identityLabels() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
        try await env.waitForStatefulSet("the set reports its pod") { $0.replicas == 1 }
        let set = try await env.statefulSet()
        let pod = try #require(try await env.pod("web-0"))
        let revision = try #require(set.status.updateRevision)
        #expect(pod.metadata.labels == [
            "app": "nginx", "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0",
            "controller-revision-hash": revision,
        ])
        #expect(revision.hasPrefix("web-"))
        #expect(set.status.currentRevision == revision)
        await env.stop()
    }

    @Test("SS-4: pods beyond the range are deleted; pods whose names do not parse are ignored")
    func condemnedAndUnparsable() async throws {
        let env = try await TestEnvironment.withStatefulSetController { env in
            // Both match the selector; only the one with an ordinal is the set's to delete.
            _ = try await env.api.create(Pod(metadata: ObjectMeta(labels: ["app": "nginx"], name: "web-7", namespace: "default"),
                                             spec: PodSpec(containers: [Container(name: "c", image: "busybox")])))
            _ = try await env.api.create(Pod(metadata: ObjectMeta(labels: ["app": "nginx"], name: "web-extra", namespace: "default"),
                                             spec: PodSpec(containers: [Container(name: "c", image: "busybox")])))
        }
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, parallel: true, claims: false))
        try await env.waitUntil("web-7 is deleted and web-0 created") { try await env.podNames() == ["web-0", "web-extra"] }
        #expect(try await env.pod("web-extra")?.metadata.ownerReferences == nil, "a name without an ordinal is never adopted")
        try await env.waitUntil("the delete is recorded") {
            let deleted = try await env.events(about: "StatefulSet", named: "web").filter { $0.reason == "SuccessfulDelete" }
            return deleted.compactMap(\.message) == ["delete Pod web-7 in StatefulSet web successful"]
        }
        await env.stop()
    }

    @Test("SS-5: a Failed pod is deleted (RecreatingFailedPod) and recreated under its name once gone")
    func failedPodRecreated() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
        try await env.runPod("web-0")
        let first = try #require(try await env.pod("web-0"))
        try await env.setPodStatus("web-0", phase: "Failed")
        try await env.waitUntil("web-0 is replaced") {
            guard let pod = try await env.pod("web-0") else { return false }
            return pod.metadata.uid != first.metadata.uid
        }
        let events = try await env.events(about: "StatefulSet", named: "web")
        let recreating = try #require(events.first { $0.reason == "RecreatingFailedPod" })
        #expect(recreating.type == "Warning" && recreating.message == "StatefulSet default/web is recreating failed Pod web-0")
        #expect(events.contains { $0.reason == "SuccessfulDelete" && $0.message == "delete Pod web-0 in StatefulSet web successful" })
        await env.stop()
    }

    @Test("SS-5: a Succeeded pod is deleted (RecreatingTerminatedPod) and recreated")
    func succeededPodRecreated() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
        try await env.runPod("web-0")
        let first = try #require(try await env.pod("web-0"))
        try await env.setPodStatus("web-0", phase: "Succeeded")
        try await env.waitUntil("web-0 is replaced") { try await env.pod("web-0").map { $0.metadata.uid != first.metadata.uid } ?? false }
        let event = try #require(try await env.events(about: "StatefulSet", named: "web").first { $0.reason == "RecreatingTerminatedPod" })
        #expect(event.type == "Normal")
        await env.stop()
    }

    @Test("SS-6: a drifted identity label is restored by updating the pod, not recreating it")
    func driftedIdentityIsUpdated() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
        try await env.runPod("web-0")
        var pod = try #require(try await env.pod("web-0"))
        let uid = pod.metadata.uid
        pod.metadata.labels?["statefulset.kubernetes.io/pod-name"] = "someone-else"
        _ = try await env.api.update(pod)
        try await env.waitUntil("the label is back") {
            try await env.pod("web-0")?.metadata.labels?["statefulset.kubernetes.io/pod-name"] == "web-0"
        }
        #expect(try await env.pod("web-0")?.metadata.uid == uid)
        try await env.waitUntil("the update is recorded") {
            let updated = try await env.events(about: "StatefulSet", named: "web").filter { $0.reason == "SuccessfulUpdate" }
            return updated.compactMap(\.message) == ["update Pod web-0 in StatefulSet web successful"]
        }
        await env.stop()
    }

    @Test("SS-7: OrderedReady creates pod i only once 0…i-1 are Running and Ready; a terminating pod blocks those above it")
    func orderedReadyScaleUp() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 3, claims: false))
        try await env.waitUntil("web-0 exists") { try await env.podNames() == ["web-0"] }
        try await env.setPodStatus("web-0", phase: "Running", readySince: nil)
        try await env.waitForStatefulSet("the set saw web-0 running, not ready") { $0.replicas == 1 && $0.readyReplicas == nil }
        #expect(try await env.podNames() == ["web-0"], "web-1 waits for web-0 to be ready")

        try await env.runPod("web-0")
        try await env.waitUntil("web-1 exists") { try await env.pod("web-1") != nil }
        // web-1 terminates (bound, so gracefully) yet reports Running and Ready.
        try await env.bindPod("web-1", to: "node-1")
        try await env.api.delete(Pod.self, namespace: "default", name: "web-1")
        let terminating = try #require(try await env.pod("web-1"))
        try await env.setPodStatus("web-1", phase: "Running", readySince: env.clock.now().truncatedToSeconds)
        try await env.waitForStatefulSet("the set saw web-1 ready") { $0.readyReplicas == 2 }
        #expect(try await env.podNames() == ["web-0", "web-1"], "web-2 waits while web-1 terminates")

        try await env.finishDeletion(of: "web-1")
        try await env.waitUntil("web-1 is back") { try await env.pod("web-1").map { $0.metadata.uid != terminating.metadata.uid } ?? false }
        try await env.runPod("web-1")
        try await env.waitUntil("web-2 exists") { try await env.pod("web-2") != nil }
        await env.stop()
    }

    @Test("SS-8: OrderedReady scale-down deletes the highest ordinal first, each gone before the next")
    func orderedReadyScaleDown() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 3, claims: false))
        try await env.runPods(["web-0", "web-1", "web-2"])
        for name in ["web-0", "web-1", "web-2"] { try await env.bindPod(name, to: "node-1") }
        try await env.waitForStatefulSet("three ready") { $0.readyReplicas == 3 }

        try await env.scaleStatefulSet(to: 1)
        try await env.waitUntil("web-2 is terminating") { try await env.pod("web-2")?.metadata.deletionTimestamp != nil }
        try await env.waitForStatefulSet("the scale-down was seen") { _ in true }
        #expect(try await env.pod("web-1")?.metadata.deletionTimestamp == nil, "web-1 waits until web-2 is gone")

        try await env.finishDeletion(of: "web-2")
        try await env.waitUntil("web-1 is terminating") { try await env.pod("web-1")?.metadata.deletionTimestamp != nil }
        try await env.finishDeletion(of: "web-1")
        try await env.waitForStatefulSet("one replica") { $0.replicas == 1 }
        #expect(try await env.podNames() == ["web-0"])
        await env.stop()
    }

    @Test("SS-8: scale-down waits while a pod is unhealthy, unless the condemned pod is the first unhealthy one")
    func scaleDownBlockedByUnhealthy() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 3, claims: false))
        try await env.runPods(["web-0", "web-1", "web-2"])
        try await env.waitForStatefulSet("three ready") { $0.readyReplicas == 3 }
        try await env.setPodStatus("web-0", phase: "Running", readySince: nil)
        try await env.waitForStatefulSet("web-0 unready") { $0.readyReplicas == 2 }
        try await env.scaleStatefulSet(to: 2)
        try await env.waitForStatefulSet("the scale-down was seen") { _ in true }
        #expect(try await env.pod("web-2") != nil, "web-0 is unhealthy, so web-2 stays")

        try await env.setPodStatus("web-2", phase: "Running", readySince: nil)
        try await env.waitForStatefulSet("web-2 unready too") { $0.readyReplicas == 1 }
        #expect(try await env.pod("web-2") != nil)
        try await env.runPod("web-0")
        try await env.waitUntil("web-2, now the first unhealthy pod, is deleted") { try await env.pod("web-2") == nil }
        await env.stop()
    }

    @Test("SS-9: Parallel creates and deletes without waiting")
    func parallelScaling() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 4, parallel: true, claims: false))
        try await env.waitUntil("all four exist, none ready") { try await env.podNames() == ["web-0", "web-1", "web-2", "web-3"] }
        try await env.scaleStatefulSet(to: 1)
        try await env.waitUntil("three deleted at once") { try await env.podNames() == ["web-0"] }
        await env.stop()
    }

    @Test("SS-10: a StatefulSet being deleted only has its status updated")
    func deletingSetOnlyUpdatesStatus() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        var set = StatefulSetFixtures.web(replicas: 2, parallel: true, claims: false)
        set.metadata.finalizers = ["example.com/hold"]
        _ = try await env.api.create(set)
        try await env.waitForStatefulSet("two pods") { $0.replicas == 2 }
        try await env.api.delete(StatefulSet.self, namespace: "default", name: "web")
        try await env.api.delete(Pod.self, namespace: "default", name: "web-1")
        try await env.waitForStatefulSet("the status shows one pod") { $0.replicas == 1 }
        #expect(try await env.podNames() == ["web-0"], "nothing is recreated")
        await env.stop()
    }
}
