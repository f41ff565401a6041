import BosunRuntime

/// The `pod-template-hash` that names a Deployment's ReplicaSets and keeps their selectors apart.
enum PodTemplateHash {
    /// The label (and selector key) that carries the hash (`apps/v1` `DefaultDeploymentUniqueLabelKey`).
    static let label = "pod-template-hash"

    /// FNV-32a of the template, then of `collisionCount` as 8 little-endian bytes when set,
    /// written in decimal and encoded with upstream's vowel-free alphabet (`rand.SafeEncodeString`).
    ///
    /// Upstream hashes Go's printed struct; this hashes the template's canonical JSON (sorted map
    /// keys), so values differ from Kubernetes' but are just as stable across restarts.
    static func compute(_ template: PodTemplateSpec, collisionCount: Int32?) -> String {
        var hash = FNV32a()
        hash.add(template.jsonBytes())
        if let collisionCount {
            let value = UInt32(bitPattern: collisionCount)
            hash.add([UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                      UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24), 0, 0, 0, 0])
        }
        return safeEncode(String(hash.value))
    }

    /// Maps each character to `bcdfghjklmnpqrstvwxz2456789` by its code point, so generated
    /// names never spell words.
    static func safeEncode(_ text: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(text.unicodeScalars.map { alphabet[Int($0.value) % alphabet.count] })
    }

    /// Whether two templates are the same apart from their `pod-template-hash` labels (upstream
    /// `EqualIgnoreHash`); as Go's semantic equality, no labels and empty labels are equal.
    static func equalIgnoringHash(_ a: PodTemplateSpec, _ b: PodTemplateSpec) -> Bool {
        withoutHash(a) == withoutHash(b)
    }

    /// The template with the hash label removed (upstream `SetFromReplicaSetTemplate`'s copy).
    static func withoutHash(_ template: PodTemplateSpec) -> PodTemplateSpec {
        var copy = template
        var meta = copy.metadata ?? ObjectMeta()
        meta.labels?[label] = nil
        if meta.labels?.isEmpty == true { meta.labels = nil }
        copy.metadata = meta == ObjectMeta() ? nil : meta
        return copy
    }
}

/// The 32-bit FNV-1a hash.
struct FNV32a {
    private(set) var value: UInt32 = 2_166_136_261

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt32(byte)
            value &*= 16_777_619
        }
    }
}

/// The Deployment's new ReplicaSet: the oldest one whose template equals the Deployment's
/// (there can be several after upgrades; picking the oldest is deterministic).
func findNewReplicaSet(_ d: Deployment, _ sets: [ReplicaSet]) -> ReplicaSet? {
    sets.sorted(by: ReplicaSet.olderFirst).first { PodTemplateHash.equalIgnoringHash($0.spec.template ?? PodTemplateSpec(), d.spec.template) }
}

/// Every ReplicaSet but the new one, oldest first.
func findOldReplicaSets(_ d: Deployment, _ sets: [ReplicaSet]) -> [ReplicaSet] {
    let newUID = findNewReplicaSet(d, sets)?.metadata.uid
    return sets.sorted(by: ReplicaSet.olderFirst).filter { newUID == nil || $0.metadata.uid != newUID }
}
