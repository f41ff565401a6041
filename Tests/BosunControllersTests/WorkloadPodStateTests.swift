import BosunControllers
import BosunRuntime
import Testing

@Suite("Workload: pod state")
struct WorkloadPodStateTests {
    let now = Time(secondsSinceEpoch: 1_767_225_600)

    func pod(phase: String? = "Running", ready: String? = nil, since: Time? = nil, deleting: Bool = false) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default", uid: "u1"))
        pod.status.phase = phase
        if let ready { pod.status.conditions = [PodCondition(status: ready, type: "Ready", lastTransitionTime: since)] }
        if deleting { pod.metadata.deletionTimestamp = now }
        return pod
    }

    @Test("active: not Succeeded or Failed, and not being deleted")
    func active() {
        #expect(pod(phase: "Pending").isActive)
        #expect(pod(phase: "Running").isActive)
        #expect(pod(phase: "Unknown").isActive)
        #expect(pod(phase: nil).isActive)
        #expect(!pod(phase: "Succeeded").isActive)
        #expect(!pod(phase: "Failed").isActive)
        #expect(!pod(phase: "Running", deleting: true).isActive)
    }

    @Test("ready: the Ready condition is True")
    func ready() {
        #expect(pod(ready: "True").isReady)
        #expect(!pod(ready: "False").isReady)
        #expect(!pod(ready: "Unknown").isReady)
        #expect(!pod().isReady)
    }

    @Test("available: ready, and ready for strictly longer than minReadySeconds")
    func available() {
        let readyAt = now.advanced(by: .seconds(-10))
        let ready = pod(ready: "True", since: readyAt)
        #expect(ready.isAvailable(minReadySeconds: 0, now: now))
        #expect(ready.isAvailable(minReadySeconds: 9, now: now))
        #expect(!ready.isAvailable(minReadySeconds: 10, now: now), "lastTransitionTime + minReadySeconds must lie strictly before now")
        #expect(ready.isAvailable(minReadySeconds: 10, now: now.advanced(by: .nanoseconds(1))))
        #expect(!pod(ready: "False", since: readyAt).isAvailable(minReadySeconds: 0, now: now), "never without Ready")
        #expect(pod(ready: "True", since: nil).isAvailable(minReadySeconds: 0, now: now))
        #expect(!pod(ready: "True", since: nil).isAvailable(minReadySeconds: 5, now: now), "no transition time, never available after a wait")
        #expect(PodState.availableAt(readySince: readyAt, minReadySeconds: 10) == now)
    }

    @Test("facts carry what controllers decide with, the same way the pod does")
    func facts() {
        var pod = pod(ready: "True", since: now)
        pod.metadata.labels = ["app": "web"]
        pod.metadata.creationTimestamp = now
        pod.metadata.annotations = [PodDeletionOrder.costAnnotation: "-7"]
        pod.metadata.ownerReferences = [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "c", uid: "c1"),
            OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs1", controller: true),
        ]
        pod.spec.nodeName = "n1"
        pod.spec.initContainers = [Container(name: "sidecar", restartPolicy: "Always"), Container(name: "init")]
        pod.status.containerStatuses = [ContainerStatus(name: "a", restartCount: 2), ContainerStatus(name: "b", restartCount: 5)]
        pod.status.initContainerStatuses = [ContainerStatus(name: "sidecar", restartCount: 3), ContainerStatus(name: "init", restartCount: 9)]
        let facts = PodFacts(pod)
        #expect(facts.name == ObjectName(namespace: "default", name: "p") && facts.uid == "u1")
        #expect(facts.labels == ["app": "web"])
        #expect(facts.controllerRef?.uid == "rs1")
        #expect(facts.nodeName == "n1" && facts.phase == "Running")
        #expect(facts.isReady && facts.readySince == now && facts.isActive)
        #expect(facts.deletionCost == -7)
        #expect(facts.restarts == 5)
        #expect(facts.sidecarRestarts == 3, "only init containers that restart Always are sidecars")
        #expect(!PodFacts(self.pod(ready: "False", since: now)).isReady)
        #expect(PodFacts(self.pod(ready: "False", since: now)).readySince == nil)
    }

    @Test("deletion cost: an int32 without a plus sign or leading zeros, else 0")
    func deletionCost() {
        func cost(_ value: String) -> Int32 { PodDeletionOrder.deletionCost([PodDeletionOrder.costAnnotation: value]) }
        #expect(cost("12") == 12)
        #expect(cost("-5") == -5)
        #expect(cost("0") == 0)
        #expect(cost("2147483647") == Int32.max)
        #expect(cost("+10") == 0)
        #expect(cost("008") == 0)
        #expect(cost("2147483648") == 0, "out of int32 range")
        #expect(cost("ten") == 0)
        #expect(cost("") == 0)
        #expect(PodDeletionOrder.deletionCost(nil) == 0)
    }
}
