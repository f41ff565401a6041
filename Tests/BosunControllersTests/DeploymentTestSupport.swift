import BosunControllers
import BosunRuntime
import Synchronization
import Testing

/// The deployment controller alone on a test environment. The test plays the ReplicaSet
/// controller by writing ReplicaSet status (``report(_:ready:available:)``), so every step of a
/// rollout happens when the test says and the sequences are deterministic.
final class DeploymentHarness: Sendable {
    let env: TestEnvironment
    let events: EventRecorder
    let timeline: ReplicaSetTimeline

    private init(env: TestEnvironment, events: EventRecorder, timeline: ReplicaSetTimeline) {
        self.env = env
        self.events = events
        self.timeline = timeline
    }

    static func start() async throws -> DeploymentHarness {
        let env = try await TestEnvironment.start()
        let events = EventRecorder(client: env.api, clock: env.clock, component: DeploymentController.eventSource)
        try DeploymentController.register(with: env.manager, events: events)
        let timeline = try await ReplicaSetTimeline.watching(env.api)
        env.startManager()
        return DeploymentHarness(env: env, events: events, timeline: timeline)
    }

    func stop() async {
        await env.stopManager()
        timeline.stop()
        await events.shutdown()
        await env.stop()
    }

    // MARK: Playing the user

    @discardableResult
    func create(_ d: Deployment) async throws -> Deployment {
        try await env.api.create(d)
    }

    func deployment(_ name: String = "nginx-deployment") async throws -> Deployment {
        try await env.api.get(Deployment.self, namespace: "default", name: name)
    }

    /// Changes the Deployment as `kubectl edit` would, retrying when the controller's status
    /// write got in between.
    @discardableResult
    func edit(_ name: String = "nginx-deployment", _ change: @Sendable (inout Deployment) -> Void) async throws -> Deployment {
        while true {
            var d = try await deployment(name)
            change(&d)
            do {
                return try await env.api.update(d)
            } catch let error as APIError where error.code == 409 {
                continue
            }
        }
    }

    func setImage(_ image: String, of name: String = "nginx-deployment") async throws {
        try await edit(name) { $0.spec.template.spec?.containers[0].image = image }
    }

    func setImageReturning(_ image: String, of name: String = "nginx-deployment") async throws -> Deployment {
        try await edit(name) { $0.spec.template.spec?.containers[0].image = image }
    }

    func scale(_ name: String = "nginx-deployment", to replicas: Int32) async throws {
        try await edit(name) { $0.spec.replicas = replicas }
    }

    // MARK: Playing the ReplicaSet controller

    /// The ReplicaSets the Deployment controls, oldest first.
    func replicaSets(of name: String = "nginx-deployment") async throws -> [ReplicaSet] {
        let uid = try await deployment(name).metadata.uid
        return try await env.api.listAll(ReplicaSet.self, namespace: "default")
            .filter { $0.controllerOwner?.uid == uid }
            .sorted { ($0.metadata.creationTimestamp ?? .zero, $0.name) < ($1.metadata.creationTimestamp ?? .zero, $1.name) }
    }

    func replicaSet(_ name: String) async throws -> ReplicaSet {
        try await env.api.get(ReplicaSet.self, namespace: "default", name: name)
    }

    /// The controlled ReplicaSet whose pods run `image`.
    func replicaSet(running image: String, of name: String = "nginx-deployment") async throws -> ReplicaSet? {
        try await replicaSets(of: name).first { $0.spec.template?.spec?.containers.first?.image == image }
    }

    /// What the ReplicaSet controller reports once the pods of `rs` match its spec: `replicas`
    /// pods, of which `ready` are ready and `available` available (all, unless said).
    func report(_ name: String, ready: Int32? = nil, available: Int32? = nil) async throws {
        while true {
            var rs = try await replicaSet(name)
            let replicas = rs.spec.replicas ?? 1
            let ready = ready ?? replicas
            rs.status = ReplicaSetStatus(
                replicas: replicas, availableReplicas: available ?? ready, conditions: rs.status.conditions,
                fullyLabeledReplicas: replicas, observedGeneration: rs.metadata.generation, readyReplicas: ready)
            do {
                _ = try await env.api.updateStatus(rs)
                return
            } catch let error as APIError where error.code == 409 {
                continue
            }
        }
    }

