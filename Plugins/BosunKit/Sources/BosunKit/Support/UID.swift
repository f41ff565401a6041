#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Object UIDs: random (version 4) UUIDs in lower-case text, as kube-apiserver assigns them.
///
/// The random bytes come from `arc4random_buf`, drawn 4 KiB at a time: glibc's asks the kernel
/// (`getrandom`) on every call, a system call per object at 100,000+ creates/s. Foundation's
/// `UUID` reads `/dev/urandom` through a file descriptor on every call.
public enum UID {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var next = 4096
    }

    private static let pool = Mutex(Pool())

    private static let hex: StaticString = "0123456789abcdef"

    public static func random() -> String {
        var bytes = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &bytes) { buffer in
            pool.withLock { p in
                if p.next + 16 > p.bytes.count {
                    p.bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                    p.next = 0
                }
                p.bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[p.next..<p.next + 16])) }
                p.next += 16
            }
            buffer[6] = (buffer[6] & 0x0F) | 0x40
            buffer[8] = (buffer[8] & 0x3F) | 0x80
        }
        return withUnsafeBytes(of: &bytes) { buffer in
            hex.withUTF8Buffer { digits in
                String(unsafeUninitializedCapacity: 36) { out in
                    var n = 0
                    for i in 0..<16 {
                        if i == 4 || i == 6 || i == 8 || i == 10 {
                            out[n] = UInt8(ascii: "-")
                            n += 1
                        }
                        out[n] = digits[Int(buffer[i] >> 4)]
                        out[n + 1] = digits[Int(buffer[i] & 0x0F)]
                        n += 2
                    }
                    return n
                }
            }
        }
    }
}
