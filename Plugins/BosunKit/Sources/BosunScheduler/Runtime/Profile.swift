/// One scheduler profile (upstream `KubeSchedulerProfile`): the plugins, in the order each
/// extension point calls them, and the weights of the Score plugins.
///
/// A plugin serves every extension point whose protocol it conforms to.
public struct Profile: Sendable {
    /// How the highest-scoring node is chosen among equals.
    public enum TieBreak: Sendable {
        /// Uniformly at random (upstream's reservoir sampling).
        case random
        /// The first in evaluation order: deterministic, for tests.
        case first
    }

    public var schedulerName: String
    /// Exactly one.
    public var queueSort: any QueueSortPlugin
    public var plugins: [any SchedulerPlugin]
    /// Score plugin weights by name; a Score plugin not listed weighs 1.
    public var scoreWeights: [String: Int64]
    /// Percentage of nodes to find feasible before scoring; `nil` is upstream's adaptive rule.
    public var percentageOfNodesToScore: Int?
    public var tieBreak: TieBreak

    public init(
        schedulerName: String = "default-scheduler",
        queueSort: any QueueSortPlugin = PrioritySort(),
        plugins: [any SchedulerPlugin],
        scoreWeights: [String: Int64] = [:],
        percentageOfNodesToScore: Int? = nil,
        tieBreak: TieBreak = .random
    ) {
        self.schedulerName = schedulerName
        self.queueSort = queueSort
        self.plugins = plugins
        self.scoreWeights = scoreWeights
        self.percentageOfNodesToScore = percentageOfNodesToScore
        self.tieBreak = tieBreak
    }

    /// kube-scheduler's default plugins, in upstream's order and with its weights (TaintToleration
    /// 3, NodeAffinity 2, PodTopologySpread 2, NodeResourcesFit 1). `extra` plugins go before the
    /// binder, so a plugin adds to the defaults without repeating them; `queueSort` replaces
    /// `PrioritySort` (as a scheduler configuration disabling it and enabling another does).
    public static func defaults(
        bind: @escaping DefaultBinder.BindFunction,
        extra: [any SchedulerPlugin] = [],
        extraWeights: [String: Int64] = [:],
        queueSort: any QueueSortPlugin = PrioritySort()
    ) -> Profile {
        var weights: [String: Int64] = [
            TaintToleration.pluginName: 3, NodeAffinityPlugin.pluginName: 2, PodTopologySpread.pluginName: 2,
            NodeResourcesFit.pluginName: 1,
        ]
        weights.merge(extraWeights) { $1 }
        return Profile(
            queueSort: queueSort,
            plugins: [
                SchedulingGates(), NodeUnschedulable(), NodeName(), TaintToleration(), NodeAffinityPlugin(),
                NodeResourcesFit(), PodTopologySpread(),
            ] + extra + [DefaultBinder(bind: bind)],
            scoreWeights: weights)
    }
}