    /// Changes a ReplicaSet's annotations only: an event that makes the controller sync with
    /// nothing new to see.
    func touch(_ name: String) async throws {
        while true {
            var rs = try await replicaSet(name)
            let count = Int(rs.metadata.annotations?["test/touched"] ?? "0") ?? 0
            rs.metadata.annotations = (rs.metadata.annotations ?? [:]).merging(["test/touched": String(count + 1)]) { $1 }
            do {
                _ = try await env.api.update(rs)
                return
            } catch let error as APIError where error.code == 409 {
                continue
            }
        }
    }

    // MARK: Looking

    func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        try await env.waitUntil(what, condition)
    }

    func condition(_ type: String, of name: String = "nginx-deployment") async throws -> DeploymentCondition? {
        try await deployment(name).status.conditions?.first { $0.type == type }
    }

    /// Waits until the spec of ReplicaSet `name` is `replicas`.
    func waitForSpec(_ name: String, _ replicas: Int32) async throws {
        try await waitUntil("\(name) is scaled to \(replicas)") { try await self.replicaSet(name).spec.replicas == replicas }
    }

    /// Whether the rollout is complete as `kubectl rollout status` judges it.
    func isComplete(_ name: String = "nginx-deployment") async throws -> Bool {
        let d = try await deployment(name)
        let replicas = d.spec.replicas ?? 1
        return (d.status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
            && (d.status.updatedReplicas ?? 0) == replicas && (d.status.replicas ?? 0) == replicas
            && (d.status.availableReplicas ?? 0) == replicas
            && d.status.conditions?.first { $0.type == "Progressing" }?.reason == "NewReplicaSetAvailable"
    }

    func waitForComplete(_ name: String = "nginx-deployment") async throws {
        try await waitUntil("\(name) has rolled out") { try await self.isComplete(name) }
    }

    /// Plays the ReplicaSet controller, every pod becoming available at once, until the rollout
    /// is complete.
    func playUntilComplete(_ name: String = "nginx-deployment") async throws {
        try await waitUntil("\(name) has rolled out") {
            for rs in try await self.replicaSets(of: name)
            where rs.status.replicas != (rs.spec.replicas ?? 1) || (rs.status.availableReplicas ?? 0) != (rs.spec.replicas ?? 1)
                || rs.status.observedGeneration != rs.metadata.generation {
                try await self.report(rs.name)
            }
            return try await self.isComplete(name)
        }
    }

    /// Creates `d` and plays the ReplicaSet controller until its first rollout is complete;
    /// returns its ReplicaSet.
    @discardableResult
    func createAvailable(_ d: Deployment) async throws -> ReplicaSet {
        try await create(d)
        try await waitUntil("the first ReplicaSet exists") { try await !self.replicaSets(of: d.name).isEmpty }
        let rs = try await replicaSets(of: d.name)[0]
        try await report(rs.name)
        try await waitForComplete(d.name)
        return try await replicaSet(rs.name)
    }

    /// Waits until the timeline has seen every ReplicaSet as the store holds it now.
    func settleTimeline() async throws {
        let current = try await env.api.listAll(ReplicaSet.self, namespace: "default")
        try await waitUntil("the ReplicaSet timeline caught up") { self.timeline.hasSeen(current) }
    }

    /// The messages of the events the controller recorded about `name` with `reason`, oldest first.
    func eventMessages(_ reason: String, about name: String = "nginx-deployment") async throws -> [String] {
        await events.flush()
        return try await env.api.listAll(Event.self, namespace: "default")
            .filter { $0.reason == reason && $0.involvedObject.name == name }
            .sorted { ($0.firstTimestamp ?? .zero, $0.name) < ($1.firstTimestamp ?? .zero, $1.name) }
            .compactMap(\.message)
    }
}

/// Every ReplicaSet change as a watch delivers it: the order in which the controller scaled
/// them, and how many pods the ReplicaSets would run and keep available at each point.
final class ReplicaSetTimeline: Sendable {
    struct Scaling: Sendable, Hashable, CustomStringConvertible {
        var name: String
        var replicas: Int32
        var description: String { "\(name)→\(replicas)" }
    }

    private struct State {
        var current: [String: ReplicaSet] = [:]
        var scalings: [Scaling] = []
        /// Per point in time: Σ spec, and Σ min(spec, available) — the available pods the
        /// ReplicaSets keep once they match their spec.
        var totals: [(spec: Int32, keptAvailable: Int32)] = []
    }

    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    static func watching(_ api: StoreClient) async throws -> ReplicaSetTimeline {
        let timeline = ReplicaSetTimeline()
        let watch = try await api.watch(ReplicaSet.self, namespace: "default", options: ListOptions())
        timeline.task.withLock {
            $0 = Task {
                do {
                    for try await event in watch {
                        if let rs = event.object { timeline.record(rs, deleted: event.type == .deleted) }
                    }
                } catch {}
            }
        }
        return timeline
    }

