import BosunRuntime

/// The hashes that name ControllerRevisions and label a DaemonSet's pods, as upstream computes
/// them, written in decimal and encoded with upstream's vowel-free alphabet
/// (`rand.SafeEncodeString`) so generated names never spell words.
///
/// Upstream hashes Go's own encoding of the objects; these hash Bosun's canonical JSON, so the
/// values differ from Kubernetes' but are just as stable across restarts. Treat them as opaque.
public enum RevisionHash {
    /// A ControllerRevision's hash (upstream `HashControllerRevision`): 32-bit FNV-1 of its data,
    /// then of `collisionCount` in decimal when set.
    public static func revision(data: JSONValue?, collisionCount: Int32?) -> String {
        var hash = FNV(variant: .fnv1)
        if let data { hash.add(data.jsonBytes()) }
        if let collisionCount { hash.add(Array(String(collisionCount).utf8)) }
        return safeEncode(String(hash.value))
    }

    /// A pod template's hash (upstream `controller.ComputeHash`, the DaemonSet's
    /// `controller-revision-hash`): 32-bit FNV-1a of the template, then of `collisionCount` as
    /// four little-endian bytes and four zero bytes when set.
    public static func template(_ template: PodTemplateSpec, collisionCount: Int32?) -> String {
        var hash = FNV(variant: .fnv1a)
        hash.add(template.jsonBytes())
        if let collisionCount {
            let value = UInt32(bitPattern: collisionCount)
            hash.add([UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                      UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24), 0, 0, 0, 0])
        }
        return safeEncode(String(hash.value))
    }

    /// Maps each character to `bcdfghjklmnpqrstvwxz2456789` by its code point.
    public static func safeEncode(_ text: String) -> String {
        String(text.unicodeScalars.map { alphabet[Int($0.value) % alphabet.count] })
    }

    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// 32-bit FNV: FNV-1 multiplies then xors, FNV-1a xors then multiplies.
    private struct FNV {
        enum Variant { case fnv1, fnv1a }
        let variant: Variant
        private(set) var value: UInt32 = 2_166_136_261

        init(variant: Variant) { self.variant = variant }

        mutating func add(_ bytes: [UInt8]) {
            for byte in bytes {
                switch variant {
                case .fnv1:
                    value &*= 16_777_619
                    value ^= UInt32(byte)
                case .fnv1a:
                    value ^= UInt32(byte)
                    value &*= 16_777_619
                }
            }
        }
    }
}
