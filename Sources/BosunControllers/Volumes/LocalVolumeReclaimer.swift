import BosunRuntime
import Foundation

/// Reclaims a volume whose claim is gone (see ``LocalVolumeProvisioner``): reclaim policy
/// Delete removes the directory and the volume; Retain marks it `Released`.
struct LocalVolumeReclaimer: Reconciler {
    let options: LocalVolumeProvisioner.Options

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let volume = try await context.client.getIfPresent(PersistentVolume.self, namespace: nil, name: request.name),
              volume.metadata.deletionTimestamp == nil, let ref = volume.spec.claimRef
        else { return .done }
        // Read the claim from the API: a cache that has not seen it yet must not release its volume.
        let claim = try await context.client.api.getIfPresent(PersistentVolumeClaim.self, namespace: ref.namespace, name: ref.name ?? "")
        if let claim, claim.metadata.uid == ref.uid { return .done }

        guard volume.spec.persistentVolumeReclaimPolicy == "Delete",
              volume.metadata.annotations?[LocalVolumeProvisioner.provisionedByAnnotation] == LocalVolumeProvisioner.provisionerName
        else {
            if volume.status.phase != "Released" {
                var released = volume
                released.status.phase = "Released"
                _ = try await context.client.updateStatus(released)
            }
            return .done
        }
        let directory = options.directory(of: volume.name)
        // Only a directory of ours: a volume someone pointed elsewhere keeps its data.
        if volume.spec.hostPath?.path == directory, FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.removeItem(atPath: directory)
        }
        do {
            _ = try await context.client.delete(volume)
        } catch let error as APIError where error.reason == .notFound {}
        return .done
    }
}
