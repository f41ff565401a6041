import Synchronization

/// Hands out fake but unique IPv4 addresses from a range, as a CNI plugin's IPAM would: pods
/// get addresses from 10.0.0.0/8, simulated nodes from 172.16.0.0/12.
///
/// Addresses in use are remembered by owner, so an address is unique among live owners; a
/// released one is reused only after the whole range went round. An owner that already has an
/// address in its status keeps it (``claim(_:for:)``). After a process restart the pool starts
/// empty: an address claimed back only when its pod is next synced could in principle be handed
/// out to a new pod first.
final class FakeAddresses: Sendable {
    private struct State {
        var next: UInt32
        var owners: [UInt32: String] = [:]
        var byOwner: [String: UInt32] = [:]
    }

    private let base: UInt32
    private let size: UInt32
    private let state: Mutex<State>

    /// A pool of `size` addresses from `base` (host order); the first and last are skipped.
    init(base: UInt32, size: UInt32) {
        self.base = base
        self.size = size
        state = Mutex(State(next: 1))
    }

    static func pods() -> FakeAddresses { FakeAddresses(base: 10 << 24, size: 1 << 24) }
    static func nodes() -> FakeAddresses { FakeAddresses(base: (172 << 24) | (16 << 16), size: 1 << 20) }

    /// The address of `owner`, allocating one if it has none.
    func address(for owner: String) -> String {
        let offset = state.withLock { s -> UInt32 in
            if let held = s.byOwner[owner] { return held }
            var candidate = s.next
            // Skip taken addresses and each /24's .0 and .255, which look wrong in a listing.
            while s.owners[candidate] != nil || candidate & 0xFF == 0 || candidate & 0xFF == 0xFF {
                candidate = candidate + 1 >= size - 1 ? 1 : candidate + 1
            }
            s.next = candidate + 1 >= size - 1 ? 1 : candidate + 1
            s.owners[candidate] = owner
            s.byOwner[owner] = candidate
            return candidate
        }
        return Self.format(base + offset)
    }

    /// Records that `owner` holds `address` already (read back from a status).
    func claim(_ address: String, for owner: String) {
        guard let value = Self.parse(address), value >= base, value - base < size else { return }
        let offset = value - base
        state.withLock { s in
            guard s.byOwner[owner] == nil, s.owners[offset] == nil else { return }
            s.owners[offset] = owner
            s.byOwner[owner] = offset
        }
    }

    /// Frees `owner`'s address.
    func release(_ owner: String) {
        state.withLock { s in
            if let offset = s.byOwner.removeValue(forKey: owner) { s.owners[offset] = nil }
        }
    }

    var inUse: Int { state.withLock { $0.owners.count } }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }

    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".")
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }
}
