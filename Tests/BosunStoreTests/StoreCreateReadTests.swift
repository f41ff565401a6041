import BosunKit
import BosunStore
import Testing

@Suite("Store: create, get, list")
struct StoreCreateReadTests {
    @Test func initialNamespacesExist() async throws {
        let store = try await makeStore()
        let names = try store.list(namespaces).items.map(\.key.name)
        #expect(names == ["default", "kube-node-lease", "kube-public", "kube-system"])
        let ns = try store.get(namespaces, name: "default").unstructured()
        #expect(ns[path: "status", "phase"] == "Active")
    }

    @Test func createAssignsSystemFields() async throws {
        let clock = ManualClock()
        let store = try await makeStore(clock: clock)
        let before = store.resourceVersion
        let created = try await store.create(deployments, object: deployment("web"))
        let meta = created.meta
        #expect(meta["uid"]?.stringValue?.count == 36)
        #expect(meta["creationTimestamp"] == clock.now().jsonValue())
        #expect(meta["generation"] == 1)
        #expect(meta["resourceVersion"] == .string(String(before + 1)))
        #expect(created.resourceVersion == before + 1)
        // Defaulting ran: the strategy Kubernetes fills in.
        #expect(created.unstructured()[path: "spec", "strategy", "type"] == "RollingUpdate")
        // Kinds without generation tracking get none.
        let cm = try await store.create(configMaps, object: configMap("c"))
        #expect(cm.meta["generation"] == nil)
    }

    @Test func generateNameGetsARandomSuffix() async throws {
        let store = try await makeStore()
        var cm = configMap("")
        cm.rawMetadata["name"] = nil
        cm.rawMetadata["generateName"] = "web-"
        let a = try await store.create(configMaps, object: cm)
        let b = try await store.create(configMaps, object: cm)
        #expect(a.key.name.hasPrefix("web-") && a.key.name.count == 9)
        #expect(a.key.name != b.key.name)
    }

