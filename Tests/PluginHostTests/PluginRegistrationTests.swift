import BosunKit
import BosunPlugin
import BosunPluginHost
import BosunRuntime
import Logging
import Testing

/// A custom kind the test plugins serve.
struct Gadget: CustomResource {
    static let resource = ResourceDescriptor(
        group: "test.bosun.dev", version: "v1", kind: "Gadget", plural: "gadgets", namespaced: true)
    var metadata = ObjectMeta()
    var spec = Spec()

    struct Spec: Codable, Hashable, Sendable {
        var size = 0
    }

    static var definition: CustomResourceDefinition {
        CustomResourceDefinition(
            metadata: ObjectMeta(name: resource.groupResource),
            spec: CustomResourceDefinitionSpec(
                group: resource.group,
                names: CustomResourceDefinitionNames(kind: resource.kind, plural: resource.plural),
                scope: "Namespaced",
                versions: [CustomResourceDefinitionVersion(
                    name: resource.version, served: true, storage: true,
                    schema: CustomResourceValidation(openAPIV3Schema: JSONSchemaProps(
                        properties: ["spec": JSONSchemaProps(
                            properties: ["size": JSONSchemaProps(format: "int64", minimum: 0, type: "integer")],
                            type: "object")],
                        type: "object")))]))
    }
}

/// Serves Gadgets, labels every new Gadget, and runs a controller that marks them reconciled.
struct GadgetPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "gadgets", version: "1.0.0")

    func register(_ registrar: PluginRegistrar) throws {
        try registrar.addCustomResource(Gadget.self, definition: Gadget.definition)
        registrar.addMutatingHook(GadgetLabeler())
        registrar.addController("gadget-marker") { manager in
            _ = try manager.controller(for: Gadget.self).reconcile { gadget, context in
                guard gadget.metadata.annotations?["reconciled"] == nil else { return .done }
                var marked = gadget
                marked.metadata.annotations = ["reconciled": "yes"]
                _ = try await context.client.update(marked)
                return .done
            }
        }
    }
}

struct GadgetLabeler: MutatingAdmissionHook {
    var name: String { "gadget-labeler" }
    func appliesTo(_ request: AdmissionRequest) -> Bool { request.kind.kind == "Gadget" }
    func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
        var meta = object.object["metadata"]?.objectValue ?? [:]
        var labels = meta["labels"]?.objectValue ?? [:]
        labels["gadget"] = .string("labelled")
        meta["labels"] = .object(labels)
        object.object["metadata"] = .object(meta)
    }
}

/// Claims the Gadget kind too.
struct RivalGadgetPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "rival-gadgets", version: "2.0.0")
    func register(_ registrar: PluginRegistrar) throws {
        try registrar.addCustomResource(Gadget.definition)
    }
}

/// Claims the hook name of GadgetPlugin's labeler.
struct RivalHookPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "rival-hooks", version: "1.0.0")
    func register(_ registrar: PluginRegistrar) throws {
        registrar.addMutatingHook(GadgetLabeler())
    }
}

struct SetupFailed: Error, CustomStringConvertible {
    var description: String { "the plugin's configuration file /etc/broken.yaml is missing" }
}

/// Throws from its registration after adding a hook: nothing of it may be applied.
struct ThrowingPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "throws", version: "0.0.1")
    func register(_ registrar: PluginRegistrar) throws {
        registrar.addMutatingHook(GadgetLabeler())
        throw SetupFailed()
    }
}

/// The registration, conflict and apply stages, with plugins compiled into the test bundle and
/// exported through the same descriptor a library's `bosun_plugin_entry` returns.
@Suite("Plugin registration")
struct PluginRegistrationTests {
    static func opened<P: BosunPlugin>(_ plugin: P.Type) -> Result<PluginLibrary, PluginLoadError> {
        let descriptor = BosunPluginEntry.descriptor(for: plugin).assumingMemoryBound(to: BosunPluginDescriptor.self)
        return Result { () throws(PluginLoadError) in try PluginLibrary.accept(descriptor, path: "in-test/\(P.descriptor.name)") }
    }

    static func install(_ libraries: [Result<PluginLibrary, PluginLoadError>], in env: TestEnvironment) async -> PluginLoadReport {
        await PluginHost.install(libraries, store: env.store, manager: env.manager, logger: Logger(label: "test"))
    }

    @Test("a plugin's kind is served, its hook mutates and its controller reconciles")
    func customKindHookAndController() async throws {
        let env = try await TestEnvironment.start()
        let report = await Self.install([Self.opened(GadgetPlugin.self)], in: env)
        #expect(report.failures.isEmpty)
        #expect(report.loaded.map(\.customKinds) == [["gadgets.test.bosun.dev"]])
        env.startManager()

        let created = try await env.api.create(Gadget(metadata: ObjectMeta(name: "g1", namespace: "default")))
        #expect(created.metadata.labels == ["gadget": "labelled"])
        try await env.waitUntil("the plugin's controller marks the gadget") {
            try await env.api.get(Gadget.self, namespace: "default", name: "g1").metadata.annotations?["reconciled"] == "yes"
        }
        await env.stopManager()
    }

    @Test("a registration that throws is reported, nothing of it applied, and the other plugins load")
    func registrationThrows() async throws {
        let env = try await TestEnvironment.start()
        let report = await Self.install([Self.opened(ThrowingPlugin.self), Self.opened(GadgetPlugin.self)], in: env)
        #expect(report.failures.map(\.description) == [
            "plugin \"throws\" (in-test/throws): registration failed: the plugin's configuration file /etc/broken.yaml is missing",
        ])
        #expect(report.failures.map(\.reason) == [.registrationFailed])
        // Its hook was not registered, so GadgetPlugin could take the same name.
        #expect(report.loaded.map(\.info.name) == ["gadgets"])
    }

    @Test("two plugins claiming one kind: the second is refused")
    func kindConflict() async throws {
        let env = try await TestEnvironment.start()
        let report = await Self.install([Self.opened(GadgetPlugin.self), Self.opened(RivalGadgetPlugin.self)], in: env)
        #expect(report.loaded.map(\.info.name) == ["gadgets"])
        #expect(report.failures.map(\.description) == [
            "plugin \"rival-gadgets\" (in-test/rival-gadgets): kind gadgets.test.bosun.dev is already claimed by plugin \"gadgets\"; load only one of the two, or rename one",
        ])
        #expect(report.failures.map(\.reason) == [.conflict])
    }

    @Test("two plugins claiming one hook name: the second is refused")
    func hookConflict() async throws {
        let env = try await TestEnvironment.start()
        let report = await Self.install([Self.opened(GadgetPlugin.self), Self.opened(RivalHookPlugin.self)], in: env)
        #expect(report.failures.map(\.description) == [
            "plugin \"rival-hooks\" (in-test/rival-hooks): admission hook \"gadget-labeler\" is already claimed by plugin \"gadgets\"; load only one of the two, or rename one",
        ])
    }

    @Test("a CustomResourceDefinition that does not serve the type is refused at registration")
    func mismatchedDefinition() throws {
        let registrar = PluginRegistrar(pluginName: "p")
        var definition = Gadget.definition
        definition.spec.names.plural = "gizmos"
        #expect(throws: PluginRegistrationError.self) { try registrar.addCustomResource(Gadget.self, definition: definition) }
        #expect(registrar.registrations.customKinds.isEmpty)
    }
}
