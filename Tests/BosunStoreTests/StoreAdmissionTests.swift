import BosunKit
import BosunStore
import Testing

struct AddTeamLabel: MutatingAdmissionHook {
    let name = "add-team-label"
    func appliesTo(_ request: AdmissionRequest) -> Bool { request.resource.resource == "configmaps" }
    func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
        object.labels["team"] = "platform"
    }
}

struct ForbidName: ValidatingAdmissionHook {
    let name = "forbid-forbidden"
    func appliesTo(_ request: AdmissionRequest) -> Bool { true }
    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        if request.name == "forbidden" { throw AdmissionDenied("the name \"forbidden\" is reserved") }
    }
}

@Suite("Store: admission and durability")
struct StoreAdmissionTests {
    @Test func hooksMutateThenValidate() async throws {
        let store = try await makeStore()
        try store.register(mutating: AddTeamLabel())
        try store.register(validating: ForbidName())
        let created = try await store.create(configMaps, object: configMap("ok"))
        #expect(created.labels["team"] == "platform")
        do {
            try await store.create(configMaps, object: configMap("forbidden"))
            Issue.record("expected denial")
        } catch {
            #expect(error.code == 400)
            #expect(error.message == #"admission webhook "forbid-forbidden" denied the request: the name "forbidden" is reserved"#)
        }
        #expect(throws: APIError.self) { try store.register(validating: ForbidName()) }
        store.unregisterHooks(named: "forbid-forbidden")
        try await store.create(configMaps, object: configMap("forbidden"))
    }

    @Test func reopeningRestoresStateAndVersionsContinue() async throws {
        let backend = MemoryBackend()
        let store = try await makeStore(backend: backend)
        let created = try await store.create(deployments, object: deployment("web"))
        try await store.create(configMaps, object: configMap("later"))
        let rv = store.resourceVersion
        let reopened = try await makeStore(backend: backend)
        let loaded = try reopened.get(deployments, namespace: "default", name: "web")
        #expect(loaded.resourceVersion == created.resourceVersion)
        #expect(loaded.unstructured() == created.unstructured())
        let next = try await reopened.create(configMaps, object: configMap("after"))
        #expect(next.resourceVersion == rv + 1)
        // History before the restart is gone: a watch from before it must relist; one from the
        // restart's version misses nothing and is served.
        #expect(throws: APIError.self) {
            try reopened.watch(configMaps, options: ListOptions(resourceVersion: String(created.resourceVersion)))
        }
        _ = try reopened.watch(configMaps, options: ListOptions(resourceVersion: String(rv)))
    }

    @Test func customResourcesAreServedFromTheirDefinition() async throws {
        let store = try await makeStore()
        let crd = try object(#"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"crontabs.stable.example.com"},
             "spec":{"group":"stable.example.com","scope":"Namespaced","names":{"plural":"crontabs","singular":"crontab","kind":"CronTab","shortNames":["ct"]},
              "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"cronSpec":{"type":"string"}}}}}}}]}}
            """#)
        try await store.create(GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), object: crd)
        let stored = try store.get(GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), name: "crontabs.stable.example.com")
        let conditions = stored.unstructured()[path: "status", "conditions"]?.arrayValue ?? []
        #expect(conditions.compactMap { $0["type"]?.stringValue } == ["NamesAccepted", "Established"])

        let crontabs = GroupResource(group: "stable.example.com", resource: "crontabs")
        #expect(store.descriptor(for: crontabs)?.hasStatus == true)
        let cr = try object(#"{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"my-cron","namespace":"default"},"spec":{"cronSpec":"* * * * */5"}}"#)
        let created = try await store.create(crontabs, object: cr)
        #expect(created.meta["generation"] == 1)

        // The schema prunes what it does not declare and rejects wrong types, with Kubernetes' words.
        let extra = try object(#"{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"extra","namespace":"default"},"spec":{"cronSpec":"x","unknown":1}}"#)
        let pruned = try await store.create(crontabs, object: extra)
        #expect(pruned.unstructured()[path: "spec", "unknown"] == nil)
        let wrong = try object(#"{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"wrong","namespace":"default"},"spec":{"cronSpec":5}}"#)
        do {
            try await store.create(crontabs, object: wrong)
            Issue.record("expected Invalid")
        } catch {
            #expect(error.code == 422)
            #expect(error.message == #"CronTab.stable.example.com "wrong" is invalid: spec.cronSpec: Invalid value: "integer": spec.cronSpec in body must be of type string: "integer""#)
        }

        try await store.delete(GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), name: "crontabs.stable.example.com")
        #expect(throws: APIError.self) { try store.list(crontabs) }
    }
}
