import BosunControllers
import BosunRuntime
import Synchronization
import Testing

/// Controller history: hashing, naming and ordering, and a StatefulSet's ControllerRevisions
/// (revision numbers, rollback, collisions, the history limit, adoption).
@Suite("ControllerRevision")
struct ControllerRevisionTests {
    private func revisions(_ env: TestEnvironment) async throws -> [ControllerRevision] {
        try await env.api.listAll(ControllerRevision.self, namespace: "default").sorted { $0.revision < $1.revision }
    }

    @Test("hashes are stable, depend on the data and the collision count, and use the vowel-free alphabet")
    func hashing() {
        let data: JSONValue = ["spec": ["template": ["metadata": ["labels": ["app": "web"]]]]]
        let other: JSONValue = ["spec": ["template": ["metadata": ["labels": ["app": "db"]]]]]
        let hash = RevisionHash.revision(data: data, collisionCount: 0)
        #expect(hash == RevisionHash.revision(data: data, collisionCount: 0))
        #expect(hash != RevisionHash.revision(data: data, collisionCount: 1))
        #expect(hash != RevisionHash.revision(data: other, collisionCount: 0))
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]))
        #expect(RevisionHash.template(template, collisionCount: nil) != RevisionHash.template(template, collisionCount: 0))
        #expect(RevisionHash.safeEncode("0123456789") == "456789bcdf", "each digit by its code point modulo 27, as upstream")
    }

    @Test("names are <owner>-<hash>, the prefix cut to 223 characters; revisions sort by number, then age, then name")
    func namingAndOrder() {
        #expect(ControllerHistory.name(prefix: "web", hash: "abc") == "web-abc")
        #expect(ControllerHistory.name(prefix: String(repeating: "a", count: 300), hash: "h").count == 225)
        let a = ControllerRevision(metadata: ObjectMeta(name: "b"), revision: 2)
        let b = ControllerRevision(metadata: ObjectMeta(name: "a"), revision: 2)
        let c = ControllerRevision(metadata: ObjectMeta(name: "z"), revision: 1)
        #expect(ControllerHistory.sorted([a, b, c]).map(\.name) == ["z", "a", "b"])
        #expect(ControllerHistory.nextRevision(ControllerHistory.sorted([a, b, c])) == 3)
        #expect(ControllerHistory.nextRevision([]) == 1)
    }

    @Test("a revision's data restores the template: {spec: {template: …, $patch: replace}}")
    func templatePatchRoundTrip() throws {
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "web"]), spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))
        let data = ControllerHistory.templatePatch(template)
        #expect(data[path: ["spec", "template", "$patch"]] == "replace")
        let revision = ControllerRevision(data: data)
        #expect(ControllerHistory.template(in: revision) == template)
        #expect(ControllerHistory.template(in: ControllerRevision(data: ["spec": [:]])) == nil)
    }

    @Test("a StatefulSet's revision is owned by it, labelled with its template labels and hash, numbered 1")
    func firstRevision() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        let set = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
        try await env.waitForStatefulSet("revisions reported") { $0.updateRevision != nil }
        let all = try await revisions(env)
        #expect(all.count == 1)
        let revision = try #require(all.first)
        let hash = try #require(revision.metadata.labels?["controller.kubernetes.io/hash"])
        #expect(revision.name == "web-\(hash)")
        #expect(revision.metadata.labels?["app"] == "nginx")
        #expect(revision.revision == 1)
        #expect(revision.isControlled(by: set))
        #expect(ControllerHistory.template(in: revision) == set.spec.template)
        let status = try await env.statefulSet().status
        #expect(status.updateRevision == revision.name && status.currentRevision == revision.name && status.collisionCount == 0)
        await env.stop()
    }

    @Test("a template change makes revision 2; going back renumbers revision 1 to 3")
    func revisionNumbers() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false, strategy: StatefulSetUpdateStrategy(type: "OnDelete")))
        try await env.waitForStatefulSet("first revision") { $0.updateRevision != nil }
        let first = try #require(try await env.statefulSet().status.updateRevision)
        try await env.setImage("nginx:2")
        try await env.waitForStatefulSet("second revision") { $0.updateRevision != first }
        #expect(try await revisions(env).map(\.revision) == [1, 2])
        try await env.setImage("registry.k8s.io/nginx-slim:0.24")
        try await env.waitForStatefulSet("back to the first") { $0.updateRevision == first }
        let all = try await revisions(env)
        #expect(all.count == 2)
        #expect(all.last?.name == first && all.last?.revision == 3)
        await env.stop()
    }

    @Test("a name taken by another revision's data bumps collisionCount and picks another name")
    func hashCollision() async throws {
        let expected = Mutex<ControllerRevision?>(nil)
        let env = try await TestEnvironment.withStatefulSetController { env in
            // The set as admission leaves it, and the name its first revision would get, taken
            // by different data before the controller starts.
            let set = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
            let revision = ControllerHistory.newRevision(
                of: set, templateLabels: set.spec.template.metadata?.labels, data: ControllerHistory.templatePatch(set.spec.template),
                revision: 1, collisionCount: 0)
            expected.withLock { $0 = revision }
            var squatter = ControllerRevision(metadata: ObjectMeta(name: revision.name, namespace: "default"), revision: 1,
                                              data: ["spec": ["template": ["metadata": ["labels": ["app": "other"]]]]])
            squatter.metadata.labels = ["app": "other"]
            _ = try await env.api.create(squatter)
        }
        let wanted = try #require(expected.withLock { $0 })
        try await env.waitForStatefulSet("revisions reported") { $0.updateRevision != nil }
        let status = try await env.statefulSet().status
        #expect(status.collisionCount == 1)
        #expect(status.updateRevision != wanted.name)
        let hash = RevisionHash.revision(data: wanted.data, collisionCount: 1)
        #expect(status.updateRevision == "web-\(hash)")
        await env.stop()
    }

    @Test("history beyond revisionHistoryLimit is deleted oldest first; live revisions are kept")
    func historyLimit() async throws {
        let env = try await TestEnvironment.withStatefulSetController()
        _ = try await env.api.create(StatefulSetFixtures.web(
            replicas: 1, claims: false, strategy: StatefulSetUpdateStrategy(type: "OnDelete"), historyLimit: 1))
        try await env.runPod("web-0")
        try await env.waitForStatefulSet("first revision") { $0.updateRevision != nil }
        let first = try #require(try await env.statefulSet().status.updateRevision)
        for (index, image) in ["nginx:2", "nginx:3", "nginx:4"].enumerated() {
            try await env.setImage(image)
            try await env.waitUntil("revision \(index + 2) exists") { try await revisions(env).last?.revision == Int64(index + 2) }
        }
        let newest = try #require(try await revisions(env).last?.name)
        try await env.waitForStatefulSet("revision 4 is the update revision") { $0.updateRevision == newest }
        let update = try #require(try await env.statefulSet().status.updateRevision)
        // web-0 still runs revision 1 (OnDelete): live, as the current and update revisions. One
        // more is kept: revision 3; revision 2 went.
        try await env.waitUntil("the history is trimmed") { try await revisions(env).count == 3 }
        let names = try await revisions(env).map(\.name)
        #expect(names.first == first && names.last == update)
        #expect(try await revisions(env).map(\.revision) == [1, 3, 4])
        await env.stop()
    }

    @Test("an orphan revision the selector matches is adopted")
    func adoptsOrphanRevisions() async throws {
        let env = try await TestEnvironment.withStatefulSetController { env in
            _ = try await env.api.create(ControllerRevision(
                metadata: ObjectMeta(labels: ["app": "nginx"], name: "web-orphan", namespace: "default"), revision: 7,
                data: ["spec": ["template": ["metadata": ["labels": ["app": "nginx"]]]]]))
            _ = try await env.api.create(ControllerRevision(
                metadata: ObjectMeta(labels: ["app": "db"], name: "db-orphan", namespace: "default"), revision: 1))
        }
        let set = try await env.api.create(StatefulSetFixtures.web(replicas: 1, claims: false))
        try await env.waitUntil("the orphan is adopted") {
            try await env.api.get(ControllerRevision.self, namespace: "default", name: "web-orphan").isControlled(by: set)
        }
        try await env.waitForStatefulSet("revisions reported") { $0.updateRevision != nil }
        #expect(try await env.api.get(ControllerRevision.self, namespace: "default", name: "db-orphan").metadata.ownerReferences == nil)
        #expect(try await revisions(env).last?.revision == 8, "the set's own revision is numbered after the adopted one")
        await env.stop()
    }
}
