import BosunControllers
import BosunRuntime
import Synchronization
import Testing

/// Objects and steps the ReplicaSet and ReplicationController tests share.
enum ReplicaSetFixtures {
    static func template(labels: [String: String] = ["app": "web"], image: String = "nginx:1.14.2") -> PodTemplateSpec {
        PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [Container(name: "web", image: image)]))
    }

    static func replicaSet(
        _ name: String = "web", replicas: Int32, selector: [String: String] = ["app": "web"],
        templateLabels: [String: String] = ["app": "web"], minReadySeconds: Int32? = nil, owner: OwnerReference? = nil
    ) -> ReplicaSet {
        ReplicaSet(
            metadata: ObjectMeta(name: name, namespace: "default", ownerReferences: owner.map { [$0] }),
            spec: ReplicaSetSpec(
                selector: LabelSelector(matchLabels: selector), minReadySeconds: minReadySeconds, replicas: replicas,
                template: template(labels: templateLabels)))
    }

    /// A bare pod, as a user creates one.
    static func pod(_ name: String, labels: [String: String] = ["app": "web"], owner: OwnerReference? = nil) -> Pod {
        Pod(metadata: ObjectMeta(labels: labels, name: name, namespace: "default", ownerReferences: owner.map { [$0] }),
            spec: PodSpec(containers: [Container(name: "web", image: "nginx:1.14.2")]))
    }
}

extension TestEnvironment {
    /// A running environment with the ReplicaSet and ReplicationController controllers. What
    /// `seed` creates exists before they start, so their first syncs see all of it: objects
    /// created later reach each informer in its own time, and a ReplicaSet could sync before the
    /// pod informer shows an orphan it should adopt.
    static func withReplicaSetControllers(seed: (TestEnvironment) async throws -> Void = { _ in }) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try await seed(env)
        try ReplicaSetController.register(with: env.manager)
        try ReplicationManager.register(with: env.manager)
        env.startManager()
        return env
    }

    func replicaSet(_ name: String = "web") async throws -> ReplicaSet {
        try await api.get(ReplicaSet.self, namespace: "default", name: name)
    }

    /// The pods of `default` whose controller is `owner`, by name.
    func pods(controlledBy owner: some Resource) async throws -> [Pod] {
        try await api.listAll(Pod.self, namespace: "default").filter { $0.isControlled(by: owner) }.sorted { $0.name < $1.name }
    }

    /// The active pods of `default` whose controller is `owner`.
    func activePods(controlledBy owner: some Resource) async throws -> [Pod] {
        try await pods(controlledBy: owner).filter(\.isActive)
    }

    /// Waits until the ReplicaSet's status shows `replicas` pods for its current generation.
    func waitForReplicas(
        _ replicas: Int32, of name: String = "web", _ what: String? = nil, limit: Duration = .seconds(30)
    ) async throws {
        try await waitUntil(what ?? "\(name) reports \(replicas) replicas", limit: limit) {
            let rs = try await self.replicaSet(name)
            guard rs.status.replicas == replicas && rs.status.observedGeneration == rs.metadata.generation else { return false }
            return try await self.activePods(controlledBy: rs).count == Int(replicas)
        }
    }

    /// Writes a pod's status as a kubelet would: a phase, and a Ready condition that turned
    /// True at `readySince` (or is False).
    func setPodStatus(_ name: String, phase: String, readySince: Time? = nil) async throws {
        var pod = try await api.get(Pod.self, namespace: "default", name: name)
        pod.status.phase = phase
        pod.status.conditions = [PodCondition(
            status: readySince == nil ? "False" : "True", type: "Ready", lastTransitionTime: readySince ?? clock.now().truncatedToSeconds)]
        _ = try await api.updateStatus(pod)
    }

    /// Binds a pod to a node (no Node object is needed), so that deleting it is graceful.
    func bindPod(_ name: String, to node: String) async throws {
        _ = try await api.bind(
            Binding(metadata: ObjectMeta(name: name, namespace: "default"), target: ObjectReference(kind: "Node", name: node)),
            namespace: "default", options: WriteOptions())
    }

    /// The events recorded about the object of `kind` named `name` in `default`, oldest first.
    func events(about kind: String, named name: String) async throws -> [Event] {
        await manager.events.flush()
        return try await api.listAll(Event.self, namespace: "default")
            .filter { $0.involvedObject.kind == kind && $0.involvedObject.name == name }
    }

    /// Moves the clock past a reconcile's error backoff, for a controller expected to retry.
    func passBackoff() {
        clock.advance(by: .seconds(2))
    }
}

/// Refuses pod creates (or deletes) while `refusing` is set, and counts the attempts.
final class PodRefusal: ValidatingAdmissionHook {
    let name: String
    let operation: AdmissionRequest.Operation
    private let state = Mutex((refusing: true, attempts: 0))

    init(_ operation: AdmissionRequest.Operation, name: String = "refuse-pods") {
        self.operation = operation
        self.name = name
    }

    var refusing: Bool {
        get { state.withLock { $0.refusing } }
        set { state.withLock { $0.refusing = newValue } }
    }

    /// Writes this hook refused.
    var attempts: Int { state.withLock { $0.attempts } }

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.resource.resource == "pods" && request.operation == operation && request.subresource == nil
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        let refuse = state.withLock { s -> Bool in
            if s.refusing { s.attempts += 1 }
            return s.refusing
        }
        if refuse { throw AdmissionDenied("pods are not allowed now", code: 403) }
    }
}
