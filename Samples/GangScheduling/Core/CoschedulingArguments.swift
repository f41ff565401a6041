/// The plugin's settings (upstream `CoschedulingArgs`), with upstream's defaults.
public struct CoschedulingArguments: Sendable, Hashable {
    /// How long members wait at Permit when their PodGroup sets no `scheduleTimeoutSeconds`.
    public var permitWaitingTime: Duration = .seconds(60)
    /// How long a group that failed is not tried again; zero (the default) turns it off and
    /// leaves the pods' own backoff (1 s doubling to 10 s).
    public var podGroupBackoff: Duration = .zero
    /// When a member finds no node, the group is kept waiting (not rejected) if at most this
    /// percentage of minMember is still unplaced: a near-miss may still make it before the timeout.
    public var podGroupRejectPercentage: Int = 10

    public init(permitWaitingTime: Duration = .seconds(60), podGroupBackoff: Duration = .zero,
                podGroupRejectPercentage: Int = 10) {
        self.permitWaitingTime = permitWaitingTime
        self.podGroupBackoff = podGroupBackoff
        self.podGroupRejectPercentage = podGroupRejectPercentage
    }
}
