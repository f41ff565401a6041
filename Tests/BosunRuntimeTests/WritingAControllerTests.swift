import BosunKit
import BosunRuntime
import BosunStore
import ConfigMapGenerator
import CoreMetrics
import Foundation
import Logging
import MetricsTestKit
import Testing

// The code shown in docs/writing-a-controller.md, compiled and run here so the page stays true.
// Change both together.

// MARK: Running it in a host

/// Runs the sample operator until the calling task is cancelled.
func runOperator(store: ObjectStore, metrics: any MetricsFactory) async throws {
    let manager = Manager(
        client: StoreClient(store: store),
        logger: Logger(label: "configmapgenerator-operator"),
        options: ManagerOptions(
            leaderElection: LeaderElectionConfig(
                leaseName: "configmapgenerator-operator", namespace: "kube-system",
                identity: "operator-" + UUID().uuidString),
            metricsFactory: metrics))
    try await ConfigMapGenerator.installDefinition(using: manager.api)
    try registerConfigMapGenerator(with: manager)
    try await manager.run()
}

@Suite("docs/writing-a-controller.md")
struct WritingAControllerTests {
    @Test("the quick start's controller writes the ConfigMap")
    func quickStart() async throws {
        let env = try await TestEnvironment.start()
        _ = try await env.api.create(greetingCRD)
        try registerGreetings(with: env.manager)
        env.startManager()

        _ = try await env.api.create(Greeting(
            metadata: ObjectMeta(name: "hello", namespace: "default"), spec: .init(message: "hi")))
        try await env.waitUntil("the ConfigMap holds the message") {
            try await env.api.getIfPresent(ConfigMap.self, namespace: "default", name: "hello")?.data == ["message": "hi"]
        }
        await env.stop()
    }

    @Test("a host runs the operator with leader election and metrics, and lets go of the lease on shutdown")
    func host() async throws {
        let store = try await ObjectStore.open(backend: MemoryBackend())
        let metrics = TestMetrics()
        let running = Task { try await runOperator(store: store, metrics: metrics) }
        let api = StoreClient(store: store)

        let lease = try await wait("the lease is held") {
            try await api.getIfPresent(Lease.self, namespace: "kube-system", name: "configmapgenerator-operator")
                .flatMap { $0.spec.holderIdentity?.isEmpty == false ? $0 : nil }
        }
        #expect(lease.spec.leaseDurationSeconds == 15)
        _ = try await wait("the CRD is served") {
            try? await api.listAll(ConfigMapGenerator.self, namespace: "default")
        }
        _ = try await api.create(ConfigMapGenerator(
            metadata: ObjectMeta(name: "greeting", namespace: "default"), spec: .init(content: "hello")))
        _ = try await wait("the ConfigMap exists") {
            try await api.getIfPresent(ConfigMap.self, namespace: "default", name: "greeting")
        }
        _ = try await wait("a success counted") {
            let total = try? metrics.expectCounter(
                "controller_runtime_reconcile_total", [("controller", "configmapgenerator"), ("result", "success")])
            return (total?.totalValue ?? 0) >= 1 ? true : nil
        }
        #expect(try metrics.expectCounter("workqueue_adds_total", [("name", "configmapgenerator")]).totalValue >= 1)

        running.cancel()
        try await running.value
        let released = try await api.get(Lease.self, namespace: "kube-system", name: "configmapgenerator-operator")
        #expect(released.spec.holderIdentity ?? "" == "")
        await store.close()
    }
}

/// Yields until `value` returns something; a hang becomes a failure after 30 s of real time.
private func wait<T>(_ what: String, _ value: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
        if let result = try await value() { return result }
        if ContinuousClock.now > deadline { throw TestEnvironmentError.timedOut(what) }
        await Task.yield()
    }
}
