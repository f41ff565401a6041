import BosunControllers
import BosunRuntime
import Testing

/// What the store's admission does to ReplicaSets and ReplicationControllers before the
/// controller sees them (kube-apiserver's defaulting and validation).
@Suite("ReplicaSet: admission")
struct ReplicaSetAdmissionTests {
    func invalid(_ body: () async throws -> Void) async -> APIError? {
        do {
            try await body()
            return nil
        } catch let error as APIError {
            return error
        } catch {
            return nil
        }
    }

    @Test("a ReplicaSet needs a non-empty selector that matches its template, and defaults to one replica")
    func replicaSetSelector() async throws {
        let env = try await TestEnvironment.start()
        let mismatch = await invalid {
            _ = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1, templateLabels: ["app": "db"]))
        }
        #expect(mismatch?.code == 422)
        #expect(mismatch?.message.contains(#"spec.template.metadata.labels: Invalid value: map[string]string{"app":"db"}: `selector` does not match template `labels`"#) == true)

        let empty = await invalid {
            _ = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1, selector: [:]))
        }
        #expect(empty?.code == 422)
        #expect(empty?.message.contains("empty selector is invalid for deployment") == true)

        var rs = ReplicaSetFixtures.replicaSet(replicas: 1)
        rs.spec.replicas = nil
        let created = try await env.api.create(rs)
        #expect(created.spec.replicas == 1)
        #expect(created.spec.template?.spec?.restartPolicy == "Always")
        await env.stop()
    }

    @Test("an apps/v1 ReplicaSet's selector is immutable")
    func replicaSetSelectorImmutable() async throws {
        let env = try await TestEnvironment.start()
        var rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        rs.spec.selector = LabelSelector(matchLabels: ["app": "web", "tier": "front"])
        rs.spec.template?.metadata?.labels = ["app": "web", "tier": "front"]
        let error = await invalid { _ = try await env.api.update(rs) }
        #expect(error?.code == 422)
        #expect(error?.message.contains("spec.selector: Invalid value") == true && error?.message.contains("field is immutable") == true)
        await env.stop()
    }

    @Test("a status write is validated: counts non-negative, none above replicas, available not above ready")
    func statusValidation() async throws {
        let env = try await TestEnvironment.start()
        var rs = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 3))
        rs.status = ReplicaSetStatus(replicas: 2, availableReplicas: 2, readyReplicas: 1)
        let tooAvailable = await invalid { _ = try await env.api.updateStatus(rs) }
        #expect(tooAvailable?.code == 422)
        #expect(tooAvailable?.message == #"ReplicaSet.apps "web" is invalid: status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"#)
        rs.status = ReplicaSetStatus(replicas: 1, fullyLabeledReplicas: 2)
        let tooLabeled = await invalid { _ = try await env.api.updateStatus(rs) }
        #expect(tooLabeled?.message.contains("status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas") == true)
        rs.status = ReplicaSetStatus(replicas: 3, availableReplicas: 1, fullyLabeledReplicas: 3, observedGeneration: 1, readyReplicas: 2)
        #expect(try await env.api.updateStatus(rs).status.readyReplicas == 2)

        var rc = try await env.api.create(ReplicationController(
            metadata: ObjectMeta(name: "web", namespace: "default"), spec: ReplicationControllerSpec(template: ReplicaSetFixtures.template())))
        rc.status = ReplicationControllerStatus(replicas: -1)
        let negative = await invalid { _ = try await env.api.updateStatus(rc) }
        #expect(negative?.message.contains("status.replicas: Invalid value: -1: must be greater than or equal to 0") == true)
        await env.stop()
    }

    @Test("a ReplicationController's selector and labels default to its template's labels; it must match them; it may change")
    func replicationControllerSelector() async throws {
        let env = try await TestEnvironment.start()
        let rc = try await env.api.create(ReplicationController(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: ReplicationControllerSpec(template: ReplicaSetFixtures.template(labels: ["app": "web", "tier": "front"]))))
        #expect(rc.spec.selector == ["app": "web", "tier": "front"])
        #expect(rc.metadata.labels == ["app": "web", "tier": "front"])
        #expect(rc.spec.replicas == 1)

        let mismatch = await invalid {
            _ = try await env.api.create(ReplicationController(
                metadata: ObjectMeta(name: "bad", namespace: "default"),
                spec: ReplicationControllerSpec(selector: ["app": "db"], template: ReplicaSetFixtures.template())))
        }
        #expect(mismatch?.code == 422)
        #expect(mismatch?.message.contains("`selector` does not match template `labels`") == true)

        let noTemplate = await invalid {
            _ = try await env.api.create(ReplicationController(
                metadata: ObjectMeta(name: "empty", namespace: "default"), spec: ReplicationControllerSpec(selector: ["app": "web"])))
        }
        #expect(noTemplate?.message.contains("spec.template: Required value") == true)

        // Unlike apps/v1, core/v1 lets the selector change.
        var narrowed = rc
        narrowed.spec.selector = ["app": "web"]
        let updated = try await env.api.update(narrowed)
        #expect(updated.spec.selector == ["app": "web"])
        await env.stop()
    }
}
