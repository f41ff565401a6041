// Shortcuts the framework takes for the default plugins on the per-node paths. Each is exact: a
// shortcut only ever stands for what the plugin would have returned, and whenever the node's
// precomputed numbers (`NodeHot`) cannot decide, the framework calls the plugin as usual. Plugins
// outside this module never conform, so they are always called.

/// What a Filter plugin needs of a node's ``NodeHot`` to be sure it returns success for a pod.
enum FastFilterCheck: Sendable {
    /// Success on every node, for this pod.
    case always
    /// Success on every node with none of these flags.
    case flagsClear(NodeHot.Flags)
    /// NodeResourcesFit: success where the pod fits (a pod slot, and cpu, memory and ephemeral
    /// storage for the positive requests).
    case fits(milliCPU: Int64, memory: Int64, ephemeralStorage: Int64)
    /// No shortcut: the plugin is called on every node.
    case call
}

protocol FastFilterPlugin: FilterPlugin {
    /// Computed once per pod and cycle.
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck
}

/// How a Score plugin's raw scores can be had without calling it per node.
enum FastScorer: Sendable {
    /// Every raw score is 0 (so after normalization every node scores the same).
    case zero
    /// NodeResourcesFit's LeastAllocated over cpu and memory, with the summed weights of each.
    case leastAllocated(milliCPUWeight: Int64, memoryWeight: Int64)
    /// TaintToleration: 0 on nodes without PreferNoSchedule taints; the plugin is called on the others.
    case preferNoScheduleTaints
}

/// The normalization a fast Score plugin's `normalizeScores` performs (it must not depend on the
/// nodes or the cycle state).
enum FastNormalization: Sendable {
    case none
    /// ``defaultNormalizeScore(_:reverse:maxPriority:)``.
    case `default`(reverse: Bool)
}

protocol FastScorePlugin: ScorePlugin {
    /// `nil`: no shortcut for this pod.
    func fastScorer(_ pod: PodInfo) -> FastScorer?
    var fastNormalization: FastNormalization { get }
}

protocol FastPreScorePlugin: PreScorePlugin {
    /// `true` only when `preScore` would return `.skip` without writing any state.
    func preScoreSkips(_ pod: PodInfo) -> Bool
}

/// The fast Filter checks of one cycle, combined: a node passes when every fast plugin surely
/// succeeds on it; only the plugins without a shortcut are then called.
struct CombinedFastFilter {
    var forbiddenFlags: NodeHot.Flags = [.overflow]
    var checksFit = false
    var milliCPU = Int64.min, memory = Int64.min, ephemeralStorage = Int64.min
    /// Indices into the cycle's filter plugins that must be called on every node.
    var called: [Int] = []

    init(_ checks: [FastFilterCheck]) {
        for (i, check) in checks.enumerated() {
            switch check {
            case .always: break
            case .flagsClear(let flags): forbiddenFlags.formUnion(flags)
            case .fits(let cpu, let memory, let ephemeralStorage):
                // A request of 0 or less is never checked: `Int64.min` always fits.
                checksFit = true
                if cpu > 0 { self.milliCPU = max(self.milliCPU, cpu) }
                if memory > 0 { self.memory = max(self.memory, memory) }
                if ephemeralStorage > 0 { self.ephemeralStorage = max(self.ephemeralStorage, ephemeralStorage) }
            case .call: called.append(i)
            }
        }
    }

    @inline(__always)
    func passes(_ node: NodeHot) -> Bool {
        if !node.flags.isDisjoint(with: forbiddenFlags) { return false }
        if checksFit {
            return node.podRoom >= 1 && milliCPU <= node.freeMilliCPU && memory <= node.freeMemory
                && ephemeralStorage <= node.freeEphemeralStorage
        }
        return true
    }
}

extension NodeUnschedulable: FastFilterPlugin {
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck {
        pod.tolerations.tolerate(Self.taint) ? .always : .flagsClear(.unschedulable)
    }
}

extension NodeName: FastFilterPlugin {
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck {
        guard let wanted = pod.pod.spec.nodeName, !wanted.isEmpty else { return .always }
        return .call
    }
}

extension TaintToleration: FastFilterPlugin, FastScorePlugin {
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck { .flagsClear(.filterTaints) }
    func fastScorer(_ pod: PodInfo) -> FastScorer? { .preferNoScheduleTaints }
    var fastNormalization: FastNormalization { .default(reverse: true) }
}

extension NodeAffinityPlugin: FastFilterPlugin, FastScorePlugin {
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck {
        pod.requiredNodeAffinity.isEmpty ? .always : .call
    }
    func fastScorer(_ pod: PodInfo) -> FastScorer? { pod.preferredNodeAffinity.isEmpty ? .zero : nil }
    var fastNormalization: FastNormalization { .default(reverse: false) }
}

extension NodeResourcesFit: FastFilterPlugin, FastScorePlugin {
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck {
        let request = pod.requests
        guard request.scalar.isEmpty else { return .call }
        return .fits(milliCPU: request.milliCPU, memory: request.memory, ephemeralStorage: request.ephemeralStorage)
    }

    func fastScorer(_ pod: PodInfo) -> FastScorer? {
        var cpu: Int64 = 0, memory: Int64 = 0
        for (resource, weight) in scoringResources {
            switch resource {
            case "cpu": cpu += weight
            case "memory": memory += weight
            default: return nil
            }
        }
        return .leastAllocated(milliCPUWeight: cpu, memoryWeight: memory)
    }

    var fastNormalization: FastNormalization { .none }

    /// `free × maxNodeScore / capacity`, exactly as the integer expression, without a 64-bit integer
    /// division per node: a floating-point estimate, corrected to the floor.
    @inline(__always)
    static func share(_ free: Int64, of capacity: Int64) -> Int64 {
        let dividend = free * maxNodeScore
        guard dividend >= 0, dividend < 1 << 60, capacity > 0, capacity < 1 << 53 else { return dividend / capacity }
        // The estimate is off by at most a few units; the products stay below 2^61.
        var quotient = Int64(Double(dividend) / Double(capacity))
        while quotient > 0 && quotient * capacity > dividend { quotient -= 1 }
        while (quotient + 1) * capacity <= dividend { quotient += 1 }
        return quotient
    }

    /// ``score(_:_:_:)`` for cpu and memory, from the node's precomputed numbers.
    @inline(__always)
    static func leastAllocated(_ node: NodeHot, podMilliCPU: Int64, podMemory: Int64,
                               milliCPUWeight: Int64, memoryWeight: Int64) -> Int64 {
        var total: Int64 = 0, weights: Int64 = 0
        if milliCPUWeight != 0 && node.allocatableMilliCPU != 0 {
            let capacity = node.allocatableMilliCPU, requested = node.nonZeroMilliCPU + podMilliCPU
            weights += milliCPUWeight
            if requested <= capacity { total += share(capacity - requested, of: capacity) * milliCPUWeight }
        }
        if memoryWeight != 0 && node.allocatableMemory != 0 {
            let capacity = node.allocatableMemory, requested = node.nonZeroMemory + podMemory
            weights += memoryWeight
            if requested <= capacity { total += share(capacity - requested, of: capacity) * memoryWeight }
        }
        return weights == 0 ? 0 : total / weights
    }
}

extension PodTopologySpread: FastFilterPlugin, FastPreScorePlugin {
    func fastFilterCheck(_ pod: PodInfo) -> FastFilterCheck { .call }
    func preScoreSkips(_ pod: PodInfo) -> Bool {
        !pod.topologySpreadConstraints.contains { $0.whenUnsatisfiable == "ScheduleAnyway" }
    }
}
