import BosunRuntime
import Foundation

/// Provisions and binds one claim (see ``LocalVolumeProvisioner``).
struct LocalClaimBinder: Reconciler {
    let classes: Informer<StorageClass>
    let options: LocalVolumeProvisioner.Options

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard var claim = try await context.client.getIfPresent(
            PersistentVolumeClaim.self, namespace: request.namespace, name: request.name)
        else { return .done }
        guard claim.metadata.deletionTimestamp == nil, (claim.status.phase ?? "Pending") == "Pending" else { return .done }

        // No class at all: the default class, as the API server's admission or the volume
        // controller's retroactive assignment would give it.
        if claim.spec.storageClassName == nil {
            guard let defaultClass = LocalVolumeProvisioner.defaultClass(among: classes.list()) else { return .done }
            claim.spec.storageClassName = defaultClass.name
            claim = try await context.client.update(claim)
        }
        guard let className = claim.spec.storageClassName, !className.isEmpty,
              let storageClass = classes.get(name: className), storageClass.provisioner == LocalVolumeProvisioner.provisionerName
        else { return .done }

        let volume = try await provision(claim, storageClass, context)
        try await bind(claim, to: volume, context)
        return .done
    }

    /// The claim's volume: the one bound to it already, or a new one in a new directory.
    private func provision(_ claim: PersistentVolumeClaim, _ storageClass: StorageClass, _ context: ReconcileContext) async throws
        -> PersistentVolume
    {
        let name = claim.spec.volumeName ?? "pvc-\(claim.metadata.uid ?? "")"
        if let existing = try await context.client.getIfPresent(PersistentVolume.self, namespace: nil, name: name) {
            guard existing.spec.claimRef?.uid == claim.metadata.uid else {
                throw VolumeError("volume \(name) is bound to another claim")
            }
            return existing
        }
        let directory = options.directory(of: name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            context.events.event(for: claim, type: .warning, reason: "ProvisioningFailed",
                                 message: "failed to provision volume with StorageClass \"\(storageClass.name)\": \(error)")
            throw error
        }
        let volume = PersistentVolume(
            metadata: ObjectMeta(annotations: [LocalVolumeProvisioner.provisionedByAnnotation: LocalVolumeProvisioner.provisionerName],
                                 name: name),
            spec: PersistentVolumeSpec(
                accessModes: claim.spec.accessModes, capacity: claim.spec.resources?.requests?["storage"].map { ["storage": $0] },
                claimRef: ObjectReference(
                    apiVersion: "v1", kind: "PersistentVolumeClaim", name: claim.name, namespace: claim.metadata.namespace,
                    resourceVersion: claim.metadata.resourceVersion, uid: claim.metadata.uid),
                hostPath: HostPathVolumeSource(path: directory, type: "DirectoryOrCreate"),
                persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete", storageClassName: storageClass.name,
                volumeMode: claim.spec.volumeMode))
        let created: PersistentVolume
        do {
            created = try await context.client.create(volume)
        } catch let error as APIError where error.reason == .alreadyExists {
            created = try await context.client.api.get(PersistentVolume.self, namespace: nil, name: name)
        }
        context.events.event(for: claim, type: .normal, reason: "ProvisioningSucceeded",
                             message: "Successfully provisioned volume \(name) using \(LocalVolumeProvisioner.provisionerName)")
        return created
    }

    /// Binds both sides: the volume `Bound`, then the claim's `volumeName` and status.
    private func bind(_ claim: PersistentVolumeClaim, to volume: PersistentVolume, _ context: ReconcileContext) async throws {
        if volume.status.phase != "Bound" {
            var bound = volume
            bound.status.phase = "Bound"
            _ = try await context.client.updateStatus(bound)
        }
        var claim = claim
        if claim.spec.volumeName != volume.name {
            claim.spec.volumeName = volume.name
            var annotations = claim.metadata.annotations ?? [:]
            annotations["pv.kubernetes.io/bind-completed"] = "yes"
            annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
            annotations["volume.kubernetes.io/storage-provisioner"] = LocalVolumeProvisioner.provisionerName
            claim.metadata.annotations = annotations
            claim = try await context.client.update(claim)
        }
        claim.status.phase = "Bound"
        claim.status.accessModes = volume.spec.accessModes
        claim.status.capacity = volume.spec.capacity
        _ = try await context.client.updateStatus(claim)
    }
}

/// A volume controller's failure.
struct VolumeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
