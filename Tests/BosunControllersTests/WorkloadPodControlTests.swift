import BosunControllers
import BosunRuntime
import Testing

@Suite("Workload: pod control")
struct WorkloadPodControlTests {
    @Test("a pod from a template carries its labels, annotations, finalizers and spec, named after its owner")
    func podFromTemplate() {
        let template = PodTemplateSpec(
            metadata: ObjectMeta(annotations: ["a": "1"], finalizers: ["example.com/keep"], labels: ["app": "web"], name: "ignored"),
            spec: PodSpec(containers: [Container(name: "web", image: "nginx")], restartPolicy: "Always"))
        let ref = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "u", blockOwnerDeletion: true, controller: true)
        let pod = PodControl.pod(from: template, namespace: "default", ownerName: "web", controllerRef: ref)
        #expect(pod.metadata.generateName == "web-" && pod.metadata.name == nil && pod.metadata.namespace == "default")
        #expect(pod.metadata.labels == ["app": "web"] && pod.metadata.annotations == ["a": "1"])
        #expect(pod.metadata.finalizers == ["example.com/keep"])
        #expect(pod.metadata.ownerReferences == [ref])
        #expect(pod.spec == template.spec)
        #expect(PodControl.generateNamePrefix(for: String(repeating: "a", count: 253)).count == 253, "no room for the dash")
    }

    @Test("creating and deleting record Kubernetes' events on the owner; a terminating namespace's refusal carries its cause")
    func events() async throws {
        let env = try await TestEnvironment.start()
        let owner = try await env.api.create(ReplicaSetFixtures.replicaSet(replicas: 1))
        let control = PodControl(client: env.client, events: env.manager.events)
        let pod = try await control.createPod(from: ReplicaSetFixtures.template(), owner: owner, controllerRef: owner.controllerReference)
        try await control.deletePod(named: pod.name, owner: owner)
        await #expect(throws: APIError.self) { try await control.deletePod(named: pod.name, owner: owner) }
        await #expect(throws: PodControlError.noLabels) {
            try await control.createPod(from: ReplicaSetFixtures.template(labels: [:]), owner: owner, controllerRef: owner.controllerReference)
        }
        let events = try await env.events(about: "ReplicaSet", named: "web")
        #expect(events.map { "\($0.type ?? "") \($0.reason ?? ""): \($0.message ?? "")" }
            == ["Normal SuccessfulCreate: Created pod: \(pod.name)", "Normal SuccessfulDelete: Deleted pod: \(pod.name)"],
            "a pod already gone records nothing")

        // A terminating namespace refuses creates with a cause that marks it, which the
        // ReplicaSet controller takes as nothing to retry.
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "closing")))
        var closingOwner = ReplicaSetFixtures.replicaSet(replicas: 1)
        closingOwner.metadata.namespace = "closing"
        let stuck = try await env.api.create(closingOwner)
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(finalizers: ["example.com/hold"], name: "held", namespace: "closing")))
        try await env.api.delete(Namespace.self, namespace: nil, name: "closing")
        do {
            try await control.createPod(from: ReplicaSetFixtures.template(), owner: stuck, controllerRef: stuck.controllerReference)
            Issue.record("expected Forbidden")
        } catch let error as APIError {
            #expect(error.code == 403 && error.hasCause(APIError.namespaceTerminatingCause))
        }
        await env.stop()
    }
}
