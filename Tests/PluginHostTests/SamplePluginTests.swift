import BosunHost
import BosunKit
import BosunPluginHost
import BosunRuntime
import Logging
import Testing

/// The sample plugin `Samples/DeploymentDefaultsPlugin`, loaded from its `.so` as `bosun up
/// --plugin` loads it.
@Suite("Sample plugin: deployment-defaults")
struct SamplePluginTests {
    static func deployment(_ name: String) -> Deployment {
        Deployment(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: DeploymentSpec(
                selector: LabelSelector(matchLabels: ["app": name]),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": name]),
                    spec: PodSpec(containers: [Container(name: "web", image: "nginx:1.27")])),
                replicas: 2))
    }

    @Test("its hook annotates the pod template and its controller keeps a summary ConfigMap")
    func hookAndController() async throws {
        let env = try await TestEnvironment.start()
        let path = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let report = await PluginHost.load(paths: [path], store: env.store, manager: env.manager, logger: Logger(label: "test"))
        #expect(report.failures.isEmpty)
        #expect(report.loaded.first?.hooks == ["deployment-defaults.samples.bosun.dev"])
        #expect(report.loaded.first?.controllers == ["deployment-summary"])
        env.startManager()

        let created = try await env.api.create(Self.deployment("web"))
        #expect(created.spec.template.metadata?.annotations?["samples.bosun.dev/defaulted-by"] == "deployment-defaults")
        try await env.waitUntil("the summary ConfigMap exists") {
            try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "web-summary")?.data
                == ["replicas": "2", "images": "nginx:1.27"]
        }
        let summary = try await env.api.get(ConfigMap.self, namespace: "default", name: "web-summary")
        #expect(summary.metadata.ownerReferences?.first?.uid == created.metadata.uid)

        var scaled = try await env.api.get(Deployment.self, namespace: "default", name: "web")
        scaled.spec.replicas = 5
        _ = try await env.api.update(scaled)
        try await env.waitUntil("the summary follows the Deployment") {
            try await env.api.get(ConfigMap.self, namespace: "default", name: "web-summary").data?["replicas"] == "5"
        }
        await env.stopManager()
    }

    @Test("loading the same plugin twice: the second load is refused for its hook")
    func loadedTwice() async throws {
        let env = try await TestEnvironment.start()
        let path = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let report = await PluginHost.load(paths: [path, path], store: env.store, manager: env.manager, logger: Logger(label: "test"))
        #expect(report.loaded.count == 1)
        #expect(report.failures.map(\.description) == [
            "plugin \"deployment-defaults\" (\(path)): admission hook \"deployment-defaults.samples.bosun.dev\" is already claimed by plugin \"deployment-defaults\"; load only one of the two, or rename one",
        ])
    }

    @Test("a control plane runs with the plugins that load, and readiness names the one that did not")
    func controlPlaneWithAFailedPlugin() async throws {
        let path = try PluginFixtures.builtLibrary("DeploymentDefaultsPlugin")
        let plane = try await ControlPlane.start(ControlPlaneOptions(localNode: false, plugins: [path, "/nonexistent/libgone.so"]))
        await plane.waitUntilReady()
        #expect(plane.plugins.loaded.map(\.info.name) == ["deployment-defaults"])
        #expect(plane.plugins.failures.map(\.reason) == [.fileMissing])
        #expect(!plane.isReady)
        #expect(plane.readinessReport == """
            [+]informer-sync ok
            [+]plugin/deployment-defaults ok
            [-]plugin/libgone.so failed: no such file; build the plugin (swift build) and pass the path of its .so
            readyz check failed
            """)
        let created = try await StoreClient(store: plane.store).create(Self.deployment("api"))
        #expect(created.spec.template.metadata?.annotations?["samples.bosun.dev/defaulted-by"] == "deployment-defaults")
        await plane.shutdown()
    }
}
