/// A scheduler plugin: a named value that implements one or more extension-point protocols
/// (``FilterPlugin``, ``ScorePlugin``...). The framework finds the points a plugin serves by its
/// conformances, so one plugin object can serve several points and keep state shared between them.
///
/// Plugins are `Sendable`: binding cycles run concurrently with the next scheduling cycle, and
/// Unreserve may run on either.
public protocol SchedulerPlugin: Sendable {
    /// Unique within a profile; used in statuses, `WaitingPods.allow(_:plugin:)` and queueing.
    var name: String { get }
}

/// Upstream `MaxNodeScore`: Score and NormalizeScore results must lie in `0...maxNodeScore`.
public let maxNodeScore: Int64 = 100
/// Upstream `MinNodeScore`.
public let minNodeScore: Int64 = 0
