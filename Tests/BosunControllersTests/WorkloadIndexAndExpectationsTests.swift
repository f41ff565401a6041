import BosunControllers
import BosunRuntime
import Testing

@Suite("Workload: pod index and expectations")
struct WorkloadIndexAndExpectationsTests {
    func pod(_ name: String, namespace: String = "default", controller: (kind: String, uid: String)? = nil) -> Pod {
        Pod(metadata: ObjectMeta(
            name: name, namespace: namespace,
            ownerReferences: controller.map { [OwnerReference(apiVersion: "apps/v1", kind: $0.kind, name: "owner", uid: $0.uid, controller: true)] },
            uid: "uid-" + name))
    }

    @Test("the index keeps the owner kind's pods by controller and the orphans by namespace, following every change")
    func index() {
        let index = ControlledPodIndex(ownerKind: "ReplicaSet")
        index.apply(.added(pod("a", controller: ("ReplicaSet", "rs1"))))
        index.apply(.added(pod("b")))
        index.apply(.added(pod("c", namespace: "other")))
        index.apply(.added(pod("d", controller: ("StatefulSet", "ss1"))))
        #expect(index.pods(controlledBy: "rs1").map(\.name.name) == ["a"])
        #expect(index.orphans(in: "default").map(\.name.name) == ["b"])
        #expect(index.orphans(in: "other").map(\.name.name) == ["c"])
        #expect(index.pods(controlledBy: "ss1").isEmpty && index.count == 3, "pods of other kinds are not kept")

        // Adopted, released, taken by another kind, deleted.
        index.apply(.updated(old: pod("b"), new: pod("b", controller: ("ReplicaSet", "rs1"))))
        #expect(Set(index.pods(controlledBy: "rs1").map(\.name.name)) == ["a", "b"] && index.orphans(in: "default").isEmpty)
        index.apply(.updated(old: pod("a", controller: ("ReplicaSet", "rs1")), new: pod("a")))
        #expect(index.pods(controlledBy: "rs1").map(\.name.name) == ["b"] && index.orphans(in: "default").map(\.name.name) == ["a"])
        index.apply(.updated(old: pod("a"), new: pod("a", controller: ("Job", "j1"))))
        #expect(index.orphans(in: "default").isEmpty && index.count == 2)
        index.apply(.deleted(pod("b", controller: ("ReplicaSet", "rs1"))))
        #expect(index.pods(controlledBy: "rs1").isEmpty && index.count == 1)
    }

    @Test("expected deletions count once each, and only the expected ones")
    func trackedDeletions() {
        let clock = ManualClock()
        let expectations = TrackedExpectations(clock: clock)
        let owner = ObjectName(namespace: "default", name: "web")
        let a = ObjectName(namespace: "default", name: "a"), b = ObjectName(namespace: "default", name: "b")
        #expect(expectations.isSatisfied(owner), "nothing expected")
        expectations.expectDeletions(owner, [a, b])
        #expect(!expectations.isSatisfied(owner))
        expectations.deletionObserved(owner, child: a)
        expectations.deletionObserved(owner, child: a)
        expectations.deletionObserved(owner, child: ObjectName(namespace: "default", name: "someone-elses"))
        #expect(!expectations.isSatisfied(owner), "a graceful deletion seen twice, or another pod's, is not b's")
        expectations.deletionObserved(owner, child: b)
        #expect(expectations.isSatisfied(owner))

        expectations.expectCreations(owner, 2)
        expectations.creationObserved(owner)
        #expect(!expectations.isSatisfied(owner))
        clock.advance(by: .seconds(301))
        #expect(expectations.isSatisfied(owner), "expectations older than five minutes count as satisfied")

        expectations.expectDeletions(owner, [a])
        expectations.forget(owner)
        #expect(expectations.isSatisfied(owner), "a deleted owner's expectations are gone")
    }
}
