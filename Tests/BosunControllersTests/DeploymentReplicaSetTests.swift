@testable import BosunControllers
import BosunRuntime
import BosunStore
import Testing

@Suite("Deployment: its ReplicaSets")
struct DeploymentReplicaSetTests {
    @Test("D-8: the new ReplicaSet is <name>-<pod-template-hash>, labelled and selected by the hash, with the Deployment's annotations")
    func newReplicaSetShape() async throws {
        let h = try await DeploymentHarness.start()
        let annotations = ["kubernetes.io/change-cause": "first", "kubectl.kubernetes.io/last-applied-configuration": "{}"]
        try await h.create(nginxDeployment(minReadySeconds: 5, annotations: annotations))
        try await h.waitUntil("the ReplicaSet exists") { try await !h.replicaSets().isEmpty }
        let d = try await h.deployment()
        let rs = try await h.replicaSets()[0]
        let hash = PodTemplateHash.compute(d.spec.template, collisionCount: nil)
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        #expect(rs.name == "nginx-deployment-\(hash)")
        #expect(rs.metadata.labels == ["app": "nginx", "pod-template-hash": hash])
        #expect(rs.spec.selector.matchLabels == ["app": "nginx", "pod-template-hash": hash])
        #expect(rs.spec.template?.metadata?.labels == ["app": "nginx", "pod-template-hash": hash])
        #expect(rs.spec.template?.spec?.containers.map(\.image) == ["nginx:1.14.2"])
        #expect(rs.spec.minReadySeconds == 5)
        #expect(rs.spec.replicas == 3)
        let owner = try #require(rs.metadata.ownerReferences?.first)
        #expect(owner.kind == "Deployment" && owner.name == "nginx-deployment" && owner.uid == d.metadata.uid)
        #expect(owner.controller == true && owner.blockOwnerDeletion == true)
        #expect(rs.metadata.annotations == [
            "kubernetes.io/change-cause": "first",
            "deployment.kubernetes.io/revision": "1",
            "deployment.kubernetes.io/desired-replicas": "3",
            "deployment.kubernetes.io/max-replicas": "4",
        ], "last-applied is not copied")
        try await h.waitUntil("the Deployment has revision 1") {
            try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] == "1"
        }
        let progressing = try #require(try await h.condition("Progressing"))
        #expect(progressing.reason == "NewReplicaSetCreated" && progressing.status == "True")
        #expect(try await h.deployment().metadata.generation == 1, "the revision annotation is written with the status")
        await h.stop()
    }

    @Test("the pod-template-hash is FNV-32a of the template and the collision count, safe-encoded")
    func hash() {
        let template = nginxDeployment().spec.template
        #expect(PodTemplateHash.compute(template, collisionCount: nil) == PodTemplateHash.compute(template, collisionCount: nil))
        #expect(PodTemplateHash.compute(template, collisionCount: nil) != PodTemplateHash.compute(template, collisionCount: 1))
        #expect(PodTemplateHash.compute(template, collisionCount: 1) != PodTemplateHash.compute(template, collisionCount: 2))
        var fnv = FNV32a()
        fnv.add(Array("hello".utf8))
        #expect(fnv.value == 0x4f9f_2cab, "the FNV-1a test vector")
        #expect(PodTemplateHash.safeEncode("0123456789") == "456789bcdf", "digits map by code point into the vowel-free alphabet")
    }

    @Test("D-8: a name taken by a ReplicaSet with another template bumps collisionCount and hashes again")
    func hashCollision() async throws {
        let h = try await DeploymentHarness.start()
        // The name the controller will want: the hash of the template as the store defaults it.
        var defaulted = nginxDeployment()
        BuiltinAdmission.applyDefaults(&defaulted)
        let taken = "nginx-deployment-" + PodTemplateHash.compute(defaulted.spec.template, collisionCount: nil)
        let otherLabels = ["app": "squatter"]
        _ = try await h.env.api.create(ReplicaSet(
            metadata: ObjectMeta(labels: otherLabels, name: taken, namespace: "default"),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: otherLabels), replicas: 0, template: PodTemplateSpec(
                metadata: ObjectMeta(labels: otherLabels), spec: PodSpec(containers: [Container(name: "c", image: "busybox")])))))
        try await h.create(nginxDeployment())
        try await h.waitUntil("the ReplicaSet exists") { try await !h.replicaSets().isEmpty }
        let d = try await h.deployment()
        let sets = try await h.replicaSets()
        #expect(d.status.collisionCount == 1)
        #expect(sets.map(\.name) == ["nginx-deployment-" + PodTemplateHash.compute(d.spec.template, collisionCount: 1)])
        let squatter = try await h.replicaSet(taken)
        #expect(squatter.metadata.ownerReferences == nil && squatter.spec.template?.spec?.containers[0].image == "busybox")
        await h.stop()
    }

    @Test("D-8: a ReplicaSet that cannot be created: Progressing False ReplicaSetCreateError and a Warning, until it can")
    func createError() async throws {
        struct Quota: ValidatingAdmissionHook {
            let name = "quota"
            func appliesTo(_ request: AdmissionRequest) -> Bool { request.operation == .create && request.resource.resource == "replicasets" }
            func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
                throw AdmissionDenied("exceeded quota", code: 403)
            }
        }
        let h = try await DeploymentHarness.start()
        try h.env.store.register(validating: Quota())
        try await h.create(nginxDeployment())
        try await h.waitUntil("the failure is reported") { try await h.condition("Progressing")?.reason == "ReplicaSetCreateError" }
        let failed = try #require(try await h.condition("Progressing"))
        let name = try #require(failed.message?.split(separator: "\"").dropFirst().first)
        let expected = "Failed to create new replica set \"\(name)\": admission webhook \"quota\" denied the request: exceeded quota"
        #expect(failed.status == "False" && failed.message == expected)
        #expect(try await h.eventMessages("ReplicaSetCreateError").first == expected)

        h.env.store.unregisterHooks(named: "quota")
        // The failed sync is retried with backoff, on the injected clock.
        try await h.waitUntil("the ReplicaSet is created") {
            h.env.clock.advance(by: .milliseconds(100))
            return try await h.replicaSets().count == 1
        }
        try await h.waitUntil("the creation is reported") { try await h.condition("Progressing")?.reason == "NewReplicaSetCreated" }
        #expect(try await h.condition("Progressing")?.status == "True")
        await h.stop()
    }

    @Test("D-7: matching orphans are adopted; the oldest with the Deployment's template is the new ReplicaSet")
    func adoptionAndOldestNewReplicaSet() async throws {
        let h = try await DeploymentHarness.start()
        let d = nginxDeployment()
        func orphan(_ name: String, hash: String, image: String) -> ReplicaSet {
            var template = d.spec.template
            template.metadata?.labels?["pod-template-hash"] = hash
            template.spec?.containers[0].image = image
            let labels = ["app": "nginx", "pod-template-hash": hash]
            return ReplicaSet(metadata: ObjectMeta(labels: labels, name: name, namespace: "default"),
                              spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: labels), replicas: 1, template: template))
        }
        _ = try await h.env.api.create(orphan("legacy", hash: "aaa", image: "nginx:1.0"))
        h.env.clock.advance(by: .seconds(1))
        _ = try await h.env.api.create(orphan("same-older", hash: "bbb", image: "nginx:1.14.2"))
        h.env.clock.advance(by: .seconds(1))
        _ = try await h.env.api.create(orphan("same-newer", hash: "ccc", image: "nginx:1.14.2"))
        h.env.clock.advance(by: .seconds(1))
        try await h.create(d)
        try await h.waitUntil("all three are adopted") { try await h.replicaSets().count == 3 }
        for rs in try await h.replicaSets() {
            let ref = try #require(rs.metadata.ownerReferences?.first)
            #expect(ref.controller == true && ref.blockOwnerDeletion == true && ref.kind == "Deployment")
        }
        try await h.waitUntil("the Deployment has a revision") {
            try await h.deployment().metadata.annotations?["deployment.kubernetes.io/revision"] != nil
        }
        // No ReplicaSet was created: the older of the two with the template became the new one.
        #expect(try await h.replicaSets().map(\.name) == ["legacy", "same-older", "same-newer"])
        let new = try await h.replicaSet("same-older")
        #expect(new.metadata.annotations?["deployment.kubernetes.io/revision"] == "1")
        #expect(try await h.condition("Progressing")?.reason == "FoundNewReplicaSet")
        #expect(try await h.condition("Progressing")?.message == "Found new replica set \"same-older\"")
        await h.stop()
    }

    @Test("an owned ReplicaSet whose labels stop matching is released")
    func release() async throws {
        let h = try await DeploymentHarness.start()
        let rs = try await h.createAvailable(nginxDeployment())
        var relabelled = rs
        relabelled.metadata.labels = ["app": "elsewhere", "pod-template-hash": "x"]
        _ = try await h.env.api.update(relabelled)
        try await h.waitUntil("it is released") { try await h.replicaSet(rs.name).metadata.ownerReferences?.isEmpty ?? true }
        // With no ReplicaSet left, the Deployment makes a new one; the released one keeps the
        // name, so the hash is taken again with a collision count.
        try await h.waitUntil("a replacement exists") { try await h.replicaSets().count == 1 }
        let d = try await h.deployment()
        #expect(d.status.collisionCount == 1)
        #expect(try await h.replicaSets()[0].name == "nginx-deployment-" + PodTemplateHash.compute(d.spec.template, collisionCount: 1))
        await h.stop()
    }
}
