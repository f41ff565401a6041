import BosunKit
import BosunStore
import Testing

@Suite("Store: update")
struct StoreUpdateTests {
    @Test func staleResourceVersionIsConflict() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("c", data: ["a": "1"]))
        var first = created.unstructured()
        first.object["data"] = ["a": "2"]
        try await store.update(configMaps, object: first)
        var stale = created.unstructured()
        stale.object["data"] = ["a": "3"]
        do {
            try await store.update(configMaps, object: stale)
            Issue.record("expected Conflict")
        } catch {
            #expect(error.code == 409)
            #expect(error.message == #"Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again"#)
        }
    }

    @Test func twoWritersOnOneVersionExactlyOneWins() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("c"))
        for round in 0..<20 {
            let base = try store.get(configMaps, namespace: "default", name: "c").unstructured()
            let results = await withTaskGroup(of: Bool.self) { group in
                for writer in 0..<2 {
                    group.addTask {
                        var mine = base
                        mine.object["data"] = ["writer": .string("\(round)-\(writer)")]
                        do {
                            try await store.update(configMaps, object: mine)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1, "round \(round): \(results)")
        }
        #expect(created.resourceVersion < store.resourceVersion)
    }

    @Test func generationCountsSpecChangesOnly() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        var labelled = created.unstructured()
        labelled.labels["team"] = "a"
        let afterLabel = try await store.update(deployments, object: labelled)
        #expect(afterLabel.meta["generation"] == 1)
        var scaled = afterLabel.unstructured()
        scaled.object["spec"]?["replicas"] = 3
        let afterScale = try await store.update(deployments, object: scaled)
        #expect(afterScale.meta["generation"] == 2)
    }

    @Test func noOpUpdateChangesNothing() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        let watch = try store.watch(deployments, options: ListOptions(resourceVersion: String(created.resourceVersion)))
        let same = try await store.update(deployments, object: created.unstructured())
        #expect(same.resourceVersion == created.resourceVersion)
        #expect(store.resourceVersion == created.resourceVersion)
        // The next event the watch sees is the later real change, not the no-op.
        var changed = created.unstructured()
        changed.labels["x"] = "y"
        let real = try await store.update(deployments, object: changed)
        let events = try await take(1, from: watch)
        #expect(events.map(\.resourceVersion) == [real.resourceVersion])
    }

    @Test func statusSubresourceSeparatesSpecAndStatus() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        // The main resource ignores status.
        var withStatus = created.unstructured()
        withStatus.object["status"] = ["replicas": 5]
        withStatus.object["spec"]?["replicas"] = 2
        let main = try await store.update(deployments, object: withStatus)
        #expect(main.unstructured()[path: "status", "replicas"] == nil)
        #expect(main.unstructured()[path: "spec", "replicas"] == 2)
        // /status ignores everything else.
        var statusWrite = main.unstructured()
        statusWrite.object["status"] = ["replicas": 5]
        statusWrite.object["spec"]?["replicas"] = 9
        let status = try await store.update(deployments, object: statusWrite, subresource: "status")
        #expect(status.unstructured()[path: "status", "replicas"] == 5)
        #expect(status.unstructured()[path: "spec", "replicas"] == 2)
        #expect(status.meta["generation"] == main.meta["generation"])
    }

    @Test func unconditionalUpdateAndSystemFields() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("c"))
        var blind = configMap("c", data: ["k": "v"])
        blind.resourceVersion = nil
        let updated = try await store.update(configMaps, object: blind)
        #expect(updated.meta["uid"] == created.meta["uid"])
        #expect(updated.meta["creationTimestamp"] == created.meta["creationTimestamp"])
        #expect(updated.unstructured()[path: "data", "k"] == "v")
    }

    @Test func updatingAMissingObjectIsNotFound() async throws {
        let store = try await makeStore()
        await #expect(throws: APIError.notFound(configMaps, "ghost")) {
            try await store.update(configMaps, object: configMap("ghost"))
        }
    }

    @Test func immutableFieldsAreEnforced() async throws {
        let store = try await makeStore()
        let created = try await store.create(deployments, object: deployment("web"))
        var changed = created.unstructured()
        changed.object["spec"]?["selector"] = ["matchLabels": ["app": "other"]]
        changed.object["spec"]?["template"]?["metadata"] = ["labels": ["app": "other"]]
        do {
            try await store.update(deployments, object: changed)
            Issue.record("expected Invalid")
        } catch {
            #expect(error.code == 422)
            #expect(error.message.contains("spec.selector: Invalid value"))
            #expect(error.message.contains("field is immutable"))
        }
    }
}
