import BosunControllers
import BosunRuntime
import Foundation
import Testing

/// The local volume provisioner: a default StorageClass, a directory-backed PersistentVolume per
/// claim, binding, and reclaiming.
@Suite("Volumes: local provisioner")
struct VolumeProvisionerTests {
    /// A running environment with the provisioner on a fresh data directory.
    private static func start() async throws -> (TestEnvironment, LocalVolumeProvisioner.Options) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-volumes-\(UUID().uuidString)").path
        let options = LocalVolumeProvisioner.Options(dataDirectory: directory)
        let env = try await TestEnvironment.start()
        try LocalVolumeProvisioner.register(with: env.manager, options: options)
        env.startManager()
        return (env, options)
    }

    private static func claim(_ name: String, storageClass: String? = nil, size: Quantity = "1Gi") -> PersistentVolumeClaim {
        PersistentVolumeClaim(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: PersistentVolumeClaimSpec(
                accessModes: ["ReadWriteOnce"], resources: VolumeResourceRequirements(requests: ["storage": size]),
                storageClassName: storageClass))
    }

    private static func bound(_ env: TestEnvironment, _ name: String) async throws -> PersistentVolumeClaim {
        try await env.waitUntil("\(name) is bound") { try await env.claim(name)?.status.phase == "Bound" }
        return try #require(try await env.claim(name))
    }

    @Test("the default StorageClass standard exists once the provisioner runs")
    func defaultClass() async throws {
        let (env, options) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        try await env.waitUntil("standard exists") { try await env.api.getIfPresent(StorageClass.self, namespace: nil, name: "standard") != nil }
        let standard = try await env.api.get(StorageClass.self, namespace: nil, name: "standard")
        #expect(standard.metadata.annotations?["storageclass.kubernetes.io/is-default-class"] == "true")
        #expect(standard.provisioner == "bosun.dev/local-path")
        #expect(standard.reclaimPolicy == "Delete" && standard.volumeBindingMode == "Immediate")
        await env.stop()
    }

    @Test("a claim without a class gets the default class and a bound volume in a directory of its own")
    func provisionsAndBinds() async throws {
        let (env, options) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        let created = try await env.api.create(Self.claim("data", size: "2Gi"))
        let claim = try await Self.bound(env, "data")
        let volumeName = "pvc-\(created.metadata.uid ?? "")"
        #expect(claim.spec.storageClassName == "standard")
        #expect(claim.spec.volumeName == volumeName)
        #expect(claim.status.capacity?["storage"] == "2Gi")
        #expect(claim.status.accessModes == ["ReadWriteOnce"])
        #expect(claim.metadata.annotations?["pv.kubernetes.io/bind-completed"] == "yes")

        let volume = try await env.api.get(PersistentVolume.self, namespace: nil, name: volumeName)
        #expect(volume.status.phase == "Bound")
        #expect(volume.spec.capacity?["storage"] == "2Gi")
        #expect(volume.spec.accessModes == ["ReadWriteOnce"])
        #expect(volume.spec.storageClassName == "standard" && volume.spec.persistentVolumeReclaimPolicy == "Delete")
        #expect(volume.spec.claimRef?.name == "data" && volume.spec.claimRef?.namespace == "default")
        #expect(volume.spec.claimRef?.uid == created.metadata.uid)
        let directory = options.directory(of: volumeName)
        #expect(volume.spec.hostPath?.path == directory)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue)
        await env.stop()
    }

    @Test("claims asking for no class, or another provisioner's class, are left alone")
    func leavesOtherClaimsAlone() async throws {
        let (env, options) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        _ = try await env.api.create(StorageClass(metadata: ObjectMeta(name: "fast"), provisioner: "example.com/ssd"))
        _ = try await env.api.create(Self.claim("none", storageClass: ""))
        _ = try await env.api.create(Self.claim("ssd", storageClass: "fast"))
        _ = try await env.api.create(Self.claim("mine"))
        _ = try await Self.bound(env, "mine")
        #expect(try await env.claim("none")?.status.phase == "Pending")
        #expect(try await env.claim("ssd")?.status.phase == "Pending")
        #expect(try await env.api.listAll(PersistentVolume.self).count == 1)
        await env.stop()
    }

    @Test("deleting a claim deletes its volume and directory under reclaim policy Delete")
    func reclaimDelete() async throws {
        let (env, options) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        _ = try await env.api.create(Self.claim("data"))
        let claim = try await Self.bound(env, "data")
        let volumeName = try #require(claim.spec.volumeName)
        let directory = options.directory(of: volumeName)
        try Data("kept?".utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("file"))

        _ = try await env.api.delete(PersistentVolumeClaim.self, namespace: "default", name: "data")
        try await env.waitUntil("the volume is gone") {
            try await env.api.getIfPresent(PersistentVolume.self, namespace: nil, name: volumeName) == nil
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
        await env.stop()
    }

    @Test("under reclaim policy Retain the volume is Released and its data stays")
    func reclaimRetain() async throws {
        let (env, options) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        _ = try await env.api.create(StorageClass(
            metadata: ObjectMeta(name: "keep"), provisioner: "bosun.dev/local-path", reclaimPolicy: "Retain"))
        _ = try await env.api.create(Self.claim("data", storageClass: "keep"))
        let claim = try await Self.bound(env, "data")
        let volumeName = try #require(claim.spec.volumeName)
        _ = try await env.api.delete(PersistentVolumeClaim.self, namespace: "default", name: "data")
        try await env.waitUntil("the volume is Released") {
            try await env.api.getIfPresent(PersistentVolume.self, namespace: nil, name: volumeName)?.status.phase == "Released"
        }
        #expect(FileManager.default.fileExists(atPath: options.directory(of: volumeName)))
        await env.stop()
    }

    @Test("a StatefulSet's claims are provisioned and bound")
    func statefulSetClaims() async throws {
        let (env, options) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: options.dataDirectory) }
        try StatefulSetController.register(with: env.manager)
        _ = try await env.api.create(StatefulSetFixtures.web(replicas: 2, parallel: true))
        for name in ["www-web-0", "www-web-1"] {
            let claim = try await Self.bound(env, name)
            #expect(claim.spec.storageClassName == "standard")
            #expect(claim.metadata.labels == ["app": "nginx"])
        }
        await env.stop()
    }
}
