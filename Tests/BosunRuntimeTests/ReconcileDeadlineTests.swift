import BosunKit
@testable import BosunRuntime
import BosunStore
import MetricsTestKit
import Synchronization
import Testing

@Suite("Controllers: the per-reconcile deadline")
struct ReconcileDeadlineTests {
    /// One worker, so a reconcile that held it would starve every other key; deadlines on a
    /// clock of their own.
    private func environment(_ deadlines: ManualClock, metrics: TestMetrics? = nil) async throws -> TestEnvironment {
        try await TestEnvironment.start(options: ManagerOptions(
            defaultConcurrency: 1, metricsFactory: metrics, reconcileTimeout: .seconds(30), reconcileDeadlineClock: deadlines))
    }

    @Test("a hung reconcile is cancelled at 30 s, counted, its worker freed for other keys, its key retried with backoff")
    func cancelledAtDeadline() async throws {
        let deadlines = ManualClock()
        let metrics = TestMetrics()
        let env = try await environment(deadlines, metrics: metrics)
        let probe = ReconcileProbe()
        let cancelled = Mutex(0)
        let controller = try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            defer { probe.end(ObjectName(of: object)) }
            if object.metadata.name == "hang" && context.retries == 0 {
                // Waits on the wall clock, which a test never reaches: only cancellation ends it.
                do { try await Task.sleep(for: .seconds(3600)) } catch { cancelled.withLock { $0 += 1 }; throw error }
            }
            return .done
        }
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("hang"))
        try await env.waitUntil("the hung reconcile began and its deadline is set") {
            probe.count("hang") == 1 && deadlines.sleeperCount == 1
        }
        _ = try await env.api.create(sampleConfigMap("other"))
        deadlines.advance(by: .seconds(29))
        #expect(probe.count("other") == 0 && cancelled.withLock { $0 } == 0)
        deadlines.advance(by: .seconds(1))
        try await env.waitUntil("the worker moved on and the hung reconcile was cancelled") {
            probe.count("other") == 1 && cancelled.withLock { $0 } == 1
        }
        // Requeued with the controller's backoff (5 ms, on the manager's clock).
        env.clock.advance(by: .milliseconds(5))
        try await env.waitUntil("the key was retried") { probe.count("hang") == 2 }
        #expect(probe.state.withLock { $0.retries.last } == 1)
        #expect(!probe.state.withLock { $0.overlapped })
        #expect(controller.abandonedReconciles == 0)
        let timeouts = try metrics.expectCounter("controller_runtime_reconcile_total",
                                                 [("controller", "configmap"), ("result", "timeout")])
        #expect(timeouts.totalValue == 1)
        await env.stop()
    }

    @Test("a reconcile deaf to cancellation is abandoned: other keys proceed, its key is not reconciled twice at once, and is retried once it returns")
    func abandoned() async throws {
        let deadlines = ManualClock()
        let env = try await environment(deadlines)
        let probe = ReconcileProbe()
        let gate = TestGate()
        let controller = try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            defer { probe.end(ObjectName(of: object)) }
            if object.metadata.name == "deaf" && context.retries == 0 { await gate.wait() }
            return .done
        }
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("deaf"))
        try await env.waitUntil("the deaf reconcile began") { probe.count("deaf") == 1 && deadlines.sleeperCount == 1 }
        deadlines.advance(by: .seconds(30))
        try await env.waitUntil("it was abandoned") { controller.abandonedReconciles == 1 }
        for name in ["a", "b", "c"] { _ = try await env.api.create(sampleConfigMap(name)) }
        try await env.waitUntil("other keys were reconciled meanwhile") {
            ["a", "b", "c"].allSatisfy { probe.count($0) == 1 }
        }
        // Its backoff is long past and an update came: still one run of it, the abandoned one.
        env.clock.advance(by: .seconds(10))
        var deaf = try await env.api.get(ConfigMap.self, namespace: "default", name: "deaf")
        deaf.data = ["touched": "yes"]
        _ = try await env.api.update(deaf)
        _ = try await env.api.create(sampleConfigMap("d"))
        try await env.waitUntil("a later key was reconciled") { probe.count("d") == 1 }
        #expect(probe.count("deaf") == 1)

        gate.open()
        try await env.waitUntil("the abandoned reconcile returned and the key was reconciled again") {
            controller.abandonedReconciles == 0 && probe.count("deaf") == 2
        }
        #expect(!probe.state.withLock { $0.overlapped })
        await env.stop()
    }

    @Test("reconciles within their deadline are never expired, one timer serves them all and parks when idle; a controller may opt out")
    func noExpiryAndOptOut() async throws {
        let deadlines = ManualClock()
        let metrics = TestMetrics()
        let env = try await environment(deadlines, metrics: metrics)
        let probe = ReconcileProbe()
        let limited = try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            probe.end(ObjectName(of: object))
            return .done
        }
        let unlimited = try env.manager.controller(for: Secret.self).reconcileTimeout(nil).reconcile { _, _ in .done }
        #expect(unlimited.reconcileTimeout == nil)
        env.startManager()
        for i in 0..<20 { _ = try await env.api.create(sampleConfigMap("c\(i)")) }
        try await env.waitUntil("all reconciled") { (0..<20).allSatisfy { probe.count("c\($0)") >= 1 } }
        #expect(deadlines.sleeperCount <= 1, "one deadline watch for the controller, not a timer per reconcile")
        // Past every deadline: nothing is in flight, so nothing expires, and the watch parks.
        deadlines.advance(by: .seconds(31))
        try await env.waitUntil("the deadline watch parked") { deadlines.sleeperCount == 0 }
        #expect(limited.abandonedReconciles == 0)
        let timeouts = try metrics.expectCounter("controller_runtime_reconcile_total",
                                                 [("controller", "configmap"), ("result", "timeout")])
        #expect(timeouts.totalValue == 0)
        await env.stop()
    }
}