    private func record(_ rs: ReplicaSet, deleted: Bool) {
        state.withLock { s in
            let before = s.current[rs.name]?.spec.replicas
            if deleted {
                s.current[rs.name] = nil
            } else {
                s.current[rs.name] = rs
                if before != rs.spec.replicas { s.scalings.append(Scaling(name: rs.name, replicas: rs.spec.replicas ?? 1)) }
            }
            let spec = s.current.values.reduce(Int32(0)) { $0 + ($1.spec.replicas ?? 1) }
            let kept = s.current.values.reduce(Int32(0)) { $0 + min($1.spec.replicas ?? 1, $1.status.availableReplicas ?? 0) }
            s.totals.append((spec, kept))
        }
    }

    /// Whether the timeline has seen each of `sets` in this version or a later one.
    func hasSeen(_ sets: [ReplicaSet]) -> Bool {
        func version(_ rs: ReplicaSet?) -> Int { rs?.metadata.resourceVersion.flatMap { Int($0) } ?? 0 }
        return state.withLock { s in sets.allSatisfy { version(s.current[$0.name]) >= version($0) } }
    }

    /// A position to look from.
    var mark: Int { state.withLock { $0.scalings.count } }
    var totalsMark: Int { state.withLock { $0.totals.count } }

    func scalings(since mark: Int = 0) -> [Scaling] {
        state.withLock { Array($0.scalings[mark...]) }
    }

    /// The most pods the ReplicaSets asked for at once since `mark`.
    func maxSpec(sinceTotals mark: Int) -> Int32 {
        state.withLock { $0.totals[mark...].map(\.spec).max() ?? 0 }
    }

    /// The fewest available pods the ReplicaSets kept at once since `mark`.
    func minKeptAvailable(sinceTotals mark: Int) -> Int32 {
        state.withLock { $0.totals[mark...].map(\.keptAvailable).min() ?? 0 }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}

/// The Progressing reasons a Deployment went through, as a watch delivers them.
final class ProgressingLog: Sendable {
    private let seen = Mutex<[DeploymentCondition]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    static func watching(_ api: StoreClient, _ name: String = "nginx-deployment") async throws -> ProgressingLog {
        let log = ProgressingLog()
        let watch = try await api.watch(Deployment.self, namespace: "default", options: ListOptions())
        log.task.withLock {
            $0 = Task {
                do {
                    for try await event in watch where event.object?.name == name {
                        guard let condition = event.object?.status.conditions?.first(where: { $0.type == "Progressing" }) else { continue }
                        log.seen.withLock { if $0.last != condition { $0.append(condition) } }
                    }
                } catch {}
            }
        }
        return log
    }

    var conditions: [DeploymentCondition] { seen.withLock { $0 } }
    var reasons: [String] { conditions.compactMap(\.reason) }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}

/// The Kubernetes docs' nginx Deployment (`controllers/nginx-deployment.yaml`).
func nginxDeployment(
    name: String = "nginx-deployment", replicas: Int32 = 3, image: String = "nginx:1.14.2",
    strategy: DeploymentStrategy? = nil, progressDeadlineSeconds: Int32? = nil, minReadySeconds: Int32? = nil,
    revisionHistoryLimit: Int32? = nil, annotations: [String: String]? = nil
) -> Deployment {
    let labels = ["app": "nginx"]
    return Deployment(
        metadata: ObjectMeta(annotations: annotations, labels: labels, name: name, namespace: "default"),
        spec: DeploymentSpec(
            selector: LabelSelector(matchLabels: labels),
            template: PodTemplateSpec(
                metadata: ObjectMeta(labels: labels),
                spec: PodSpec(containers: [Container(name: "nginx", image: image, ports: [ContainerPort(containerPort: 80)])])),
            minReadySeconds: minReadySeconds, progressDeadlineSeconds: progressDeadlineSeconds, replicas: replicas,
            revisionHistoryLimit: revisionHistoryLimit, strategy: strategy))
}

func rollingUpdate(maxSurge: IntOrString, maxUnavailable: IntOrString) -> DeploymentStrategy {
    DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxSurge: maxSurge, maxUnavailable: maxUnavailable), type: "RollingUpdate")
}
