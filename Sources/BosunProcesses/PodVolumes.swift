import BosunKit
import BosunRuntime
import Foundation

/// Where a pod's volumes live on this machine, and how its processes find them.
///
/// A process is not in a mount namespace, so it cannot see a volume at its `mountPath`; instead
/// each container gets, for every volume it mounts that is a directory here, the environment
/// variable `BOSUN_VOLUME_<NAME>` set to that directory (plus the mount's `subPath`). `<NAME>` is
/// the volume's name in upper case with every character other than a letter or digit made `_`
/// (volume `www` → `BOSUN_VOLUME_WWW`). Directories:
///
/// - a `persistentVolumeClaim` volume: its bound PersistentVolume's `hostPath` (or `local`)
///   path — for the local provisioner, `<data dir>/volumes/<pv name>`, which outlives the pod, so
///   a StatefulSet pod's replacement finds what its predecessor wrote;
/// - a `hostPath` volume: its path.
///
/// A container whose `workingDir` lies in a mount starts in the volume's directory instead
/// (``workingDirectory(of:volumes:)``).
///
/// A claim that is missing or not bound yet keeps the pod from starting (it stays Pending), as a
/// kubelet waits to mount it.
public enum PodVolumes {
    /// Directories by volume name.
    public typealias Directories = [String: String]

    /// How often a pod waiting for its claims is looked at again.
    static let retryInterval: Duration = .seconds(1)

    public enum Resolution: Sendable, Equatable {
        case ready(Directories)
        /// Why the pod cannot start yet.
        case waiting(String)
    }

    /// The directories of the pod's claim and hostPath volumes, read through `client`.
    public static func resolve(_ pod: Pod, client: any Client) async -> Resolution {
        var directories: Directories = [:]
        for volume in pod.spec.volumes ?? [] {
            if let hostPath = volume.hostPath {
                directories[volume.name] = hostPath.path
                continue
            }
            guard let source = volume.persistentVolumeClaim else { continue }
            let namespace = pod.metadata.namespace ?? ""
            guard let claim = try? await client.getIfPresent(PersistentVolumeClaim.self, namespace: namespace, name: source.claimName) else {
                return .waiting("persistentvolumeclaim \"\(source.claimName)\" not found")
            }
            guard claim.status.phase == "Bound", let volumeName = claim.spec.volumeName,
                  let bound = try? await client.getIfPresent(PersistentVolume.self, namespace: nil, name: volumeName)
            else { return .waiting("persistentvolumeclaim \"\(source.claimName)\" is not bound") }
            guard let path = bound.spec.hostPath?.path ?? bound.spec.local?.path else {
                return .waiting("volume \"\(volumeName)\" has no directory on this machine")
            }
            directories[volume.name] = path
        }
        return .ready(directories)
    }

    /// `BOSUN_VOLUME_<NAME>` → directory for each of the container's mounts that has one.
    public static func environment(of container: Container, volumes: Directories) -> [(String, String)] {
        (container.volumeMounts ?? []).compactMap { mount in
            guard let directory = volumes[mount.name] else { return nil }
            let subPath = mount.subPath ?? ""
            let path = subPath.isEmpty ? directory : (directory as NSString).appendingPathComponent(subPath)
            return (variableName(forVolume: mount.name), path)
        }
    }

    /// The container's working directory: its `workingDir`, except that one at or under a
    /// volume's `mountPath` is the same place in the volume's directory here (created if
    /// missing, as a container runtime creates a working directory), so a process started in
    /// its mount reads and writes the volume with relative paths.
    public static func workingDirectory(of container: Container, volumes: Directories) -> String? {
        guard let workingDir = container.workingDir, !workingDir.isEmpty else { return nil }
        let mounts = (container.volumeMounts ?? []).sorted { $0.mountPath.count > $1.mountPath.count }
        for mount in mounts {
            guard let directory = volumes[mount.name] else { continue }
            let mountPath = mount.mountPath.hasSuffix("/") && mount.mountPath.count > 1 ? String(mount.mountPath.dropLast()) : mount.mountPath
            guard workingDir == mountPath || workingDir.hasPrefix(mountPath == "/" ? "/" : mountPath + "/") else { continue }
            let rest = String(workingDir.dropFirst(mountPath.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            var path = directory as NSString
            if let subPath = mount.subPath, !subPath.isEmpty { path = path.appendingPathComponent(subPath) as NSString }
            let mapped = rest.isEmpty ? path as String : path.appendingPathComponent(rest)
            try? FileManager.default.createDirectory(atPath: mapped, withIntermediateDirectories: true)
            return mapped
        }
        return workingDir
    }

    /// `BOSUN_VOLUME_` and the volume's name in upper case, other characters than letters and
    /// digits made `_`.
    public static func variableName(forVolume name: String) -> String {
        "BOSUN_VOLUME_" + String(name.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
    }
}
