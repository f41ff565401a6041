import BosunKit
import BosunRuntime
import BosunStore
import ConfigMapGenerator
import Testing

/// The sample operator in `Samples/ConfigMapGenerator`, end to end on a ``TestEnvironment``: the
/// CRD served by the real store, the controller run by a real manager, no sleeps.
@Suite("ConfigMapGenerator sample")
struct ConfigMapGeneratorTests {
    @Test("create, change and delete a generator: ConfigMap, status, events and finalizer follow")
    func lifecycle() async throws {
        let env = try await startGeneratorEnvironment()
        let created = try await env.api.create(generator("greeting", content: "hello"))
        let uid = try #require(created.metadata.uid)

        // The ConfigMap appears with the content under the key the schema defaulted, controlled by the generator.
        try await env.waitUntil("the ConfigMap exists") {
            try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "greeting") != nil
        }
        let configMap = try await env.api.get(ConfigMap.self, namespace: "default", name: "greeting")
        #expect(configMap.data == ["content": "hello"])
        #expect(configMap.metadata.ownerReferences == [OwnerReference(
            apiVersion: "samples.bosun.dev/v1", kind: "ConfigMapGenerator", name: "greeting", uid: uid,
            blockOwnerDeletion: true, controller: true)])

        // The status says which generation was handled, and that it is ready.
        try await env.waitUntil("the generator is Ready") {
            try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "greeting").isReady(generation: 1)
        }
        let ready = try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "greeting")
        #expect(ready.spec.key == "content", "defaulted by the CRD's schema")
        #expect(ready.metadata.finalizers == [ConfigMapGeneratorController.finalizer.name])
        #expect(ready.status?.observedGeneration == 1)
        let condition = try #require(ready.status?.condition("Ready"))
        #expect(condition.reason == "ConfigMapSynced")
        #expect(condition.lastTransitionTime == env.clock.now().truncatedToSeconds)
        try await env.waitUntil("a Created event") { try await env.eventReasons(for: "greeting").contains("Created") }

        // A new content is a new generation: the ConfigMap and the status follow.
        _ = try await env.api.patch(
            ConfigMapGenerator.self, namespace: "default", name: "greeting", .merge, ["spec": ["content": "bonjour"]])
        try await env.waitUntil("the ConfigMap holds the new content") {
            try await env.api.get(ConfigMap.self, namespace: "default", name: "greeting").data == ["content": "bonjour"]
        }
        try await env.waitUntil("generation 2 observed") {
            try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "greeting").isReady(generation: 2)
        }
        try await env.waitUntil("an Updated event") { try await env.eventReasons(for: "greeting").contains("Updated") }
        // Ready stayed True, so its transition time did not move.
        let updated = try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "greeting")
        #expect(updated.status?.condition("Ready")?.lastTransitionTime == condition.lastTransitionTime)

        // Deleting waits for the finalizer: the cleanup deletes the ConfigMap, records an event, and the generator goes.
        let deletion = try await env.api.delete(ConfigMapGenerator.self, namespace: "default", name: "greeting")
        guard case .pending = deletion else {
            Issue.record("the finalizer should have kept the generator: \(deletion)")
            return
        }
        try await env.waitUntil("the generator is gone") {
            try await env.api.getIfPresent(ConfigMapGenerator.self, namespace: "default", name: "greeting") == nil
        }
        #expect(try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "greeting") == nil)
        try await env.waitUntil("a CleanedUp event") { try await env.eventReasons(for: "greeting").contains("CleanedUp") }
        await env.stop()
    }

    @Test("a ConfigMap the generator does not control is left alone and reported")
    func foreignConfigMap() async throws {
        let env = try await startGeneratorEnvironment()
        _ = try await env.api.create(ConfigMap(
            metadata: ObjectMeta(name: "taken", namespace: "default"), data: ["mine": "yes"]))
        _ = try await env.api.create(generator("taken", content: "hello", key: "greeting.txt"))

        try await env.waitUntil("the generator reports the conflict") {
            let generator = try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "taken")
            return generator.status?.condition("Ready")?.reason == ConfigMapGeneratorController.Reason.conflict
        }
        let generator = try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "taken")
        #expect(generator.status?.condition("Ready")?.status == "False")
        #expect(try await env.api.get(ConfigMap.self, namespace: "default", name: "taken").data == ["mine": "yes"])
        try await env.waitUntil("a warning event") { try await env.eventReasons(for: "taken").contains("ConfigMapExists") }

        // Nothing wakes the controller when the other ConfigMap goes: its requeue a minute later
        // finds the name free. Time moves only to that requeue's deadline, whenever it is the
        // next timer (the reconcile that arms it may still be running, or arm it again).
        try await env.api.delete(ConfigMap.self, namespace: "default", name: "taken")
        try await env.waitUntil("the generator's own ConfigMap exists") {
            if env.clock.nextDeadline == env.clock.now().advanced(by: .seconds(60)) { env.clock.advance(by: .seconds(60)) }
            return try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "taken")?.data
                == ["greeting.txt": "hello"]
        }
        try await env.waitUntil("the generator is Ready") {
            try await env.api.get(ConfigMapGenerator.self, namespace: "default", name: "taken").isReady(generation: 1)
        }
        await env.stop()
    }

    @Test("the CRD's schema rejects a generator without content or with an invalid key")
    func schemaValidation() async throws {
        let env = try await startGeneratorEnvironment()
        // The Swift type cannot even express a missing content; the store sees raw JSON as kubectl would send it.
        let invalid = try UnstructuredObject(jsonString: #"""
            {"apiVersion":"samples.bosun.dev/v1","kind":"ConfigMapGenerator",
             "metadata":{"name":"empty","namespace":"default"},"spec":{"key":"not a key!"}}
            """#)
        let error = await #expect(throws: APIError.self) {
            _ = try await env.store.create(ConfigMapGenerator.resource.resourceKey, namespace: "default", object: invalid)
        }
        #expect(error?.code == 422)
        #expect(error?.message.contains("spec.content: Required value") == true)
        #expect(error?.message.contains("spec.key: Invalid value") == true)
        await env.stop()
    }
}

/// A test environment whose store serves the ConfigMapGenerator CRD, with the controller
/// registered and the manager running.
private func startGeneratorEnvironment() async throws -> TestEnvironment {
    let env = try await TestEnvironment.start()
    try await ConfigMapGenerator.installDefinition(using: env.api)
    try await env.waitUntil("the CRD is established") {
        let crd = try await env.api.get(
            CustomResourceDefinition.self, namespace: nil, name: "configmapgenerators.samples.bosun.dev")
        return crd.status.conditions?.contains { $0.type == "Established" && $0.status == "True" } ?? false
    }
    try registerConfigMapGenerator(with: env.manager)
    env.startManager()
    return env
}

private func generator(_ name: String, content: String, key: String? = nil) -> ConfigMapGenerator {
    ConfigMapGenerator(metadata: ObjectMeta(name: name, namespace: "default"), spec: .init(content: content, key: key))
}

extension ConfigMapGenerator {
    /// Whether the controller handled `generation` and reported Ready.
    fileprivate func isReady(generation: Int64) -> Bool {
        status?.observedGeneration == generation && status?.condition("Ready")?.status == "True"
    }
}

extension TestEnvironment {
    /// The reasons of the events about the object named `name` in `default`.
    fileprivate func eventReasons(for name: String) async throws -> [String] {
        try await api.listAll(Event.self, namespace: "default")
            .filter { $0.involvedObject.name == name && $0.involvedObject.kind == "ConfigMapGenerator" }
            .compactMap(\.reason)
    }
}