    @Test func duplicateNameIsAlreadyExists() async throws {
        let store = try await makeStore()
        try await store.create(configMaps, object: configMap("c"))
        await #expect(throws: APIError.alreadyExists(configMaps, "c")) {
            try await store.create(configMaps, object: configMap("c"))
        }
        do {
            try await store.create(configMaps, object: configMap("c"))
        } catch {
            #expect(error.code == 409)
            #expect(error.message == #"configmaps "c" already exists"#)
        }
    }

    @Test func missingNamespaceIsNotFound() async throws {
        let store = try await makeStore()
        do {
            try await store.create(configMaps, object: configMap("c", namespace: "nope"))
            Issue.record("expected NotFound")
        } catch {
            #expect(error.code == 404)
            #expect(error.message == #"namespaces "nope" not found"#)
        }
    }

    @Test func invalidObjectIsRejectedWithEveryFieldError() async throws {
        let store = try await makeStore()
        var bad = deployment("Bad_Name", replicas: -1)
        bad.rawMetadata["name"] = "Bad_Name"
        do {
            try await store.create(deployments, object: bad)
            Issue.record("expected Invalid")
        } catch {
            #expect(error.code == 422)
            #expect(error.reason == .invalid)
            #expect(error.message.hasPrefix(#"Deployment.apps "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name""#))
            #expect(error.message.contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"))
            let fields = error.status.details?.causes?.compactMap(\.field) ?? []
            #expect(fields.contains("metadata.name") && fields.contains("spec.replicas"))
        }
        #expect(try store.list(deployments).items.isEmpty)
    }

    @Test func wrongKindForResourceIsBadRequest() async throws {
        let store = try await makeStore()
        await #expect(throws: APIError.badRequest("the kind in the data (ConfigMap) does not match the expected kind (Pod)")) {
            try await store.create(pods, object: configMap("x"))
        }
    }

    @Test func dryRunStoresNothing() async throws {
        let store = try await makeStore()
        let rv = store.resourceVersion
        let result = try await store.create(configMaps, object: configMap("c"), options: WriteOptions(dryRun: true))
        #expect(result.key.name == "c")
        #expect(store.resourceVersion == rv)
        #expect(throws: APIError.self) { try store.get(configMaps, namespace: "default", name: "c") }
    }

    @Test func listFiltersByNamespaceAndSelectors() async throws {
        let store = try await makeStore()
        try await store.create(namespaces, object: UnstructuredObject(Namespace(metadata: ObjectMeta(name: "other"))))
        try await store.create(configMaps, object: configMap("a", labels: ["tier": "web"]))
        try await store.create(configMaps, object: configMap("b", labels: ["tier": "db"]))
        try await store.create(configMaps, object: configMap("c", namespace: "other", labels: ["tier": "web"]))
        #expect(try store.list(configMaps).items.map(\.key.path) == ["default/a", "default/b", "other/c"])
        #expect(try store.list(configMaps, namespace: "default").items.map(\.key.name) == ["a", "b"])
        let web = try store.list(configMaps, options: ListOptions(labelSelector: .parse("tier=web")))
        #expect(web.items.map(\.key.path) == ["default/a", "other/c"])
        let named = try store.list(configMaps, options: ListOptions(fieldSelector: .parse("metadata.name=b")))
        #expect(named.items.map(\.key.name) == ["b"])
        #expect(web.resourceVersion == store.resourceVersion)
    }

    @Test func podsFilterBySpecNodeName() async throws {
        let store = try await makeStore()
        try await store.create(pods, object: pod("a", nodeName: "n1"))
        try await store.create(pods, object: pod("b", nodeName: "n2"))
        try await store.create(pods, object: pod("c"))
        let onN1 = try store.list(pods, options: ListOptions(fieldSelector: .parse("spec.nodeName=n1")))
        #expect(onN1.items.map(\.key.name) == ["a"])
        let unscheduled = try store.list(pods, options: ListOptions(fieldSelector: .parse("spec.nodeName=")))
        #expect(unscheduled.items.map(\.key.name) == ["c"])
        #expect(try store.get(pods, namespace: "default", name: "a").unstructured()[path: "status", "phase"] == "Pending")
    }

    @Test func paginationIsConsistentAtTheFirstPage() async throws {
        let clock = ManualClock()
        let store = try await makeStore(clock: clock)
        for i in 0..<5 { try await store.create(configMaps, object: configMap("cm-\(i)")) }
        let first = try store.list(configMaps, options: ListOptions(limit: 2))
        #expect(first.items.map(\.key.name) == ["cm-0", "cm-1"])
        #expect(first.remainingItemCount == 3)
        let token = try #require(first.continueToken)
        // Changes after the first page do not show in later pages.
        try await store.create(configMaps, object: configMap("cm-00"))
        try await store.delete(configMaps, namespace: "default", name: "cm-4")
        let second = try store.list(configMaps, options: ListOptions(limit: 2, continueToken: token))
        #expect(second.items.map(\.key.name) == ["cm-2", "cm-3"])
        #expect(second.resourceVersion == first.resourceVersion)
        let third = try store.list(configMaps, options: ListOptions(limit: 2, continueToken: second.continueToken))
        #expect(third.items.map(\.key.name) == ["cm-4"])
        #expect(third.continueToken == nil)

        let again = try store.list(configMaps, options: ListOptions(limit: 1))
        clock.advance(301)
        do {
            _ = try store.list(configMaps, options: ListOptions(limit: 1, continueToken: again.continueToken))
            Issue.record("expected Expired")
        } catch {
            #expect(error.code == 410)
            #expect(error.reason == .expired)
        }
    }

    @Test func unknownResourceIsNotFound() async throws {
        let store = try await makeStore()
        #expect(throws: APIError.self) { try store.list(GroupResource(group: "example.com", resource: "widgets")) }
    }
}

