import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files holding secrets (keys, the token, the kubeconfig): created with their final mode, so no
/// moment exists when another user could read them, and replaced atomically.
enum SecureFile {
    /// Writes `contents` to `path` with `mode` through a temporary file and a rename.
    static func write(_ contents: String, to path: String, mode: mode_t = 0o600) throws {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create", temporary) }
        var ok = true
        let bytes = Array(contents.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok = false; return }
                offset += n
            }
        }
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok else {
            unlink(temporary)
            throw failure("write", temporary)
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure("rename", path)
        }
    }

    /// The contents of `path`, or `nil` when it does not exist.
    static func read(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Creates a directory (and its parents) that only its owner can enter, whatever the umask.
    /// A directory that already exists keeps its mode (it may be one the user chose to share);
    /// the secrets in it are 0600 all the same.
    static func createPrivateDirectory(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        guard chmod(path, 0o700) == 0 else { throw failure("chmod", path) }
    }

    private static func failure(_ what: String, _ path: String) -> any Error {
        APIServerError("cannot \(what) \(path): \(String(cString: strerror(errno)))")
    }
}
