import BosunControllers
import BosunRuntime
import Synchronization
import Testing

/// The ReplicaSet controller against the behaviours RS-1 … RS-11 of the workload checklist
/// (`k8s-workload-semantics.md` §2). Pod status is written by the test, as a kubelet would.
@Suite("ReplicaSet")
struct ReplicaSetTests {
    @Test("RS-1: missing pods are created from the template, named <rs>-…, controlled by the ReplicaSet, with events")
    func createsMissingPods() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 3))
        try await env.waitForReplicas(3)

        let pods = try await env.pods(controlledBy: rs)
        #expect(pods.count == 3)
        for pod in pods {
            #expect(pod.name.hasPrefix("web-") && pod.name.count == "web-".count + 5)
            #expect(pod.metadata.generateName == "web-")
            #expect(pod.metadata.labels == ["app": "web"])
            #expect(pod.spec.containers.map(\.image) == ["nginx:1.14.2"])
            let ref = try #require(pod.metadata.ownerReferences?.first)
            #expect(pod.metadata.ownerReferences?.count == 1)
            #expect(ref.apiVersion == "apps/v1" && ref.kind == "ReplicaSet" && ref.name == "web" && ref.uid == rs.metadata.uid)
            #expect(ref.controller == true && ref.blockOwnerDeletion == true)
        }
        let created = try await env.events(about: "ReplicaSet", named: "web").filter { $0.reason == "SuccessfulCreate" }
        #expect(Set(created.compactMap(\.message)) == Set(pods.map { "Created pod: \($0.name)" }))
        #expect(created.allSatisfy { $0.type == "Normal" })

        let status = try await env.replicaSet().status
        #expect(status.replicas == 3 && status.fullyLabeledReplicas == 3 && status.observedGeneration == 1)
        #expect(status.readyReplicas == nil && status.availableReplicas == nil, "nothing is ready yet")
        await env.stop()
    }

    @Test("RS-1: at most 500 creates per sync; the next batch waits until the informer has seen them (expectations)")
    func burstAndExpectations() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        // At the 501st create, count what the controllers' pod cache holds: with the burst limit
        // and expectations it is every one of the first 500.
        let watcher = env.manager.informer(for: Pod.self)
        defer { watcher.release() }
        let probe = CreateProbe(at: 501) { watcher.informer.count }
        try env.store.register(validating: probe)
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 600))
        // 600 pods through admission in a debug build: on a loaded machine this takes a while.
        try await env.waitForReplicas(600, limit: .seconds(120))
        #expect(probe.observed == 500, "the second sync started only once all 500 pods of the first were seen")
        #expect(try await env.pods(controlledBy: rs).count == 600)
        await env.stop()
    }

    @Test("RS-2: surplus pods are deleted, with events")
    func deletesSurplusPods() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        var rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 3))
        try await env.waitForReplicas(3)
        let before = Set(try await env.pods(controlledBy: rs).map(\.name))

        rs = try await env.replicaSet()
        rs.spec.replicas = 1
        _ = try await env.api.update(rs)
        try await env.waitForReplicas(1)
        let after = Set(try await env.pods(controlledBy: rs).map(\.name))
        #expect(after.count == 1 && after.isSubset(of: before))
        let deleted = try await env.events(about: "ReplicaSet", named: "web").filter { $0.reason == "SuccessfulDelete" }
        #expect(Set(deleted.compactMap(\.message)) == Set(before.subtracting(after).map { "Deleted pod: \($0)" }))
        #expect(try await env.replicaSet().status.observedGeneration == 2)
        await env.stop()
    }

    @Test("RS-3: a terminating pod does not count; its replacement is created at once")
    func terminatingPodIsReplaced() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        try await env.waitForReplicas(2)
        let victim = try await env.pods(controlledBy: rs)[0].name
        try await env.bindPod(victim, to: "node-1")
        // On a node, a delete is graceful: the pod stays, Terminating, for its grace period.
        try await env.api.delete(Pod.self, namespace: "default", name: victim)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: victim).metadata.deletionTimestamp != nil)

        try await env.waitForReplicas(2, "a replacement is running beside the terminating pod")
        let pods = try await env.pods(controlledBy: rs)
        #expect(pods.count == 3)
        #expect(pods.filter { $0.metadata.deletionTimestamp != nil }.map(\.name) == [victim])
        // The sync that created the replacement may still be writing the status it computed
        // before (1); what settles is 2, where counting the terminating pod would give 3.
        try await env.waitUntil("the status counts the replacement, not the terminating pod") {
            try await env.replicaSet().status.replicas == 2
        }
        await env.stop()
    }

    @Test("RS-4: Succeeded and Failed pods do not count and are replaced, but not deleted")
    func finishedPodsAreReplacedNotDeleted() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 3))
        try await env.waitForReplicas(3)
        let pods = try await env.pods(controlledBy: rs)
        try await env.setPodStatus(pods[0].name, phase: "Succeeded")
        try await env.setPodStatus(pods[1].name, phase: "Failed")

        try await env.waitUntil("two replacements run") { try await env.activePods(controlledBy: rs).count == 3 }
        try await env.waitForReplicas(3)
        let all = try await env.pods(controlledBy: rs)
        #expect(all.count == 5, "the finished pods stay")
        #expect(Set(all.compactMap(\.status.phase)) == ["Succeeded", "Failed", "Pending"])
        await env.stop()
    }

    @Test("RS-5: a matching orphan is adopted and counts; other pods are left alone")
    func adoptsMatchingOrphans() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers { env in
            _ = try await env.api.create(ReplicaSetFixtures.pod("orphan"))
            _ = try await env.api.create(ReplicaSetFixtures.pod("stranger", labels: ["app": "db"]))
            // A pod both selectors match, controlled by the other ReplicaSet.
            let other = try await env.api.create(ReplicaSetFixtures.replicaSet(
                "other", replicas: 1, selector: ["owner": "other"], templateLabels: ["app": "web", "owner": "other"]))
            _ = try await env.api.create(ReplicaSetFixtures.pod("taken", labels: ["app": "web", "owner": "other"], owner: other.controllerReference))
            _ = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        }
        let rs = try await env.replicaSet()
        let other = try await env.replicaSet("other")
        try await env.waitForReplicas(1, of: "other")
        try await env.waitForReplicas(2)
        let pods = try await env.pods(controlledBy: rs)
        #expect(pods.count == 2)
        #expect(pods.contains { $0.name == "orphan" }, "the orphan counts, so only one pod was created")
        let adopted = try await env.api.get(Pod.self, namespace: "default", name: "orphan")
        let ref = try #require(adopted.metadata.ownerReferences?.first)
        #expect(ref.uid == rs.metadata.uid && ref.controller == true && ref.blockOwnerDeletion == true && ref.kind == "ReplicaSet")
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "stranger").metadata.ownerReferences == nil)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "taken").isControlled(by: other),
                "a pod another object controls is not taken, even when it matches")
        await env.stop()
    }

    @Test("RS-6: a pod whose labels stop matching is released and replaced")
    func releasesPodsThatStopMatching() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        try await env.waitForReplicas(2)
        var pod = try await env.pods(controlledBy: rs)[0]
        pod.metadata.labels = ["app": "debug"]
        _ = try await env.api.update(pod)

        let name = pod.name
        try await env.waitUntil("the pod is released") {
            try await env.api.get(Pod.self, namespace: "default", name: name).metadata.ownerReferences?.isEmpty ?? true
        }
        try await env.waitForReplicas(2)
        let owned = try await env.pods(controlledBy: rs)
        #expect(owned.count == 2 && !owned.contains { $0.name == pod.name }, "a replacement took its place")
        await env.stop()
    }

    @Test("RS-7: a failed create sets ReplicaFailure=True/FailedCreate after one attempt; a clean sync removes it")
    func failedCreateCondition() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let refusal = PodRefusal(.create)
        try env.store.register(validating: refusal)
        // Later syncs try again (the status write wakes the ReplicaSet); what one sync tried
        // shows when it writes the condition.
        let probe = StatusWriteProbe { status in status.conditions?.contains { $0.type == "ReplicaFailure" } == true } read: {
            refusal.attempts
        }
        try env.store.register(validating: probe)
        _ = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 5))
        try await env.waitUntil("ReplicaFailure is set") {
            try await env.replicaSet().status.conditions?.contains { $0.type == "ReplicaFailure" } == true
        }
        let condition = try #require(try await env.replicaSet().status.conditions?.first)
        #expect(condition.status == "True" && condition.reason == "FailedCreate")
        #expect(condition.message == #"admission webhook "refuse-pods" denied the request: pods are not allowed now"#)
        #expect(probe.observed == 1, "slow start stops after the first batch fails")
        let failed = try await env.events(about: "ReplicaSet", named: "web").filter { $0.reason == "FailedCreate" }
        #expect(failed.first?.type == "Warning")
        #expect(failed.first?.message == #"Error creating: admission webhook "refuse-pods" denied the request: pods are not allowed now"#)

        refusal.refusing = false
        try await env.waitUntil("the pods are created and the condition is gone") {
            env.passBackoff()
            let rs = try await env.replicaSet()
            return rs.status.replicas == 5 && rs.status.conditions == nil
        }
        await env.stop()
    }

    @Test("RS-7: a failed delete sets ReplicaFailure=True/FailedDelete")
    func failedDeleteCondition() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        var rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        try await env.waitForReplicas(2)
        let refusal = PodRefusal(.delete)
        try env.store.register(validating: refusal)
        rs = try await env.replicaSet()
        rs.spec.replicas = 1
        _ = try await env.api.update(rs)
        try await env.waitUntil("ReplicaFailure is set") {
            try await env.replicaSet().status.conditions?.first?.reason == "FailedDelete"
        }
        #expect(try await env.replicaSet().status.conditions?.first?.status == "True")
        let failed = try await env.events(about: "ReplicaSet", named: "web").filter { $0.reason == "FailedDelete" }
        #expect(failed.first?.message?.hasPrefix("Error deleting: admission webhook \"refuse-pods\" denied the request") == true)

        refusal.refusing = false
        try await env.waitUntil("the pod is deleted and the condition is gone") {
            env.passBackoff()
            let rs = try await env.replicaSet()
            return rs.status.replicas == 1 && rs.status.conditions == nil
        }
        await env.stop()
    }

    @Test("RS-8: status counts fully labeled, ready and available pods; availability honours minReadySeconds")
    func statusCounts() async throws {
        // The template carries a label the selector does not; an adopted orphan without it is
        // not fully labeled.
        let env = try await TestEnvironment.withReplicaSetControllers { env in
            _ = try await env.api.create(ReplicaSetFixtures.pod("plain"))
            _ = try await env.api.create(ReplicaSetFixtures.replicaSet(
                replicas: 3, templateLabels: ["app": "web", "tier": "front"], minReadySeconds: 10))
        }
        let rs = try await env.replicaSet()
        try await env.waitForReplicas(3)
        #expect(try await env.replicaSet().status.fullyLabeledReplicas == 2)

        let start = env.clock.now().truncatedToSeconds
        for pod in try await env.pods(controlledBy: rs) {
            try await env.setPodStatus(pod.name, phase: "Running", readySince: start)
        }
        try await env.waitUntil("three pods are ready, none available yet") {
            let status = try await env.replicaSet().status
            return status.readyReplicas == 3 && status.availableReplicas == nil
        }
        // Available only once ready for strictly longer than minReadySeconds. No event marks
        // that moment: the controller requeued itself for it.
        // At exactly 10 s, a sync (woken by a template edit) still finds none available.
        env.clock.advance(by: .seconds(10))
        var edited = try await env.replicaSet()
        edited.spec.template?.metadata?.annotations = ["note": "edited"]
        _ = try await env.api.update(edited)
        try await env.waitUntil("the edit is observed") { try await env.replicaSet().status.observedGeneration == 2 }
        #expect(try await env.replicaSet().status.availableReplicas == nil, "exactly 10 s is not more than 10 s")
        env.clock.advance(by: .seconds(1))
        try await env.waitUntil("all three are available") { try await env.replicaSet().status.availableReplicas == 3 }
        await env.stop()
    }

    @Test("RS-9: a ReplicaSet being deleted only has its status updated")
    func deletingReplicaSetOnlyUpdatesStatus() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        try await env.waitForReplicas(2)
        // Foreground deletion keeps the ReplicaSet (with a finalizer) until its pods are gone;
        // no garbage collector runs here, so it stays.
        try await env.api.delete(ReplicaSet.self, namespace: "default", name: "web", options: DeleteOptions(propagationPolicy: "Foreground"))
        try await env.waitUntil("the controllers' cache shows the deletion") {
            try await env.client.get(ReplicaSet.self, namespace: "default", name: "web").metadata.deletionTimestamp != nil
        }
        let pods = try await env.pods(controlledBy: rs)
        try await env.api.delete(Pod.self, namespace: "default", name: pods[0].name)
        _ = try await env.api.create(ReplicaSetFixtures.pod("orphan"))

        try await env.waitUntil("the status shows one pod") { try await env.replicaSet().status.replicas == 1 }
        #expect(try await env.pods(controlledBy: rs).map(\.name) == [pods[1].name], "nothing was created")
        #expect(try await env.api.get(Pod.self, namespace: "default", name: "orphan").metadata.ownerReferences == nil,
                "nothing is adopted by a ReplicaSet being deleted")
        await env.stop()
    }

    @Test("RS-10: a template change leaves existing pods alone")
    func templateChangeKeepsPods() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        try await env.waitForReplicas(2)
        let before = try await env.pods(controlledBy: rs)

        var changed = try await env.replicaSet()
        changed.spec.template?.spec?.containers[0].image = "nginx:1.16.1"
        _ = try await env.api.update(changed)
        try await env.waitUntil("generation 2 is observed") { try await env.replicaSet().status.observedGeneration == 2 }
        let after = try await env.pods(controlledBy: rs)
        #expect(after.map(\.name) == before.map(\.name))
        #expect(after.map(\.metadata.resourceVersion) == before.map(\.metadata.resourceVersion), "not even touched")
        #expect(after.allSatisfy { $0.spec.containers[0].image == "nginx:1.14.2" })
        await env.stop()
    }

    @Test("RS-11: deleting a ReplicaSet with no options is background: it goes at once and its pods are left to the GC")
    func defaultDeletionIsBackground() async throws {
        let env = try await TestEnvironment.withReplicaSetControllers()
        let rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 2))
        try await env.waitForReplicas(2)
        let result = try await env.api.delete(ReplicaSet.self, namespace: "default", name: "web")
        guard case .deleted = result else {
            Issue.record("an apps/v1 ReplicaSet deleted without options is removed at once")
            return
        }
        // The controller sees it gone and touches nothing; the pods still point at it for the
        // garbage collector (which this environment does not run).
        let pod = try await env.api.create(ReplicaSetFixtures.pod("late"))
        for _ in 0..<200 { await Task.yield() }
        #expect(try await env.pods(controlledBy: rs).count == 2)
        #expect(try await env.api.get(Pod.self, namespace: "default", name: pod.name).metadata.ownerReferences == nil)
        await env.stop()
    }
}

