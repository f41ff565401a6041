@testable import BosunControllers
import BosunRuntime
import Testing

/// A test environment with the garbage collector running.
func garbageCollectorEnvironment() async throws -> (TestEnvironment, GarbageCollector) {
    let env = try await TestEnvironment.start()
    let collector = try GarbageCollector.register(with: env.manager)
    env.startManager()
    return (env, collector)
}

extension GarbageCollector {
    /// Waits until the graph has observed `objects`: the collector acts on what it has seen,
    /// and a test that deletes an owner before its dependents are in the graph tests a race.
    func waitUntilObserved(_ objects: [any Resource], in env: TestEnvironment) async throws {
        for object in objects {
            let uid = object.metadata.uid ?? ""
            try await env.waitUntil("the collector observed \(object.key)") { self.hasObserved(uid: uid) }
        }
    }
}

/// An ownerReference to `owner`, blocking its foreground deletion unless told otherwise.
func reference(to owner: some Resource, blocks: Bool? = true, controller: Bool? = nil) -> OwnerReference {
    OwnerReference(apiVersion: type(of: owner).apiVersion, kind: type(of: owner).kind, name: owner.name,
                   uid: owner.metadata.uid ?? "", blockOwnerDeletion: blocks, controller: controller)
}

func configMap(_ name: String, namespace: String = "default", owners: [OwnerReference]? = nil, finalizers: [String]? = nil) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(finalizers: finalizers, name: name, namespace: namespace, ownerReferences: owners), data: ["k": "v"])
}

let webLabels = ["app": "web"]

func webTemplate() -> PodTemplateSpec {
    PodTemplateSpec(metadata: ObjectMeta(labels: webLabels), spec: PodSpec(containers: [Container(name: "web", image: "nginx")]))
}

/// Deployment → ReplicaSet → pods, made by hand with controller references, as the workload
/// controllers would make them. The pods are not scheduled, so deleting them is immediate.
struct Chain {
    var deployment: Deployment
    var replicaSet: ReplicaSet
    var pods: [Pod]

    static func create(
        in env: TestEnvironment, namespace: String = "default", pods count: Int = 2, podFinalizers: [String]? = nil
    ) async throws -> Chain {
        let deployment = try await env.api.create(Deployment(
            metadata: ObjectMeta(name: "web", namespace: namespace),
            spec: DeploymentSpec(selector: LabelSelector(matchLabels: webLabels), template: webTemplate())))
        let replicaSet = try await env.api.create(ReplicaSet(
            metadata: ObjectMeta(labels: webLabels, name: "web-1", namespace: namespace,
                                 ownerReferences: [reference(to: deployment, controller: true)]),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: webLabels), template: webTemplate())))
        var pods: [Pod] = []
        for n in 0..<count {
            pods.append(try await env.api.create(Pod(
                metadata: ObjectMeta(finalizers: n == 0 ? podFinalizers : nil, labels: webLabels, name: "web-1-\(n)",
                                     namespace: namespace, ownerReferences: [reference(to: replicaSet, controller: true)]),
                spec: PodSpec(containers: [Container(name: "web", image: "nginx")]))))
        }
        return Chain(deployment: deployment, replicaSet: replicaSet, pods: pods)
    }

    var objects: [any Resource] { [deployment, replicaSet] + pods }
}

extension TestEnvironment {
    func exists<T: Resource>(_ type: T.Type, _ name: String, namespace: String? = "default") async throws -> Bool {
        try await api.getIfPresent(type, namespace: namespace, name: name) != nil
    }

    /// Whether none of the named objects exists.
    func absent<T: Resource>(_ type: T.Type, _ names: String..., namespace: String? = "default") async throws -> Bool {
        for name in names where try await exists(type, name, namespace: namespace) { return false }
        return true
    }

    /// The Warning events with `reason` recorded in `namespace`.
    func warnings(_ reason: String, namespace: String = "default") async throws -> [Event] {
        try await api.listAll(Event.self, namespace: namespace).filter { $0.reason == reason && $0.type == "Warning" }
    }
}
