import BosunRuntime

/// Creates and deletes a controller's pods and records on the owner the events Kubernetes
/// records (kube-controller-manager's `RealPodControl`): `SuccessfulCreate` "Created pod: <name>",
/// `FailedCreate` "Error creating: <error>", `SuccessfulDelete` "Deleted pod: <name>",
/// `FailedDelete` "Error deleting: <error>".
public struct PodControl: Sendable {
    /// Event reasons, also the reasons of a ReplicaSet's `ReplicaFailure` condition.
    public static let successfulCreateReason = "SuccessfulCreate"
    public static let failedCreateReason = "FailedCreate"
    public static let successfulDeleteReason = "SuccessfulDelete"
    public static let failedDeleteReason = "FailedDelete"

    public let client: CachedClient
    public let events: EventRecorder

    public init(client: CachedClient, events: EventRecorder) {
        self.client = client
        self.events = events
    }

    /// The reconcile's client and event recorder.
    public init(_ context: ReconcileContext) {
        self.init(client: context.client, events: context.events)
    }

    /// A pod as `template` describes it (upstream `GetPodFromTemplate`): the template's labels,
    /// annotations, finalizers and spec, `generateName` from the owner's name, and
    /// `controllerRef` as its only ownerReference.
    public static func pod(from template: PodTemplateSpec, namespace: String, ownerName: String, controllerRef: OwnerReference?) -> Pod {
        let meta = template.metadata
        return Pod(
            metadata: ObjectMeta(
                annotations: meta?.annotations, finalizers: meta?.finalizers, generateName: generateNamePrefix(for: ownerName),
                labels: meta?.labels, namespace: namespace, ownerReferences: controllerRef.map { [$0] }),
            spec: template.spec ?? PodSpec())
    }

    /// `<owner>-`, so pods read as their owner's; the bare name when the dash would make the
    /// prefix longer than a name may be (upstream `getPodsPrefix`).
    public static func generateNamePrefix(for ownerName: String) -> String {
        ownerName.utf8.count < 253 ? ownerName + "-" : ownerName
    }

    /// Creates a pod from `template` in `owner`'s namespace, controlled through `controllerRef`,
    /// named from `generateName` (default `<owner>-`; an Indexed Job's pods use `<job>-<index>-`).
    /// A template without labels is refused (no selector could ever find the pod). A create
    /// refused because the namespace is terminating records no event.
    @discardableResult
    public func createPod(
        from template: PodTemplateSpec, owner: some Resource, controllerRef: OwnerReference, generateName: String? = nil
    ) async throws -> Pod {
        var pod = Self.pod(from: template, namespace: owner.metadata.namespace ?? "", ownerName: owner.name, controllerRef: controllerRef)
        if let generateName { pod.metadata.generateName = generateName }
        guard !(pod.metadata.labels ?? [:]).isEmpty else { throw PodControlError.noLabels }
        do {
            let created = try await client.create(pod)
            events.event(for: owner, type: .normal, reason: Self.successfulCreateReason, message: "Created pod: \(created.name)")
            return created
        } catch {
            if (error as? APIError)?.hasCause(APIError.namespaceTerminatingCause) != true {
                events.event(for: owner, type: .warning, reason: Self.failedCreateReason, message: "Error creating: \(error)")
            }
            throw error
        }
    }

    /// Deletes pod `name` of `owner`'s namespace. A pod already gone records no event; the 404
    /// is still thrown, for the caller to decide.
    public func deletePod(named name: String, owner: some Resource) async throws {
        do {
            try await client.delete(Pod.self, namespace: owner.metadata.namespace, name: name)
            events.event(for: owner, type: .normal, reason: Self.successfulDeleteReason, message: "Deleted pod: \(name)")
        } catch {
            if (error as? APIError)?.code != 404 {
                events.event(for: owner, type: .warning, reason: Self.failedDeleteReason, message: "Error deleting: \(error)")
            }
            throw error
        }
    }
}

public enum PodControlError: Error, Hashable, CustomStringConvertible {
    case noLabels

    public var description: String {
        switch self {
        case .noLabels: "unable to create pods, no labels"
        }
    }
}
