import BosunKit
import BosunRuntime

/// Keeps a ConfigMap `<deployment>-summary` for every Deployment: its replicas and its
/// containers' images. The ConfigMap is controlled by the Deployment (an ownerReference), so a
/// change to it wakes this controller and the garbage collector deletes it with the Deployment.
public enum DeploymentSummaryController {
    public static let name = "deployment-summary"

    public static func register(with manager: Manager) throws {
        _ = try manager.controller(for: Deployment.self)
            .named(name)
            .owns(ConfigMap.self)
            .reconcile(reconcile)
    }

    /// The summary ConfigMap's name for a Deployment.
    public static func configMapName(for deployment: String) -> String { deployment + "-summary" }

    /// What the ConfigMap holds for `deployment`.
    public static func summary(of deployment: Deployment) -> [String: String] {
        [
            "replicas": String(deployment.spec.replicas ?? 1),
            "images": (deployment.spec.template.spec?.containers ?? []).map { $0.image ?? "" }.joined(separator: ","),
        ]
    }

    static func reconcile(_ deployment: Deployment, _ context: ReconcileContext) async throws -> ReconcileResult {
        // A Deployment being deleted takes its ConfigMap along through the ownerReference.
        guard deployment.metadata.deletionTimestamp == nil else { return .done }
        let client = context.client
        let name = configMapName(for: deployment.name)
        let data = summary(of: deployment)
        switch try await client.getIfPresent(ConfigMap.self, namespace: deployment.namespace, name: name) {
        case nil:
            _ = try await client.create(ConfigMap(
                metadata: ObjectMeta(name: name, namespace: deployment.namespace,
                                     ownerReferences: [deployment.controllerReference]),
                data: data))
        case var current? where current.isControlled(by: deployment) && current.data != data:
            current.data = data
            _ = try await client.update(current)
        case .some:
            // Up to date, or a ConfigMap of that name the user owns: left alone.
            break
        }
        return .done
    }
}
