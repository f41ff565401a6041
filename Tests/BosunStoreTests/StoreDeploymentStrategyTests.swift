import BosunKit
import BosunStore
import Testing

/// What the apps/v1 Deployment strategy adds to the generic update rules, which the
/// deployment controller relies on.
@Suite("Store: Deployment strategy")
struct StoreDeploymentStrategyTests {
    @Test("an annotation change bumps a Deployment's generation; a label change does not")
    func annotationsBumpGeneration() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        var annotated = created.unstructured()
        annotated.annotations["kubernetes.io/change-cause"] = "first"
        let afterAnnotation = try await store.update(deployments, object: annotated)
        #expect(afterAnnotation.meta["generation"] == 2)
        var labelled = afterAnnotation.unstructured()
        labelled.labels["team"] = "a"
        let afterLabel = try await store.update(deployments, object: labelled)
        #expect(afterLabel.meta["generation"] == 2)
        // ConfigMaps have no generation to bump.
        var map = try await store.create(configMaps, object: configMap("c")).unstructured()
        map.annotations["a"] = "b"
        #expect(try await store.update(configMaps, object: map).meta["generation"] == nil)
    }

    @Test("a Deployment's /status writes its annotations but neither labels nor spec, and does not bump the generation")
    func statusWritesAnnotations() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        var write = created.unstructured()
        write.annotations["deployment.kubernetes.io/revision"] = "1"
        write.labels["team"] = "a"
        write.object["spec"]?["replicas"] = 7
        write.object["status"] = ["observedGeneration": 1, "replicas": 1]
        let written = try await store.update(deployments, object: write, subresource: "status")
        let result = written.unstructured()
        #expect(result.annotations["deployment.kubernetes.io/revision"] == "1")
        #expect(result.labels["team"] == nil)
        #expect(result[path: "spec", "replicas"] == 1)
        #expect(result[path: "status", "replicas"] == 1)
        #expect(written.meta["generation"] == 1)
    }

    @Test("a ReplicaSet's /status keeps the stored metadata")
    func otherKindsKeepMetadataOnStatus() async throws {
        let store = try await makeStore()
        let replicaSets = GroupResource(group: "apps", resource: "replicasets")
        let labels = ["app": "web"]
        let created = try await store.create(replicaSets, object: UnstructuredObject(ReplicaSet(
            metadata: ObjectMeta(name: "web-1", namespace: "default"),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: labels), replicas: 1, template: PodTemplateSpec(
                metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))))))
        var write = created.unstructured()
        write.annotations["x"] = "y"
        write.object["status"] = ["replicas": 1]
        let written = try await store.update(replicaSets, object: write, subresource: "status")
        #expect(written.unstructured().annotations["x"] == nil)
        #expect(written.unstructured()[path: "status", "replicas"] == 1)
    }

    @Test("Deployment status writes are validated as upstream's ValidateDeploymentStatusUpdate")
    func statusValidation() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        var first = created.unstructured()
        first.object["status"] = ["replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "collisionCount": 2]
        let valid = try await store.update(deployments, object: first, subresource: "status")

        var bad = valid.unstructured()
        bad.object["status"] = ["replicas": 1, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 2,
                                "unavailableReplicas": -1, "collisionCount": 1]
        do {
            try await store.update(deployments, object: bad, subresource: "status")
            Issue.record("expected Invalid")
        } catch {
            #expect(error.code == 422)
            let message = error.message
            #expect(message.contains("status.unavailableReplicas: Invalid value: -1: must be greater than or equal to 0"))
            #expect(message.contains("status.updatedReplicas: Invalid value: 2: cannot be greater than status.replicas"))
            #expect(message.contains("status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas"))
            #expect(message.contains("status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"))
            #expect(message.contains("status.collisionCount: Invalid value: 1: cannot be decremented"))
            #expect(!message.contains("status.readyReplicas"))
        }
    }
}
