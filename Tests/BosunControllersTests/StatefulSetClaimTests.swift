import BosunControllers
import BosunRuntime
import Testing

/// The StatefulSet controller's claims: SS-3 and SS-17 … SS-20 (`k8s-workload-semantics.md` §4).
@Suite("StatefulSet: claims")
struct StatefulSetClaimTests {
    private func ownerKinds(_ claim: PersistentVolumeClaim?) -> [String] {
        (claim?.metadata.ownerReferences ?? []).map { "\($0.kind)/\($0.name)" }
    }

    @Test("SS-3: claim <template>-<set>-<ordinal> is created before the pod, labelled with the selector, and mounted")
    func claimsPerPod() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 2))
        try await env.runPods(["web-0", "web-1"])
        for ordinal in 0..<2 {
            let claim = try #require(try await env.claim("www-web-\(ordinal)"))
            #expect(claim.metadata.labels == ["app": "nginx"])
            #expect(claim.spec.resources?.requests?["storage"] == "1Gi")
            #expect(claim.spec.accessModes == ["ReadWriteOnce"])
            #expect(claim.metadata.ownerReferences == nil, "Retain keeps claims unowned")
            let pod = try #require(try await env.pod("web-\(ordinal)"))
            let volume = try #require(pod.spec.volumes?.first { $0.name == "www" })
            #expect(volume.persistentVolumeClaim?.claimName == "www-web-\(ordinal)")
            #expect(claim.metadata.creationTimestamp! <= pod.metadata.creationTimestamp!)
        }
        let events = try await env.events(about: "StatefulSet", named: "web").compactMap(\.message)
        #expect(events.contains("create Claim www-web-0 Pod web-0 in StatefulSet web success"))
        let claimEvent = events.firstIndex(of: "create Claim www-web-0 Pod web-0 in StatefulSet web success")!
        let podEvent = try #require(events.firstIndex(of: "create Pod web-0 in StatefulSet web successful"))
        #expect(claimEvent < podEvent)
        await env.stop()
    }

    @Test("SS-3: a pending pod whose claim is missing gets it created")
    func pendingPodGetsMissingClaim() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1))
        try await env.waitUntil("web-0 exists") { try await env.pod("web-0") != nil }
        let first = try #require(try await env.claim("www-web-0"))
        let claims = env.manager.informer(for: PersistentVolumeClaim.self)
        defer { claims.release() }
        try await env.api.delete(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0")
        try await env.waitUntil("the controller's cache has seen the delete") {
            claims.informer.get(ObjectName(namespace: "default", name: "www-web-0"))?.metadata.uid != first.metadata.uid
        }
        // Nothing watches for the missing claim: the pod's next change wakes the set.
        try await env.setPodStatus("web-0", phase: "Pending")
        try await env.waitUntil("the claim is back") { try await env.claim("www-web-0").map { $0.metadata.uid != first.metadata.uid } ?? false }
        await env.stop()
    }

    @Test("SS-17: whenDeleted Delete makes the set the claims' controller")
    func whenDeletedDelete() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let set = try await env.api.create(StatefulSetFixtures.web(replicas: 1, retention: ("Delete", "Retain")))
        try await env.runPod("web-0")
        try await env.waitUntil("the claim is owned by the set") { try await ownerKinds(env.claim("www-web-0")) == ["StatefulSet/web"] }
        let ref = try #require(try await env.claim("www-web-0")?.metadata.ownerReferences?.first)
        #expect(ref.uid == set.metadata.uid && ref.controller == true && ref.blockOwnerDeletion == true && ref.apiVersion == "apps/v1")
        await env.stop()
    }

    @Test("SS-18: whenScaled Delete makes a condemned pod its claims' controller before it is deleted")
    func whenScaledDelete() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 2, retention: ("Retain", "Delete")))
        try await env.runPods(["web-0", "web-1"])
        try await env.bindPod("web-1", to: "node-1")
        #expect(try await ownerKinds(env.claim("www-web-1")) == [], "in range, no owner")
        let pod = try #require(try await env.pod("web-1"))

        try await env.scaleStatefulSet(to: 1)
        try await env.waitUntil("web-1 is terminating") { try await env.pod("web-1")?.metadata.deletionTimestamp != nil }
        let claim = try #require(try await env.claim("www-web-1"))
        #expect(ownerKinds(claim) == ["Pod/web-1"])
        #expect(claim.metadata.ownerReferences?.first?.uid == pod.metadata.uid)
        #expect(try await ownerKinds(env.claim("www-web-0")) == [], "the claim of a pod in range stays unowned")
        await env.stop()
    }

    @Test("SS-17/18: Delete/Delete: the set owns claims in range, the pod owns a condemned one's")
    func deleteDelete() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 2, retention: ("Delete", "Delete")))
        try await env.runPods(["web-0", "web-1"])
        try await env.bindPod("web-1", to: "node-1")
        try await env.waitUntil("the set owns both claims") {
            let first = try await ownerKinds(env.claim("www-web-0"))
            let second = try await ownerKinds(env.claim("www-web-1"))
            return first == ["StatefulSet/web"] && second == ["StatefulSet/web"]
        }
        try await env.scaleStatefulSet(to: 1)
        try await env.waitUntil("web-1 is terminating") { try await env.pod("web-1")?.metadata.deletionTimestamp != nil }
        #expect(try await ownerKinds(env.claim("www-web-1")) == ["Pod/web-1"])
        #expect(try await ownerKinds(env.claim("www-web-0")) == ["StatefulSet/web"])
        await env.stop()
    }

    @Test("SS-19: switching back to Retain removes those ownerReferences")
    func retainRemovesReferences() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, retention: ("Delete", "Retain")))
        try await env.runPod("web-0")
        try await env.waitUntil("the set owns the claim") { try await ownerKinds(env.claim("www-web-0")) == ["StatefulSet/web"] }
        try await env.updateStatefulSet {
            $0.spec.persistentVolumeClaimRetentionPolicy = StatefulSetPersistentVolumeClaimRetentionPolicy(whenDeleted: "Retain", whenScaled: "Retain")
        }
        try await env.waitUntil("the reference is gone") { try await ownerKinds(env.claim("www-web-0")) == [] }
        await env.stop()
    }

    @Test("SS-20: a pod replaced for any other reason reuses its claim")
    func replacementReusesClaim() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, retention: ("Delete", "Delete")))
        try await env.runPod("web-0")
        let claim = try #require(try await env.claim("www-web-0"))
        let first = try #require(try await env.pod("web-0"))
        try await env.setPodStatus("web-0", phase: "Failed")
        try await env.waitUntil("web-0 is replaced") { try await env.pod("web-0").map { $0.metadata.uid != first.metadata.uid } ?? false }
        try await env.runPod("web-0")
        #expect(try await env.claim("www-web-0")?.metadata.uid == claim.metadata.uid)
        #expect(try await env.pod("web-0")?.spec.volumes?.first { $0.name == "www" }?.persistentVolumeClaim?.claimName == "www-web-0")
        await env.stop()
    }
}
