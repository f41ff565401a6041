import BosunScheduler

/// A plugin at every extension point that logs each call and returns configured verdicts.
struct Probe: PreFilterPlugin, FilterPlugin, PostFilterPlugin, PreScorePlugin, NormalizeScorePlugin, ReservePlugin,
    PermitPlugin, PreBindPlugin, BindPlugin, PostBindPlugin
{
    let name: String
    let log: CallLog
    var preFilterResult: PreFilterResult = .proceed
    var filterVerdict: @Sendable (NodeInfo) -> PluginStatus = { _ in .success }
    var scoreOf: @Sendable (NodeInfo) -> Int64 = { _ in 0 }
    var postFilterResult = PostFilterResult(status: .unschedulable())
    var reserveVerdict: PluginStatus = .success
    var permitDecision: PermitDecision = .allow
    var activateOnPermit: [Pod] = []
    var preBindVerdict: PluginStatus = .success
    var bindVerdict: PluginStatus = .skip

    init(_ name: String = "Probe", log: CallLog) {
        self.name = name
        self.log = log
    }

    func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: NodeSnapshot) -> PreFilterResult {
        log.record("\(name).PreFilter")
        return preFilterResult
    }

    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        log.record("\(name).Filter(\(node.name))")
        return filterVerdict(node)
    }

    func postFilter(_ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus]) -> PostFilterResult {
        log.record("\(name).PostFilter(\(statuses.keys.sorted().joined(separator: ",")))")
        return postFilterResult
    }

    func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        log.record("\(name).PreScore")
        return .success
    }

    func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) throws(PluginError) -> Int64 {
        log.record("\(name).Score(\(node.name))")
        return scoreOf(node)
    }

    func normalizeScores(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo], _ scores: inout [Int64]) -> PluginStatus {
        log.record("\(name).NormalizeScore")
        return .success
    }

    func reserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PluginStatus {
        log.record("\(name).Reserve")
        return reserveVerdict
    }

    func unreserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) {
        log.record("\(name).Unreserve")
    }

    func permit(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PermitDecision {
        log.record("\(name).Permit")
        state.activate(activateOnPermit)
        return permitDecision
    }

    func preBind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async -> PluginStatus {
        log.record("\(name).PreBind")
        return preBindVerdict
    }

    func bind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async -> PluginStatus {
        log.record("\(name).Bind")
        return bindVerdict
    }

    func postBind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async {
        log.record("\(name).PostBind")
    }
}