/// Runs `read` when the `at`-th pod create reaches admission, and keeps what it returned.
final class CreateProbe: ValidatingAdmissionHook {
    let name = "create-probe"
    private let at: Int
    private let read: @Sendable () -> Int
    private let state = Mutex((creates: 0, observed: Int?.none))

    init(at: Int, read: @escaping @Sendable () -> Int) {
        self.at = at
        self.read = read
    }

    var observed: Int? { state.withLock { $0.observed } }

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.resource.resource == "pods" && request.operation == .create
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        let reached = state.withLock { s -> Bool in
            s.creates += 1
            return s.creates == at
        }
        if reached {
            let count = read()
            state.withLock { $0.observed = count }
        }
    }
}

/// Runs `read` when a ReplicaSet's status is first written in a state `matches` accepts, and
/// keeps what it returned.
final class StatusWriteProbe: ValidatingAdmissionHook {
    let name = "status-write-probe"
    private let matches: @Sendable (ReplicaSetStatus) -> Bool
    private let read: @Sendable () -> Int
    private let state = Mutex(Int?.none)

    init(_ matches: @escaping @Sendable (ReplicaSetStatus) -> Bool, read: @escaping @Sendable () -> Int) {
        self.matches = matches
        self.read = read
    }

    var observed: Int? { state.withLock { $0 } }

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.resource.resource == "replicasets" && request.subresource == "status"
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        guard let object = request.object, let rs = try? ReplicaSet(json: .object(object.object)), matches(rs.status) else { return }
        let value = read()
        state.withLock { if $0 == nil { $0 = value } }
    }
}
