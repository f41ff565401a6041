import BosunKit
import BosunNodes
import BosunPlugin
import BosunPluginHost
import BosunRuntime
import BosunScheduler
import Logging
import Synchronization
import Testing

/// A node runtime from a plugin: the nodes labelled `bosun.dev/runtime=echo` are its own; it
/// reports them Ready and runs each pod bound to them by marking it Running.
final class EchoRuntime: NodeRuntime {
    let name = "echo"
    let registrations = Atomic(0)

    func register(with manager: Manager) throws {
        registrations.add(1, ordering: .relaxed)
        _ = try manager.controller(for: Pod.self)
            .named("echo-kubelet")
            .reconcile { pod, context in
                guard let node = pod.spec.nodeName, node.hasPrefix("echo-"), pod.status.phase != "Running" else { return .done }
                var running = pod
                running.status.phase = "Running"
                _ = try await context.client.updateStatus(running)
                return .done
            }
    }

    func stop(node: String) {}
    func restart(node: String) {}
}

/// A Filter plugin from a plugin: pods labelled `echo: "true"` go to echo nodes only.
struct EchoOnly: FilterPlugin {
    let name = "EchoOnly"

    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard pod.pod.metadata.labels?["echo"] == "true" else { return .success }
        return node.node.metadata.labels?[NodeRuntimeLabel.key] == "echo" ? .success : .unschedulable("node is not an echo node")
    }
}

struct EchoPlugin: BosunPlugin {
    static let descriptor = PluginInfo(name: "echo", version: "1.0.0")
    static let runtime = EchoRuntime()

    func register(_ registrar: PluginRegistrar) throws {
        registrar.addNodeRuntime(Self.runtime)
        registrar.addSchedulerPlugin(EchoOnly())
    }
}

@Suite("Plugins: node runtimes and scheduler plugins")
struct PluginRuntimeAndSchedulingTests {
    @Test("a plugin's Filter plugin joins the scheduler's profile and its node runtime runs the pods it places")
    func runtimeAndFilter() async throws {
        let env = try await TestEnvironment.start()
        let report = await PluginRegistrationTests.install([PluginRegistrationTests.opened(EchoPlugin.self)], in: env)
        #expect(report.failures.isEmpty)
        #expect(report.loaded.first?.nodeRuntimes == ["echo"] && report.loaded.first?.schedulerPlugins == ["EchoOnly"])
        #expect(EchoPlugin.runtime.registrations.load(ordering: .relaxed) == 1)
        try Scheduler.register(with: env.manager) { handle, bind in
            try report.schedulerProfile(handle: handle, bind: bind)
        }
        for (name, runtime) in [("plain-1", "simulated"), ("plain-2", "simulated"), ("echo-1", "echo")] {
            var node = Node(metadata: ObjectMeta(labels: [NodeRuntimeLabel.key: runtime], name: name))
            node.status.allocatable = ["cpu": "4", "memory": "8Gi", "pods": "10"]
            node.status.conditions = [NodeCondition(status: "True", type: "Ready")]
            _ = try await env.api.create(node)
        }
        env.startManager()

        _ = try await env.api.create(Pod(
            metadata: ObjectMeta(labels: ["echo": "true"], name: "echoed", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "main", image: "busybox")])))
        try await env.waitUntil("the pod runs on the echo node") {
            let pod = try await env.api.get(Pod.self, namespace: "default", name: "echoed")
            return pod.spec.nodeName == "echo-1" && pod.status.phase == "Running"
        }
        await env.stopManager()
    }
}
