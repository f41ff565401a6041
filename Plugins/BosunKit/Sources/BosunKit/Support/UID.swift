#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Object UIDs: random (version 4) UUIDs in lower-case text, as kube-apiserver assigns them.
///
/// Uses `arc4random_buf` (a user-space CSPRNG) rather than Foundation's `UUID`, which reads
/// `/dev/urandom` through a file descriptor on every call — a measurable cost at 100,000+ creates/s.
public enum UID {
    public static func random() -> String {
        var bytes = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &bytes) { buffer in
            arc4random_buf(buffer.baseAddress!, 16)
            buffer[6] = (buffer[6] & 0x0F) | 0x40
            buffer[8] = (buffer[8] & 0x3F) | 0x80
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        withUnsafeBytes(of: &bytes) { buffer in
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
                out.append(hex[Int(buffer[i] >> 4)])
                out.append(hex[Int(buffer[i] & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
