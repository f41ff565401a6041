import BosunControllers
import BosunRuntime
import Testing

/// The controller-ref manager against the real store (no controllers running): what it claims,
/// and the patches it makes.
@Suite("Workload: controller-ref manager")
struct WorkloadControllerRefManagerTests {
    func pod(_ name: String, labels: [String: String] = ["app": "web"], namespace: String = "default", owner: OwnerReference? = nil) -> Pod {
        Pod(metadata: ObjectMeta(labels: labels, name: name, namespace: namespace, ownerReferences: owner.map { [$0] }),
            spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))
    }

    func manager(_ owner: ReplicaSet, _ env: TestEnvironment) throws -> ControllerRefManager<ReplicaSet, Pod> {
        ControllerRefManager(owner: owner, selector: try owner.spec.selector.compiled(), client: env.client)
    }

    func get(_ name: String, _ env: TestEnvironment, namespace: String = "default") async throws -> Pod {
        try await env.api.get(Pod.self, namespace: namespace, name: name)
    }

    @Test("keeps what it owns and matches, releases what stopped matching, adopts matching orphans, leaves the rest")
    func claimsAdoptsReleases() async throws {
        let env = try await TestEnvironment.start()
        let owner = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        let other = try await env.api.create(ReplicaSetFixtures.replicaSet("other", replicas: 1, selector: ["app": "db"], templateLabels: ["app": "db"]))
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "elsewhere")))
        var candidates = [
            try await env.api.create(pod("mine", owner: owner.controllerReference)),
            try await env.api.create(pod("strayed", labels: ["app": "debug"], owner: owner.controllerReference)),
            try await env.api.create(pod("orphan")),
            try await env.api.create(pod("unrelated", labels: ["app": "db"])),
            try await env.api.create(pod("others", owner: other.controllerReference)),
            try await env.api.create(pod("abroad", namespace: "elsewhere")),
        ]
        let leaving = try await env.api.create(pod("leaving"))
        try await env.bindPod("leaving", to: "n1")
        try await env.api.delete(Pod.self, namespace: "default", name: "leaving")
        candidates.append(try await get(leaving.name, env))

        let claimed = try await manager(owner, env).claim(candidates)
        #expect(claimed.map(\.name) == ["mine", "orphan"])

        let adopted = try #require(try await get("orphan", env).metadata.ownerReferences)
        #expect(adopted == [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: owner.metadata.uid ?? "",
                                           blockOwnerDeletion: true, controller: true)])
        let released = try await get("strayed", env).metadata.ownerReferences
        #expect(released == nil || released == [], "released: \(String(describing: released))")
        #expect(try await get("mine", env).metadata.resourceVersion == candidates[0].metadata.resourceVersion, "keeping takes no write")
        #expect(try await get("unrelated", env).metadata.ownerReferences == nil)
        #expect(try await get("others", env).isControlled(by: other))
        #expect(try await get("abroad", env, namespace: "elsewhere").metadata.ownerReferences == nil, "another namespace")
        #expect(try await get("leaving", env).metadata.ownerReferences == nil, "a pod being deleted is not adopted")
        await env.stop()
    }

    @Test("an owner being deleted keeps what it has but neither adopts nor releases")
    func ownerBeingDeleted() async throws {
        let env = try await TestEnvironment.start()
        var owner = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        let candidates = [
            try await env.api.create(pod("mine", owner: owner.controllerReference)),
            try await env.api.create(pod("strayed", labels: ["app": "debug"], owner: owner.controllerReference)),
            try await env.api.create(pod("orphan")),
        ]
        owner.metadata.deletionTimestamp = env.clock.now()
        let claimed = try await manager(owner, env).claim(candidates)
        #expect(claimed.map(\.name) == ["mine"])
        #expect(try await get("strayed", env).isControlled(by: owner))
        #expect(try await get("orphan", env).metadata.ownerReferences == nil)
        await env.stop()
    }

    @Test("before adopting, the owner is read again uncached: one deleted meanwhile, or replaced, adopts nothing")
    func rechecksOwner() async throws {
        let env = try await TestEnvironment.start()
        let stale = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        let mine = try await env.api.create(pod("mine", owner: stale.controllerReference))
        let orphans = [try await env.api.create(pod("orphan-1")), try await env.api.create(pod("orphan-2"))]

        // Deleted in the foreground: the API shows a deletionTimestamp the stale copy lacks.
        try await env.api.delete(ReplicaSet.self, namespace: "default", name: "web", options: DeleteOptions(propagationPolicy: "Foreground"))
        do {
            _ = try await manager(stale, env).claim([mine] + orphans)
            Issue.record("expected the adoptions to fail")
        } catch let error as ClaimError {
            #expect(error.errors.count == 2)
            #expect("\(error.errors[0])".hasPrefix("can't adopt Pod default/orphan-1 (\(orphans[0].metadata.uid ?? "")): default/web has just been deleted at "))
        }
        for orphan in orphans { #expect(try await get(orphan.name, env).metadata.ownerReferences == nil) }

        // Gone, and another ReplicaSet created under the name.
        var release = try await env.api.get(ReplicaSet.self, namespace: "default", name: "web")
        release.metadata.finalizers = nil
        _ = try await env.api.update(release)
        let replacement = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        do {
            _ = try await manager(stale, env).claim([orphans[0]])
            Issue.record("expected the adoption to fail")
        } catch let error as ClaimError {
            #expect("\(error)".hasSuffix("original ReplicaSet default/web is gone: got uid \(replacement.metadata.uid ?? ""), wanted \(stale.metadata.uid ?? "")"))
        }
        await env.stop()
    }

    @Test("releasing a child replaced under the same name changes nothing: its uid no longer matches")
    func releaseChecksChildUID() async throws {
        let env = try await TestEnvironment.start()
        let owner = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        let old = try await env.api.create(pod("p", labels: ["app": "debug"], owner: owner.controllerReference))
        try await env.api.delete(Pod.self, namespace: "default", name: "p")
        let new = try await env.api.create(pod("p", labels: ["app": "debug"], owner: owner.controllerReference))
        let claimed = try await manager(owner, env).claim([old])
        #expect(claimed.isEmpty)
        let now = try await get("p", env)
        #expect(now.metadata.uid == new.metadata.uid && now.isControlled(by: owner), "the new pod keeps its ownerReference")
        await env.stop()
    }

    @Test("finalizers come with the ownerReference on adoption and go with it on release")
    func finalizers() async throws {
        let env = try await TestEnvironment.start()
        let owner = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        var orphan = pod("orphan")
        orphan.metadata.finalizers = ["example.com/other"]
        let candidates = [try await env.api.create(orphan)]
        let tracking = ControllerRefManager<ReplicaSet, Pod>(
            owner: owner, selector: try owner.spec.selector.compiled(), client: env.client, finalizers: ["example.com/tracking"])
        _ = try await tracking.claim(candidates)
        var adopted = try await get("orphan", env)
        #expect(adopted.isControlled(by: owner))
        // Strategic merge puts a patch's new items before the server's, as upstream does.
        #expect(adopted.metadata.finalizers == ["example.com/tracking", "example.com/other"])

        adopted.metadata.labels = ["app": "debug"]
        adopted = try await env.api.update(adopted)
        #expect(try await tracking.claim([adopted]).isEmpty)
        let released = try await get("orphan", env)
        #expect(released.metadata.finalizers == ["example.com/other"] && released.controllerOwner == nil)
        await env.stop()
    }

    @Test("generic over kinds: a Deployment adopts a ReplicaSet; facts work as candidates")
    func otherKindsAndFacts() async throws {
        let env = try await TestEnvironment.start()
        let deployment = try await env.api.create(Deployment(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: DeploymentSpec(selector: LabelSelector(matchLabels: ["app": "web"]), template: ReplicaSetFixtures.template())))
        var unowned = ReplicaSetFixtures.replicaSet("web-1", replicas: 1)
        unowned.metadata.labels = ["app": "web"]
        let orphan = try await env.api.create(unowned)
        let manager = ControllerRefManager<Deployment, ReplicaSet>(
            owner: deployment, selector: try deployment.spec.selector.compiled(), client: env.client)
        #expect(try await manager.claim([orphan]).map(\.name) == ["web-1"])
        #expect(try await env.api.get(ReplicaSet.self, namespace: "default", name: "web-1").isControlled(by: deployment))

        let owner = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        let facts = [PodFacts(try await env.api.create(pod("a"))), PodFacts(try await env.api.create(pod("b", labels: ["app": "db"])))]
        #expect(try await self.manager(owner, env).claim(facts).map(\.name.name) == ["a"])
        #expect(try await get("a", env).isControlled(by: owner))
        await env.stop()
    }
}
