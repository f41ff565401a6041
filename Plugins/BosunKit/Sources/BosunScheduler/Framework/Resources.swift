/// Resource amounts as integers (upstream `framework.Resource`): parsed from `Quantity` once, so
/// Filter and Score compare machine words.
public struct Resources: Sendable, Hashable {
    public var milliCPU: Int64 = 0
    /// Bytes.
    public var memory: Int64 = 0
    /// Bytes.
    public var ephemeralStorage: Int64 = 0
    /// Pod slots (meaningful for allocatable only).
    public var allowedPodNumber: Int64 = 0
    /// Extended resources (`example.com/gpu`, `hugepages-2Mi`...), in whole units. Empty for most
    /// pods, so copying it costs nothing.
    public var scalar: [String: Int64] = [:]

    public init(milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, allowedPodNumber: Int64 = 0,
                scalar: [String: Int64] = [:]) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.allowedPodNumber = allowedPodNumber
        self.scalar = scalar
    }

    /// Parses a resource list (`requests`, `allocatable`...).
    public init(_ list: [String: Quantity]?) {
        guard let list else { return }
        for (name, quantity) in list { add(name, quantity) }
    }

    public mutating func add(_ name: String, _ quantity: Quantity) {
        switch name {
        case "cpu": milliCPU += quantity.milliValue
        case "memory": memory += quantity.value
        case "ephemeral-storage": ephemeralStorage += quantity.value
        case "pods": allowedPodNumber += quantity.value
        default:
            // Upstream treats only scalar (extended, hugepages, attachable-volume) resources here;
            // anything else in a request list is one of them.
            scalar[name, default: 0] += quantity.value
        }
    }

    public var isZero: Bool {
        milliCPU == 0 && memory == 0 && ephemeralStorage == 0 && scalar.values.allSatisfy { $0 == 0 }
    }

    public static func += (lhs: inout Resources, rhs: Resources) {
        lhs.milliCPU += rhs.milliCPU
        lhs.memory += rhs.memory
        lhs.ephemeralStorage += rhs.ephemeralStorage
        lhs.allowedPodNumber += rhs.allowedPodNumber
        for (name, value) in rhs.scalar { lhs.scalar[name, default: 0] += value }
    }

    public static func -= (lhs: inout Resources, rhs: Resources) {
        lhs.milliCPU -= rhs.milliCPU
        lhs.memory -= rhs.memory
        lhs.ephemeralStorage -= rhs.ephemeralStorage
        lhs.allowedPodNumber -= rhs.allowedPodNumber
        for (name, value) in rhs.scalar { lhs.scalar[name, default: 0] -= value }
    }

    /// Element-wise maximum (init containers run one at a time, so a pod needs the largest).
    public mutating func formMax(_ other: Resources) {
        milliCPU = max(milliCPU, other.milliCPU)
        memory = max(memory, other.memory)
        ephemeralStorage = max(ephemeralStorage, other.ephemeralStorage)
        allowedPodNumber = max(allowedPodNumber, other.allowedPodNumber)
        for (name, value) in other.scalar { scalar[name] = max(scalar[name] ?? 0, value) }
    }
}
