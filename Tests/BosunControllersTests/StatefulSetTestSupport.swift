import BosunControllers
import BosunRuntime
import Testing

/// Objects and steps the StatefulSet tests share. Pod status is written by the tests, as a
/// kubelet would.
enum StatefulSetFixtures {
    /// The docs' `web` StatefulSet (`serviceName: nginx`, label `app: nginx`), with a `www` claim
    /// template of 1Gi unless `claims` is false.
    static func web(
        _ name: String = "web", replicas: Int32 = 3, parallel: Bool = false, claims: Bool = true, start: Int32? = nil,
        image: String = "registry.k8s.io/nginx-slim:0.24", strategy: StatefulSetUpdateStrategy? = nil,
        retention: (whenDeleted: String, whenScaled: String)? = nil, historyLimit: Int32? = nil, minReadySeconds: Int32? = nil
    ) -> StatefulSet {
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "nginx"]),
            spec: PodSpec(containers: [Container(
                name: "nginx", image: image,
                volumeMounts: claims ? [VolumeMount(mountPath: "/usr/share/nginx/html", name: "www")] : nil)]))
        let claimTemplates = claims ? [PersistentVolumeClaim(
            metadata: ObjectMeta(name: "www"),
            spec: PersistentVolumeClaimSpec(
                accessModes: ["ReadWriteOnce"], resources: VolumeResourceRequirements(requests: ["storage": "1Gi"])))] : nil
        return StatefulSet(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: StatefulSetSpec(
                selector: LabelSelector(matchLabels: ["app": "nginx"]), serviceName: "nginx", template: template,
                minReadySeconds: minReadySeconds, ordinals: start.map { StatefulSetOrdinals(start: $0) },
                persistentVolumeClaimRetentionPolicy: retention.map {
                    StatefulSetPersistentVolumeClaimRetentionPolicy(whenDeleted: $0.whenDeleted, whenScaled: $0.whenScaled)
                },
                podManagementPolicy: parallel ? "Parallel" : nil, replicas: replicas, revisionHistoryLimit: historyLimit,
                updateStrategy: strategy, volumeClaimTemplates: claimTemplates))
    }

    static func rolling(partition: Int32? = nil, maxUnavailable: IntOrString? = nil) -> StatefulSetUpdateStrategy {
        StatefulSetUpdateStrategy(
            rollingUpdate: RollingUpdateStatefulSetStrategy(maxUnavailable: maxUnavailable, partition: partition), type: "RollingUpdate")
    }
}

extension TestEnvironment {
    /// A running environment with the StatefulSet controller; what `seed` creates exists before
    /// it starts.
    static func withStatefulSetController(seed: (TestEnvironment) async throws -> Void = { _ in }) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try await seed(env)
        try StatefulSetController.register(with: env.manager)
        env.startManager()
        return env
    }

    func statefulSet(_ name: String = "web") async throws -> StatefulSet {
        try await api.get(StatefulSet.self, namespace: "default", name: name)
    }

    func pod(_ name: String) async throws -> Pod? {
        try await api.getIfPresent(Pod.self, namespace: "default", name: name)
    }

    /// The names of the pods of `default`, sorted.
    func podNames() async throws -> [String] {
        try await api.listAll(Pod.self, namespace: "default").map(\.name).sorted()
    }

    /// Waits until pod `name` exists (and is not being deleted), then reports it Running and
    /// Ready, as its kubelet would.
    func runPod(_ name: String) async throws {
        try await waitUntil("\(name) exists") {
            guard let pod = try await self.pod(name) else { return false }
            return pod.metadata.deletionTimestamp == nil
        }
        try await setPodStatus(name, phase: "Running", readySince: clock.now().truncatedToSeconds)
    }

    /// Runs the pods one after another, as an OrderedReady set creates them.
    func runPods(_ names: [String]) async throws {
        for name in names { try await runPod(name) }
    }

    /// Waits until the set's status satisfies `condition` for its current generation.
    func waitForStatefulSet(_ what: String, _ name: String = "web", _ condition: @escaping @Sendable (StatefulSetStatus) -> Bool) async throws {
        try await waitUntil(what) {
            let set = try await self.statefulSet(name)
            return set.status.observedGeneration == set.metadata.generation && condition(set.status)
        }
    }

    /// Finishes a graceful deletion, as a kubelet would once the containers have stopped.
    func finishDeletion(of name: String) async throws {
        _ = try? await api.delete(Pod.self, namespace: "default", name: name, options: DeleteOptions(gracePeriodSeconds: 0))
    }

    /// Changes the set as a user would, reading it again when the controller's status write
    /// got in between.
    func updateStatefulSet(_ name: String = "web", _ change: (inout StatefulSet) -> Void) async throws {
        while true {
            var set = try await statefulSet(name)
            change(&set)
            do {
                _ = try await api.update(set)
                return
            } catch let error as APIError where error.reason == .conflict {
                continue
            }
        }
    }

    /// Changes the set's container image (a new template, so a new revision).
    func setImage(_ image: String, of name: String = "web") async throws {
        try await updateStatefulSet(name) { $0.spec.template.spec?.containers[0].image = image }
    }

    /// Scales the set.
    func scaleStatefulSet(to replicas: Int32, _ name: String = "web") async throws {
        try await updateStatefulSet(name) { $0.spec.replicas = replicas }
    }

    func claim(_ name: String) async throws -> PersistentVolumeClaim? {
        try await api.getIfPresent(PersistentVolumeClaim.self, namespace: "default", name: name)
    }
}
