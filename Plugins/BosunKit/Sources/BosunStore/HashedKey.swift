/// A string key that carries its hash, computed once.
///
/// The store's large dictionaries — objects by path, the memory backend's values by storage key
/// — grow by doubling, and each growth hashes every key again. With the hash kept, a growth
/// hashes an integer per key instead of the key's bytes; at 100,000 pods that was a tenth of the
/// in-memory backend's cost per create. The hash is Swift's own (per-process seeded), so keys a
/// client chooses cannot be made to collide.
struct HashedKey: Hashable, Sendable {
    let string: String
    private let hash: Int

    init(_ string: String) {
        self.string = string
        hash = string.hashValue
    }

    static func == (a: HashedKey, b: HashedKey) -> Bool {
        a.hash == b.hash && a.string == b.string
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
