import BosunRuntime
import Testing

@Suite("Helpers")
struct HelpersTests {
    @Test("setting a condition moves lastTransitionTime only when its status changes")
    func conditions() {
        var conditions: [Condition] = []
        let t0 = Time(secondsSinceEpoch: 1_000, nanoseconds: 500)
        let added = conditions.set(Condition(message: "starting", reason: "Init", status: "False", type: "Ready"), now: t0)
        #expect(added)
        #expect(conditions["Ready"]?.lastTransitionTime == Time(secondsSinceEpoch: 1_000))
        let t1 = t0.advanced(by: .seconds(10))
        // Same status, same words: nothing changes, not even the time.
        let repeated = conditions.set(Condition(message: "starting", reason: "Init", status: "False", type: "Ready"), now: t1)
        #expect(!repeated)
        // Same status, new message: the message changes, the transition time does not.
        let reworded = conditions.set(Condition(message: "still starting", reason: "Init", status: "False", type: "Ready"), now: t1)
        #expect(reworded)
        #expect(conditions["Ready"]?.lastTransitionTime == Time(secondsSinceEpoch: 1_000))
        // A new status is a transition.
        let transitioned = conditions.set(Condition(message: "up", reason: "Synced", status: "True", type: "Ready"), now: t1)
        #expect(transitioned)
        #expect(conditions["Ready"]?.lastTransitionTime == Time(secondsSinceEpoch: 1_010))
        #expect(conditions.count == 1)
        let removed = conditions.remove(type: "Ready")
        #expect(removed)
        #expect(conditions.isEmpty)
    }

    @Test("a controller reference points at the owner by uid and marks it the controller")
    func ownership() {
        let owner = Deployment(metadata: ObjectMeta(name: "web", namespace: "default", uid: "u-1"))
        var child = ConfigMap(metadata: ObjectMeta(name: "web", namespace: "default", ownerReferences: [owner.controllerReference]))
        #expect(child.controllerOwner?.kind == "Deployment")
        #expect(child.controllerOwner?.apiVersion == "apps/v1")
        #expect(child.controllerOwner?.blockOwnerDeletion == true)
        #expect(child.isControlled(by: owner))
        let recreated = Deployment(metadata: ObjectMeta(name: "web", namespace: "default", uid: "u-2"))
        #expect(!child.isControlled(by: recreated))
        child.metadata.ownerReferences?[0].controller = false
        #expect(child.controllerOwner == nil)
        #expect(!child.isControlled(by: owner))
    }
}
