import BosunKit
@testable import BosunRuntime
import BosunStore
import Synchronization
import Testing

@Suite("Controllers: urgent reconciles go first")
struct ReconcilePriorityTests {
    /// Two controllers on ConfigMaps: `urgent` holds its reconcile of `u` at `hold`; `normal`
    /// records what it reconciles. No reconcile deadline, so the only sleeper on `limitClock` is
    /// the gate's limit.
    private func start(
        _ limitClock: ManualClock, hold: TestGate, urgent: ReconcileProbe, normal: ReconcileProbe
    ) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start(options: ManagerOptions(
            defaultConcurrency: 2, reconcileTimeout: nil, reconcileDeadlineClock: limitClock, urgentDeferralLimit: .seconds(2)))
        try env.manager.controller(for: ConfigMap.self).named("urgent").priority(.urgent).reconcile { object, _ in
            urgent.begin(ObjectName(of: object), retries: 0)
            defer { urgent.end(ObjectName(of: object)) }
            if object.metadata.name == "u" { await hold.wait() }
            return .done
        }
        try env.manager.controller(for: ConfigMap.self).named("normal").reconcile { object, _ in
            normal.begin(ObjectName(of: object), retries: 0)
            normal.end(ObjectName(of: object))
            return .done
        }
        env.startManager()
        return env
    }

    /// Makes u (whose urgent reconcile then holds) and n: returns once the urgent controller
    /// reconciled n beside u (its second worker), a normal worker waits at the gate and the
    /// gate's limit is timing. The normal controller may have reconciled u before the urgent
    /// one started on it; n it has not.
    private func holdNormalBehindUrgent(_ env: TestEnvironment, urgent: ReconcileProbe, limitClock: ManualClock) async throws {
        let gate = env.manager.reconcileGate
        _ = try await env.api.create(sampleConfigMap("u"))
        try await env.waitUntil("the urgent reconcile of u is running") { urgent.count("u") == 1 }
        _ = try await env.api.create(sampleConfigMap("n"))
        try await env.waitUntil("the urgent controller reconciled n, a normal worker waits, the limit is timing") {
            urgent.count("n") == 1 && gate.waitingCount >= 1 && limitClock.sleeperCount == 1
        }
    }

    @Test("while an urgent controller has a reconcile running, normal controllers' workers wait; they go once it is done")
    func normalWaitsForUrgent() async throws {
        let (limitClock, hold, urgent, normal) = (ManualClock(), TestGate(), ReconcileProbe(), ReconcileProbe())
        let env = try await start(limitClock, hold: hold, urgent: urgent, normal: normal)
        let gate = env.manager.reconcileGate
        try await holdNormalBehindUrgent(env, urgent: urgent, limitClock: limitClock)
        #expect(normal.count("n") == 0)
        #expect(gate.isHolding)

        hold.open()
        try await env.waitUntil("the normal controller reconciled both once the urgent work was done") {
            normal.count("u") == 1 && normal.count("n") == 1
        }
        #expect(!gate.isHolding)
        // With the urgent controller idle, normal reconciles are not held.
        _ = try await env.api.create(sampleConfigMap("later"))
        try await env.waitUntil("a later key went straight through") { normal.count("later") == 1 }
        await env.stop()
    }

    @Test("an urgent controller that stays busy holds the others for the limit only, then lets them through until it drains")
    func heldAtMostTheLimit() async throws {
        let (limitClock, hold, urgent, normal) = (ManualClock(), TestGate(), ReconcileProbe(), ReconcileProbe())
        let env = try await start(limitClock, hold: hold, urgent: urgent, normal: normal)
        try await holdNormalBehindUrgent(env, urgent: urgent, limitClock: limitClock)
        limitClock.advance(by: .milliseconds(1999))
        #expect(normal.count("n") == 0)
        limitClock.advance(by: .milliseconds(1))
        try await env.waitUntil("at the limit the held reconcile went, the urgent one still running") {
            normal.count("n") == 1 && urgent.state.withLock { !$0.inFlight.isEmpty }
        }
        _ = try await env.api.create(sampleConfigMap("m"))
        try await env.waitUntil("until the urgent work drains, normal keys are not held again") { normal.count("m") == 1 }
        hold.open()
        await env.stop()
    }

    @Test("an urgent controller removed with keys still queued holds nobody back")
    func removedUrgentReleases() async {
        let gate = ReconcileGate(limit: .seconds(2), clock: ManualClock())
        gate.urgentBegan("cron")
        gate.urgentEnded("cron", backlog: 3)
        #expect(gate.isHolding, "keys still queued")
        let waiting = Task { await gate.pass() }
        await eventually("a normal worker waits") { gate.waitingCount == 1 }
        gate.urgentRemoved("cron")
        await waiting.value
        #expect(!gate.isHolding)
    }
}
