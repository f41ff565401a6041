import BosunKit
import BosunStore
import Testing

@Suite("Store: pods/binding")
struct StoreBindingTests {
    func unscheduledPod(_ store: ObjectStore, _ name: String = "web") async throws -> StoredObject {
        try await store.create(pods, object: UnstructuredObject(Pod(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))))
    }

    func binding(_ pod: String, to node: String, uid: String? = nil) -> Binding {
        Binding(metadata: ObjectMeta(name: pod, namespace: "default", uid: uid), target: ObjectReference(kind: "Node", name: node))
    }

    @Test("binding sets spec.nodeName and PodScheduled=True, and the watch sees one MODIFIED")
    func binds() async throws {
        let clock = ManualClock()
        let store = try await makeStore(clock: clock)
        let created = try await unscheduledPod(store)
        let watch = try store.watch(pods, options: ListOptions(resourceVersion: String(created.resourceVersion)))
        let bound = try await store.bind(namespace: "default", binding: binding("web", to: "node-1"))
        let pod = try bound.decode(as: Pod.self)
        #expect(pod.spec.nodeName == "node-1")
        let scheduled = pod.status.conditions?.first { $0.type == "PodScheduled" }
        #expect(scheduled?.status == "True")
        #expect(scheduled?.lastTransitionTime == clock.now())
        #expect(bound.fields["spec.nodeName"] == "node-1")
        var events = watch.makeAsyncIterator()
        let event = try await events.next()
        #expect(event?.type == .modified)
        #expect(event?.resourceVersion == bound.resourceVersion)
        watch.cancel()
    }

    @Test("an assigned pod cannot be bound again; a wrong uid or a deleting pod is a conflict; bad targets are invalid")
    func refusals() async throws {
        let store = try await makeStore()
        let created = try await unscheduledPod(store)
        await #expect(throws: APIError.self) {
            try await store.bind(namespace: "default", binding: binding("web", to: "node-1", uid: "not-the-uid"))
        }
        _ = try await store.bind(namespace: "default", binding: binding("web", to: "node-1", uid: created.uid))
        do {
            try await store.bind(namespace: "default", binding: binding("web", to: "node-2"))
            Issue.record("a second binding succeeded")
        } catch {
            #expect(error.code == 409)
            #expect(error.message == "Operation cannot be fulfilled on pods \"web\": pod web is already assigned to node \"node-1\"")
        }
        do {
            try await store.bind(namespace: "default", binding: Binding(metadata: ObjectMeta(name: "web"), target: ObjectReference(kind: "Pod", name: "")))
            Issue.record("an invalid binding was accepted")
        } catch {
            #expect(error.code == 422)
            #expect(error.status.details?.causes?.count == 2)
        }
        do {
            try await store.bind(namespace: "default", binding: binding("missing", to: "node-1"))
            Issue.record("a missing pod was bound")
        } catch {
            #expect(error.code == 404)
        }
    }
}
