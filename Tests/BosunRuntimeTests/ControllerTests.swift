import BosunKit
@testable import BosunRuntime
import BosunStore
import MetricsTestKit
import Synchronization
import Testing

/// What a test reconciler saw.
final class ReconcileProbe: Sendable {
    struct State {
        var calls: [ObjectName] = []
        var retries: [Int] = []
        var inFlight: Set<ObjectName> = []
        var overlapped = false
        var lastData: [String: String]?
    }

    let state = Mutex(State())

    func begin(_ key: ObjectName, retries: Int) {
        state.withLock { s in
            s.calls.append(key)
            s.retries.append(retries)
            if !s.inFlight.insert(key).inserted { s.overlapped = true }
        }
    }

    func end(_ key: ObjectName) { state.withLock { _ = $0.inFlight.remove(key) } }

    var calls: [ObjectName] { state.withLock { $0.calls } }
    func count(_ name: String) -> Int { state.withLock { $0.calls.filter { $0.name == name }.count } }
}

@Suite("Controllers")
struct ControllerTests {
    @Test("one key is never reconciled twice at once, and the last reconcile sees the last state")
    func noConcurrentReconcileOfOneKey() async throws {
        let env = try await TestEnvironment.start(options: ManagerOptions(defaultConcurrency: 4))
        let probe = ReconcileProbe()
        try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            let key = ObjectName(of: object)
            probe.begin(key, retries: context.retries)
            await Task.yield()
            probe.state.withLock { $0.lastData = object.data }
            probe.end(key)
            return .done
        }
        env.startManager()
        var object = try await env.api.create(sampleConfigMap("busy"))
        for round in 1...40 {
            object.data = ["round": "\(round)"]
            object = try await env.api.update(object)
        }
        try await env.waitUntil("the last state was reconciled") {
            probe.state.withLock { $0.lastData == ["round": "40"] && $0.inFlight.isEmpty }
        }
        #expect(!probe.state.withLock { $0.overlapped })
        // 41 writes were coalesced into fewer reconciles while the key was queued.
        #expect(probe.count("busy") <= 41)
        await env.stop()
    }

    @Test("a key queued many times while waiting is reconciled once")
    func dedup() async throws {
        let queue = WorkQueue<ObjectName>(name: "dedup", clock: ManualClock())
        let key = ObjectName(namespace: "default", name: "a")
        for _ in 0..<100 { queue.add(key) }
        #expect(queue.count == 1)
        #expect(queue.tryNext() == key)
        #expect(queue.tryNext() == nil)
    }

    @Test("errors back off per key, 5 ms doubling, and the backoff resets after a success")
    func backoffGrowthAndReset() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        let failuresLeft = Mutex(3)
        let controller = try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            probe.end(ObjectName(of: object))
            let fail = failuresLeft.withLock { n -> Bool in
                defer { n -= 1 }
                return n > 0
            }
            if fail { throw APIError.internal("not yet") }
            return .done
        }
        env.startManager()
        let key = ObjectName(namespace: "default", name: "flaky")
        _ = try await env.api.create(sampleConfigMap("flaky"))
        for (attempt, delay) in [(1, 5), (2, 10), (3, 20)] {
            try await env.waitUntil("failure \(attempt) recorded") { controller.queue.retries(key) == attempt }
            env.clock.advance(by: .milliseconds(delay - 1))
            for _ in 0..<100 { await Task.yield() }
            #expect(probe.count("flaky") == attempt, "no retry before the backoff of \(delay) ms")
            env.clock.advance(by: .milliseconds(1))
            try await env.waitUntil("retry \(attempt)") { probe.count("flaky") == attempt + 1 }
        }
        try await env.waitUntil("success forgot the key") { controller.queue.retries(key) == 0 }
        #expect(probe.state.withLock { $0.retries } == [0, 1, 2, 3])

        // After the success, a new failure starts again at 5 ms.
        failuresLeft.withLock { $0 = 1 }
        var object = try await env.api.get(ConfigMap.self, namespace: "default", name: "flaky")
        object.data = ["changed": "yes"]
        _ = try await env.api.update(object)
        try await env.waitUntil("the new failure") { controller.queue.retries(key) == 1 }
        env.clock.advance(by: .milliseconds(5))
        try await env.waitUntil("retried after 5 ms") { probe.count("flaky") == 6 }
        await env.stop()
    }

    @Test("a terminal error is not retried")
    func terminalError() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        let controller = try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            probe.end(ObjectName(of: object))
            throw TerminalError(APIError.badRequest("bad spec"))
        }
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("bad"))
        try await env.waitUntil("reconciled once") { probe.count("bad") == 1 }
        env.clock.advance(by: .seconds(2000))
        for _ in 0..<1000 { await Task.yield() }
        #expect(probe.count("bad") == 1)
        #expect(controller.queue.retries(ObjectName(namespace: "default", name: "bad")) == 0)
        await env.stop()
    }

    @Test("requeue(after:) reconciles again once the delay has passed on the clock")
    func requeueAfter() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            probe.end(ObjectName(of: object))
            return .requeue(after: .seconds(30))
        }
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("poll"))
        try await env.waitUntil("first reconcile") { probe.count("poll") == 1 }
        env.clock.advance(by: .seconds(29))
        for _ in 0..<200 { await Task.yield() }
        #expect(probe.count("poll") == 1)
        env.clock.advance(by: .seconds(1))
        try await env.waitUntil("second reconcile") { probe.count("poll") == 2 }
        await env.stop()
    }

    @Test("requeue(after:) counts from the start of the reconcile, even if the reconcile took clock time")
    func requeueCountsFromStart() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        let clock = env.clock
        try env.manager.controller(for: ConfigMap.self).reconcile { object, context in
            probe.begin(ObjectName(of: object), retries: context.retries)
            probe.end(ObjectName(of: object))
            clock.advance(by: .seconds(10))  // the reconcile itself took 10 s
            return .requeue(after: .seconds(30))
        }
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("slow"))
        try await env.waitUntil("first reconcile") { probe.count("slow") == 1 }
        for _ in 0..<200 { await Task.yield() }
        env.clock.advance(by: .seconds(19))
        for _ in 0..<200 { await Task.yield() }
        #expect(probe.count("slow") == 1)
        env.clock.advance(by: .seconds(1))
        try await env.waitUntil("requeued 30 s after the first reconcile began") { probe.count("slow") == 2 }
        await env.stop()
    }

    @Test("enqueue reconciles a key that no event named")
    func externalEnqueue() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        let controller = try env.manager.controller(for: ConfigMap.self).complete(ProbeReconciler(probe: probe))
        env.startManager()
        await env.manager.waitForCacheSync()
        controller.enqueue(ObjectName(namespace: "default", name: "from-outside"))
        try await env.waitUntil("the key was reconciled") { probe.count("from-outside") == 1 }
        await env.stop()
    }

    @Test("owns: a change to a controlled child reconciles its owner")
    func ownsMapsChildrenToOwner() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        try env.manager.controller(for: Deployment.self)
            .owns(ConfigMap.self)
            .complete(ProbeReconciler(probe: probe))
        env.startManager()
        let owner = try await env.api.create(sampleDeployment("web"))
        try await env.waitUntil("owner reconciled") { probe.count("web") == 1 }
        var child = sampleConfigMap("web-config")
        child.metadata.ownerReferences = [OwnerReference(
            apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: owner.metadata.uid!, controller: true)]
        _ = try await env.api.create(child)
        try await env.waitUntil("owner reconciled for the child") { probe.count("web") == 2 }
        // A child controlled by a different kind does not map to a Deployment.
        var foreign = sampleConfigMap("other")
        foreign.metadata.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "x", controller: true)]
        _ = try await env.api.create(foreign)
        for _ in 0..<500 { await Task.yield() }
        #expect(probe.count("web") == 2)
        await env.stop()
    }

    @Test("watches: events of another kind map to the keys the function names")
    func watchesMap() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        try env.manager.controller(for: Deployment.self)
            .watches(ConfigMap.self) { config in
                config.metadata.labels?["app"].map { [ObjectName(namespace: config.metadata.namespace ?? "", name: $0)] } ?? []
            }
            .complete(ProbeReconciler(probe: probe))
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("settings", labels: ["app": "api"]))
        try await env.waitUntil("mapped key reconciled") { probe.count("api") == 1 }
        await env.stop()
    }

    @Test("generationChanged: status writes do not reconcile, spec changes do")
    func generationPredicate() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        try env.manager.controller(for: Deployment.self)
            .withPredicates(.generationChanged)
            .complete(ProbeReconciler(probe: probe))
        env.startManager()
        var deployment = try await env.api.create(sampleDeployment("web"))
        try await env.waitUntil("created") { probe.count("web") == 1 }
        deployment.status.observedGeneration = 1
        deployment = try await env.api.updateStatus(deployment)
        for _ in 0..<500 { await Task.yield() }
        #expect(probe.count("web") == 1)
        deployment.spec.replicas = 3
        _ = try await env.api.update(deployment)
        try await env.waitUntil("spec change reconciled") { probe.count("web") == 2 }
        await env.stop()
    }

    @Test("removing a controller stops it and releases its informers")
    func removal() async throws {
        let env = try await TestEnvironment.start()
        let probe = ReconcileProbe()
        try env.manager.controller(for: Deployment.self).named("web").owns(ConfigMap.self).complete(ProbeReconciler(probe: probe))
        env.startManager()
        await env.manager.waitForCacheSync()
        #expect(env.manager.informers.count == 2)
        await env.manager.remove(controller: "web")
        #expect(env.manager.informers.count == 0)
        #expect(env.manager.controllerNames.isEmpty)
        _ = try await env.api.create(sampleDeployment("after"))
        for _ in 0..<500 { await Task.yield() }
        #expect(probe.count("after") == 0)
        try await env.waitUntil("watches closed") { env.store.watchCount == 0 }
        await env.stop()
    }

    @Test("a second controller with the same name is refused")
    func duplicateNames() async throws {
        let env = try await TestEnvironment.start()
        try env.manager.controller(for: ConfigMap.self).complete(ProbeReconciler(probe: ReconcileProbe()))
        #expect(throws: ManagerError.duplicateController("configmap")) {
            try env.manager.controller(for: ConfigMap.self).complete(ProbeReconciler(probe: ReconcileProbe()))
        }
        await env.stop()
    }

    @Test("a standby manager warms its caches, reconciles nothing until it leads, and takes over on a clean shutdown")
    func standbyTakesOver() async throws {
        func options(_ identity: String) -> ManagerOptions {
            ManagerOptions(defaultConcurrency: 1, leaderElection: LeaderElectionConfig(leaseName: "controllers", identity: identity))
        }
        let env = try await TestEnvironment.start(options: options("a"))
        let leader = ReconcileProbe()
        let follower = ReconcileProbe()
        try env.manager.controller(for: ConfigMap.self).complete(ProbeReconciler(probe: leader))
        let standby = Manager(client: env.api, clock: env.clock, options: options("b"))
        try standby.controller(for: ConfigMap.self).complete(ProbeReconciler(probe: follower))
        _ = try await env.api.create(sampleConfigMap("x"))

        env.startManager()
        try await env.waitUntil("a leads") { env.manager.isLeading }
        try await env.waitUntil("a reconciled") { leader.count("x") == 1 }
        let standbyRun = Task { try await standby.run() }
        try await env.waitUntil("b's caches are warm") { standby.hasSynced }
        try await env.waitUntil("b tried and waits for its next attempt") {
            let lease = try await env.api.get(Lease.self, namespace: "kube-system", name: "controllers")
            return lease.spec.holderIdentity == "a" && env.clock.sleeperCount >= 4
        }
        #expect(!standby.isLeading)
        #expect(follower.calls.isEmpty)

        await env.stopManager()
        let released = try await env.api.get(Lease.self, namespace: "kube-system", name: "controllers")
        #expect(released.spec.holderIdentity ?? "" == "")
        env.clock.advance(by: .seconds(5))
        try await env.waitUntil("b leads") { standby.isLeading }
        try await env.waitUntil("b reconciled") { follower.count("x") == 1 }
        standbyRun.cancel()
        _ = try? await standbyRun.value
        await env.stop()
    }

    @Test("a controller added while the manager runs reconciles nothing until its informers have loaded")
    func addedControllerWaitsForItsCaches() async throws {
        let store = try await makeRuntimeStore()
        let direct = StoreClient(store: store)
        for name in ["a", "b"] { _ = try await direct.create(sampleConfigMap(name)) }
        let faulty = FaultyClient(direct)
        let secondPage = TestGate()
        faulty.holdList(call: 2, at: secondPage)
        let manager = Manager(client: faulty, clock: ManualClock(), options: ManagerOptions(informerPageSize: 1))
        let running = Task { try await manager.run() }
        await eventually("the manager leads") { manager.isLeading }

        // A plugin's controller, loaded later: its informer starts with it.
        let probe = ReconcileProbe()
        let reconciledUnsynced = Mutex(false)
        try manager.controller(for: ConfigMap.self).reconcile { object, _ in
            if !manager.hasSynced { reconciledUnsynced.withLock { $0 = true } }
            probe.begin(ObjectName(of: object), retries: 0)
            probe.end(ObjectName(of: object))
            return .done
        }
        await eventually("the first page listed, the second held") { faulty.listCalls == 2 }
        for _ in 0..<10_000 { await Task.yield() }
        #expect(probe.calls.isEmpty)
        secondPage.open()
        await eventually("both reconciled") { probe.count("a") == 1 && probe.count("b") == 1 }
        #expect(!reconciledUnsynced.withLock { $0 })
        running.cancel()
        _ = try? await running.value
        await store.close()
    }

    @Test("a controller given an executor reconciles there, with or without a deadline; others stay on the shared pool")
    func dedicatedExecutor() async throws {
        let env = try await TestEnvironment.start(options: ManagerOptions(defaultConcurrency: 2))
        let executor = DedicatedExecutor(label: "test.dedicated")
        let onExecutor = Mutex<[String: Bool]>([:])
        for (name, timeout) in [("with-deadline", Duration?.some(.seconds(30))), ("without-deadline", nil)] {
            try env.manager.controller(for: ConfigMap.self).named(name).executor(executor).reconcileTimeout(timeout)
                .reconcile { _, _ in
                    onExecutor.withLock { $0[name] = executor.isCurrent }
                    return .done
                }
        }
        try env.manager.controller(for: ConfigMap.self).named("shared").reconcile { _, _ in
            onExecutor.withLock { $0["shared"] = executor.isCurrent }
            return .done
        }
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("x"))
        try await env.waitUntil("all three reconciled") { onExecutor.withLock { $0.count == 3 } }
        #expect(onExecutor.withLock { $0 } == ["with-deadline": true, "without-deadline": true, "shared": false])
        await env.stop()
    }

    @Test("reconcile metrics count outcomes per controller")
    func metrics() async throws {
        let metrics = TestMetrics()
        let env = try await TestEnvironment.start(options: ManagerOptions(defaultConcurrency: 1, metricsFactory: metrics))
        try env.manager.controller(for: ConfigMap.self).complete(ProbeReconciler(probe: ReconcileProbe()))
        env.startManager()
        _ = try await env.api.create(sampleConfigMap("m"))
        try await env.waitUntil("a success recorded") {
            (try? metrics.expectCounter("controller_runtime_reconcile_total", [("controller", "configmap"), ("result", "success")]))?
                .totalValue ?? 0 >= 1
        }
        await env.stop()
    }
}

struct ProbeReconciler: Reconciler {
    let probe: ReconcileProbe

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        probe.begin(request, retries: context.retries)
        probe.end(request)
        return .done
    }
}

func sampleDeployment(_ name: String) -> Deployment {
    Deployment(
        metadata: ObjectMeta(name: name, namespace: "default"),
        spec: DeploymentSpec(
            selector: LabelSelector(matchLabels: ["app": name]),
            template: PodTemplateSpec(
                metadata: ObjectMeta(labels: ["app": name]),
                spec: PodSpec(containers: [Container(name: "web", image: "nginx")]))))
}
