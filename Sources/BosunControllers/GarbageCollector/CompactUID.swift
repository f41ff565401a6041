/// An object UID in 16 bytes, for the garbage collector's graph: the graph holds one node per
/// object in the cluster, and a UID kept as text would cost a heap allocation of 60-odd bytes
/// per node on top of the node itself.
///
/// UIDs are UUIDs (kube-apiserver and the store assign random ones), which pack into their 128
/// bits exactly. Anything else — an ownerReference naming a made-up uid — is hashed into 128
/// bits with the version nibble cleared, which no random (version 4) UUID has; two such texts
/// colliding is as unlikely as two random UUIDs doing so.
struct CompactUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    init(_ text: String) {
        self = Self.parseUUID(text) ?? Self.hashed(text)
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The UUID's text (lower case, dashed). For a hashed UID this is not the original text; the
    /// graph keeps originals where it must give them back.
    var description: String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (half, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = half * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { out.append(UInt8(ascii: "-")) }
                out.append(hex[Int((word >> UInt64(60 - nibble * 4)) & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func < (a: CompactUID, b: CompactUID) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in either case, or `nil`.
    private static func parseUUID(_ text: String) -> CompactUID? {
        var text = text
        return text.withUTF8 { bytes -> CompactUID? in
            guard bytes.count == 36 else { return nil }
            var high: UInt64 = 0
            var low: UInt64 = 0
            var digits = 0
            for index in 0..<36 {
                let byte = bytes[index]
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard byte == UInt8(ascii: "-") else { return nil }
                    continue
                }
                let value: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte &- UInt8(ascii: "A") &+ 10
                default: return nil
                }
                if digits < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
                digits += 1
            }
            return CompactUID(high: high, low: low)
        }
    }

    /// FNV-1a over the text, twice with different offsets, version nibble cleared.
    private static func hashed(_ text: String) -> CompactUID {
        func fnv(_ offset: UInt64) -> UInt64 {
            var hash = offset
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }
        let versionNibble: UInt64 = 0xF000
        return CompactUID(high: fnv(0xcbf2_9ce4_8422_2325) & ~versionNibble, low: fnv(0x8422_2325_cbf2_9ce4))
    }
}
