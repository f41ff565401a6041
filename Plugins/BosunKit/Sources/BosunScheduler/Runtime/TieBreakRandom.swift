/// SplitMix64 for breaking score ties. `Int.random(in:)` asks the kernel (`getrandom`) on every
/// call; with thousands of equal nodes a cycle made one syscall per tie and spent a quarter of its
/// time there. Statistical quality is all a tie-break needs.
struct TieBreakRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Seeded from the system generator once per cycle, then never a syscall.
    init() { state = UInt64.random(in: .min ... .max) }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