@Suite("Store: label index")
struct StoreLabelIndexTests {
    @Test func selectorListsFollowLabelChangesAndDeletes() async throws {
        let store = try await makeStore()
        let a = try await store.create(configMaps, object: configMap("a", labels: ["app": "web", "tier": "1"]))
        try await store.create(configMaps, object: configMap("b", labels: ["app": "web", "tier": "2"]))
        try await store.create(configMaps, object: configMap("c", labels: ["app": "db"]))
        func names(_ selector: String) throws -> [String] {
            try store.list(configMaps, options: ListOptions(labelSelector: .parse(selector))).items.map(\.key.name)
        }
        #expect(try names("app=web") == ["a", "b"])
        #expect(try names("app in (web,db),tier!=2") == ["a", "c"])
        var relabelled = a.unstructured()
        relabelled.labels = ["app": "db"]
        try await store.update(configMaps, object: relabelled)
        #expect(try names("app=web") == ["b"])
        #expect(try names("app==db") == ["a", "c"])
        try await store.delete(configMaps, namespace: "default", name: "c")
        #expect(try names("app=db") == ["a"])
        #expect(try names("tier") == ["b"])
    }

    /// A value's postings go with its last object (a Job's controller-uid is never seen again);
    /// the value used again afterwards is indexed afresh.
    @Test func aLabelValueUsedAgainAfterItsLastObjectWentIsFound() async throws {
        let store = try await makeStore()
        func names(_ selector: String) throws -> [String] {
            try store.list(configMaps, options: ListOptions(labelSelector: .parse(selector))).items.map(\.key.name)
        }
        try await store.create(configMaps, object: configMap("a", labels: ["job": "1"]))
        let b = try await store.create(configMaps, object: configMap("b", labels: ["job": "1"]))
        try await store.delete(configMaps, namespace: "default", name: "a")
        var relabelled = b.unstructured()
        relabelled.labels = ["other": "x"]
        try await store.update(configMaps, object: relabelled)
        #expect(try names("job=1").isEmpty)
        #expect(try names("job").isEmpty)
        try await store.create(configMaps, object: configMap("c", labels: ["job": "1"]))
        #expect(try names("job=1") == ["c"])
        #expect(try names("other=x") == ["b"])
    }

    /// Objects moving between label values many times, being deleted and created again: the
    /// index answers as a scan of every object would.
    @Test func indexAgreesWithAScanThroughChurn() async throws {
        let store = try await makeStore()
        var generator = SplitMix64(seed: 7)
        let apps = ["web", "db", "cache"]
        for i in 0..<120 {
            try await store.create(configMaps, object: configMap("cm-\(i)", labels: ["app": apps[i % 3]]))
        }
        for round in 0..<6 {
            for i in 0..<120 where Int.random(in: 0..<3, using: &generator) == 0 {
                let name = "cm-\(i)"
                if let current = try? store.get(configMaps, namespace: "default", name: name) {
                    if round % 2 == 0 && i % 5 == 0 {
                        try await store.delete(configMaps, namespace: "default", name: name)
                    } else {
                        var object = current.unstructured()
                        object.labels = ["app": apps.randomElement(using: &generator)!]
                        try await store.update(configMaps, object: object)
                    }
                } else {
                    try await store.create(configMaps, object: configMap(name, labels: ["app": apps[round % 3]]))
                }
            }
            let all = try store.list(configMaps).items
            // Churn enough to drop marked paths from the postings more than once.
            for selector in ["app=web", "app=db", "app in (web,cache)", "app in (db,db)"] {
                let parsed = try Selector.parse(selector)
                let indexed = try store.list(configMaps, options: ListOptions(labelSelector: parsed)).items.map(\.key.name)
                #expect(indexed == all.filter { parsed.matches($0.labels) }.map(\.key.name), "\(selector) in round \(round)")
            }
        }
    }
}

/// A fixed sequence of pseudo-random numbers, so a test that churns is the same every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
