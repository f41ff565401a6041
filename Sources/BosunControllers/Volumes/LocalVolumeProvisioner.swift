import BosunRuntime
import Foundation

/// Bosun's storage: every claim of the default class (or of no class) gets a PersistentVolume
/// backed by a directory of its own on this machine, `<data dir>/volumes/<pv name>`, as kind's
/// and k3s's local-path provisioner does for a one-machine cluster.
///
/// - At start the default StorageClass `standard` exists (created if missing, annotated
///   `storageclass.kubernetes.io/is-default-class: "true"`, provisioner `bosun.dev/local-path`,
///   reclaim policy Delete).
/// - A claim with no `storageClassName` is given the default class (upstream's retroactive
///   default class assignment); one with `""` asks for no provisioning and is left alone.
/// - A Pending claim of a class whose provisioner is ours gets a volume `pvc-<claim uid>`: the
///   directory is created, then the volume (capacity as requested, the claim's access modes,
///   `hostPath` the directory, `claimRef` the claim, the class's reclaim policy); then both are
///   bound — the claim's `volumeName` and status `Bound` with the capacity, the volume's status
///   `Bound`.
/// - A volume whose claim is gone (or is another object now) is released: with reclaim policy
///   Delete its directory and the volume are deleted; with Retain it stays, `Released`, and so
///   does its data.
public enum LocalVolumeProvisioner {
    /// The provisioner name the default class carries.
    public static let provisionerName = "bosun.dev/local-path"
    /// The default class's name.
    public static let defaultClassName = "standard"
    /// The annotation that marks a default StorageClass.
    public static let defaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
    /// The annotation naming who provisioned a volume.
    public static let provisionedByAnnotation = "pv.kubernetes.io/provisioned-by"
    public static let claimControllerName = "local-volume-provisioner"
    public static let volumeControllerName = "local-volume-reclaimer"

    /// Where volumes live: `<dataDirectory>/volumes/<pv name>`.
    public struct Options: Sendable {
        public var dataDirectory: String

        public init(dataDirectory: String) {
            self.dataDirectory = dataDirectory
        }

        /// The directory holding every volume.
        public var volumesDirectory: String { (dataDirectory as NSString).appendingPathComponent("volumes") }

        /// The directory of the volume named `volume`.
        public func directory(of volume: String) -> String { (volumesDirectory as NSString).appendingPathComponent(volume) }
    }

    /// The default StorageClass as the provisioner creates it.
    public static func defaultStorageClass() -> StorageClass {
        StorageClass(
            metadata: ObjectMeta(annotations: [defaultClassAnnotation: "true"], name: defaultClassName),
            provisioner: provisionerName, reclaimPolicy: "Delete", volumeBindingMode: "Immediate")
    }

    /// Registers the claim binder, the volume reclaimer, and a runnable that creates the
    /// default StorageClass when the manager starts leading.
    public static func register(with manager: Manager, options: Options) throws {
        let classLease = manager.informer(for: StorageClass.self)
        let volumeLease = manager.informer(for: PersistentVolume.self)
        let claimLease = manager.informer(for: PersistentVolumeClaim.self)
        defer {
            classLease.release()
            volumeLease.release()
            claimLease.release()
        }
        let classes = classLease.informer
        try manager.controller(for: PersistentVolumeClaim.self)
            .named(claimControllerName)
            // A default class appearing later still serves the claims that waited for one.
            .watches(StorageClass.self) { _ in
                claimLease.informer.list().filter { ($0.status.phase ?? "Pending") == "Pending" }.map { ObjectName(of: $0) }
            }
            .complete(LocalClaimBinder(classes: classes, options: options))
        try manager.controller(for: PersistentVolume.self)
            .named(volumeControllerName)
            .watches(PersistentVolumeClaim.self) { claim in
                // The claim's volume, bound or about to be.
                [ObjectName(name: claim.spec.volumeName ?? "pvc-\(claim.metadata.uid ?? "")")]
            }
            .complete(LocalVolumeReclaimer(options: options))
        let client = manager.client
        let logger = manager.logger
        try manager.add(Runnable(name: "local-volume-default-class") {
            do {
                try await ensureDefaultStorageClass(using: client)
            } catch {
                logger.error("could not create the default StorageClass", metadata: ["error": "\(error)"])
            }
        })
    }

    /// Creates the default StorageClass unless a class of that name exists.
    public static func ensureDefaultStorageClass(using client: any Client) async throws {
        guard try await client.getIfPresent(StorageClass.self, namespace: nil, name: defaultClassName) == nil else { return }
        do {
            _ = try await client.create(defaultStorageClass())
        } catch let error as APIError where error.reason == .alreadyExists {}
    }

    /// The default class among `classes` (upstream picks the newest when several are marked).
    static func defaultClass(among classes: [StorageClass]) -> StorageClass? {
        classes.filter { $0.metadata.annotations?[defaultClassAnnotation] == "true" }.sorted { a, b in
            let createdA = a.metadata.creationTimestamp ?? .zero, createdB = b.metadata.creationTimestamp ?? .zero
            return createdA != createdB ? createdA > createdB : a.name < b.name
        }.first
    }
}
