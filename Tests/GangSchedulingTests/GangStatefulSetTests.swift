import BosunControllers
import BosunScheduler
import GangSchedulingCore
import Testing

/// StatefulSet gangs: the real StatefulSet controller makes the members from a template that
/// carries the PodGroup label, and the plugin gates them as it gates any member.
@Suite("Gang scheduling: StatefulSets")
struct GangStatefulSetTests {
    /// A StatefulSet of `replicas` one-cpu pods labelled into PodGroup `group`.
    static func statefulSet(_ name: String, group: String, replicas: Int32, policy: String?) -> StatefulSet {
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": name, PodGroup.memberLabel: group]),
            spec: PodSpec(containers: [Container(
                name: "c", image: "busybox", resources: ResourceRequirements(requests: ["cpu": "1"]))]))
        return StatefulSet(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: StatefulSetSpec(
                selector: LabelSelector(matchLabels: ["app": name]), serviceName: name, template: template,
                podManagementPolicy: policy, replicas: replicas))
    }

    @Test("a Parallel StatefulSet gang is bound whole, one member per node; a second one that does not fit holds nothing")
    func parallelStatefulSetSchedulesWhole() async throws {
        let c = try await GangCluster.start(nodes: [("n0", "1"), ("n1", "1"), ("n2", "1")])
        try StatefulSetController.register(with: c.env.manager)
        try await c.podGroup("db", minMember: 3)
        _ = try await c.env.api.create(Self.statefulSet("db", group: "db", replicas: 3, policy: "Parallel"))
        try await c.env.waitUntil("all three members are bound") { try await c.boundCount("db") == 3 }
        let pods = try await c.pods(of: "db").sorted { $0.name < $1.name }
        #expect(pods.map(\.name) == ["db-0", "db-1", "db-2"])
        #expect(Set(pods.compactMap(\.spec.nodeName)) == ["n0", "n1", "n2"])

        // The cluster is full: a second gang of three gets all its pods, tries, and holds nothing.
        try await c.podGroup("cache", minMember: 3)
        _ = try await c.env.api.create(Self.statefulSet("cache", group: "cache", replicas: 3, policy: "Parallel"))
        try await c.env.waitUntil("the second set's three pods exist") { try await c.pods(of: "cache").count == 3 }
        try await c.env.waitUntil("the second gang has tried and holds nothing") { try await c.isSettled("cache") }
        #expect(try await c.boundCount("cache") == 0)
        #expect(try await c.heldCount("cache") == 0)
        await c.stop()
    }

    @Test("an OrderedReady StatefulSet never reaches quorum: one pod is made, and it is held back for its group")
    func orderedReadyStatefulSetNeverReachesQuorum() async throws {
        let c = try await GangCluster.start(nodes: [("n0", "1"), ("n1", "1"), ("n2", "1")])
        try StatefulSetController.register(with: c.env.manager)
        try await c.podGroup("db", minMember: 3)
        _ = try await c.env.api.create(Self.statefulSet("db", group: "db", replicas: 3, policy: nil))
        try await c.env.waitUntil("the set reports its one pod") {
            try await c.env.api.get(StatefulSet.self, namespace: "default", name: "db").status.replicas == 1
        }
        let first = try #require(try await c.pods(of: "db").first)
        try await c.env.waitUntil("db-0 waits for its group at PreEnqueue") {
            c.scheduler.queue.queued(uid: first.metadata.uid ?? "")?.gatingPlugin == Coscheduling.pluginName
        }
        // The controller waits for db-0 to run and be ready before it makes db-1; db-0 waits for
        // db-1 and db-2: nothing more happens.
        #expect(try await c.pods(of: "db").map(\.name) == ["db-0"])
        #expect(try await c.boundCount("db") == 0)
        await c.stop()
    }
}
