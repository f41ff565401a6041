import Synchronization

/// Runs one profile's plugins over pods (upstream `frameworkImpl` plus `schedule_one.go`).
///
/// A driver feeds the cache and the queue with cluster events, pops pods, and for each runs
/// ``schedulingCycle(_:state:)`` (sequential: it assumes the pod into the cache, so the next cycle
/// sees the capacity taken) and then ``bindingCycle(_:)`` (concurrent; it waits at Permit).
public final class Framework: Sendable {
    /// Upstream `maxTimeout`: no pod waits at Permit longer.
    public static let maxPermitTimeout: Duration = .seconds(15 * 60)
    /// Upstream `minFeasibleNodesToFind`.
    public static let minFeasibleNodesToFind = 100
    /// Upstream `minFeasibleNodesPercentageToFind`.
    public static let minFeasibleNodesPercentageToFind = 5

    public let profile: Profile
    public let handle: FrameworkHandle
    public let queue: SchedulingQueue

    let preFilterPlugins: [any PreFilterPlugin]
    let filterPlugins: [FilterEntry]
    let postFilterPlugins: [any PostFilterPlugin]
    let preScorePlugins: [PreScoreEntry]
    let scorePlugins: [WeightedScorePlugin]
    let reservePlugins: [any ReservePlugin]
    let permitPlugins: [any PermitPlugin]
    let preBindPlugins: [any PreBindPlugin]
    let bindPlugins: [any BindPlugin]
    let postBindPlugins: [any PostBindPlugin]
    private let nextStartNodeIndex = Atomic<Int>(0)

    struct FilterEntry: Sendable {
        var plugin: any FilterPlugin
        var fast: (any FastFilterPlugin)?
        /// The same plugin's index in `preFilterPlugins`: a PreFilter skip skips this Filter.
        var preFilterIndex: Int?
    }

    struct PreScoreEntry: Sendable {
        var plugin: any PreScorePlugin
        var fast: (any FastPreScorePlugin)?
    }

    struct WeightedScorePlugin: Sendable {
        var plugin: any ScorePlugin
        var normalizer: (any NormalizeScorePlugin)?
        var weight: Int64
        var fast: (any FastScorePlugin)?
        /// The same plugin's index in `preScorePlugins`: a PreScore skip skips this Score.
        var preScoreIndex: Int?
    }

    public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
        case duplicatePluginName(String)
        case invalidWeight(plugin: String, weight: Int64)
        case noBindPlugin

        public var description: String {
            switch self {
            case .duplicatePluginName(let name): "plugin \(name) is listed twice"
            case .invalidWeight(let plugin, let weight): "score weight \(weight) of \(plugin) is not positive"
            case .noBindPlugin: "at least one bind plugin is needed"
            }
        }
    }

    public init(profile: Profile, handle: FrameworkHandle, queueOptions: QueueOptions = QueueOptions()) throws {
        var names: Set<String> = []
        for plugin in profile.plugins where !names.insert(plugin.name).inserted {
            throw ConfigurationError.duplicatePluginName(plugin.name)
        }
        self.profile = profile
        self.handle = handle
        let plugins = profile.plugins
        preFilterPlugins = plugins.compactMap { $0 as? any PreFilterPlugin }
        let preFilters = preFilterPlugins
        filterPlugins = plugins.compactMap { plugin in
            (plugin as? any FilterPlugin).map {
                FilterEntry(plugin: $0, fast: plugin as? any FastFilterPlugin,
                            preFilterIndex: preFilters.firstIndex { $0.name == plugin.name })
            }
        }
        postFilterPlugins = plugins.compactMap { $0 as? any PostFilterPlugin }
        preScorePlugins = plugins.compactMap { plugin in
            (plugin as? any PreScorePlugin).map { PreScoreEntry(plugin: $0, fast: plugin as? any FastPreScorePlugin) }
        }
        let preScores = preScorePlugins
        scorePlugins = try plugins.compactMap { plugin -> WeightedScorePlugin? in
            guard let score = plugin as? any ScorePlugin else { return nil }
            let weight = profile.scoreWeights[plugin.name] ?? 1
            guard weight > 0 else { throw ConfigurationError.invalidWeight(plugin: plugin.name, weight: weight) }
            return WeightedScorePlugin(plugin: score, normalizer: plugin as? any NormalizeScorePlugin, weight: weight,
                                       fast: plugin as? any FastScorePlugin,
                                       preScoreIndex: preScores.firstIndex { $0.plugin.name == plugin.name })
        }
        reservePlugins = plugins.compactMap { $0 as? any ReservePlugin }
        permitPlugins = plugins.compactMap { $0 as? any PermitPlugin }
        preBindPlugins = plugins.compactMap { $0 as? any PreBindPlugin }
        bindPlugins = plugins.compactMap { $0 as? any BindPlugin }
        postBindPlugins = plugins.compactMap { $0 as? any PostBindPlugin }
        guard !bindPlugins.isEmpty else { throw ConfigurationError.noBindPlugin }

        var registrations: [String: [ClusterEventWithHint]] = [:]
        for plugin in [profile.queueSort as any SchedulerPlugin] + plugins {
            if let extensions = plugin as? any EnqueueExtensions {
                registrations[plugin.name] = extensions.eventsToRegister()
            }
        }
        queue = SchedulingQueue(
            clock: handle.clock, queueSort: profile.queueSort,
            preEnqueuePlugins: plugins.compactMap { $0 as? any PreEnqueuePlugin },
            registrations: registrations, options: queueOptions)
        handle.attach(queue)
    }

    public var cache: SchedulerCache { handle.cache }
    public var waitingPods: WaitingPods { handle.waitingPods }

    /// Upstream `numFeasibleNodesToFind`: all nodes under 100; else `percentage` of them
    /// (adaptive: 50 − N/125, at least 5) but never fewer than 100.
    public static func numFeasibleNodesToFind(_ numAllNodes: Int, percentage: Int? = nil) -> Int {
        if numAllNodes < minFeasibleNodesToFind { return numAllNodes }
        var adaptive = percentage ?? 0
        if adaptive <= 0 {
            adaptive = max(50 - numAllNodes / 125, minFeasibleNodesPercentageToFind)
        }
        if adaptive >= 100 { return numAllNodes }
        return max(numAllNodes * adaptive / 100, minFeasibleNodesToFind)
    }

    // MARK: Driving

    /// Pops one pod (waiting for one), runs its scheduling cycle, and starts its binding cycle
    /// in a task. Returns `false` once the queue is closed.
    @discardableResult
    public func scheduleOne() async -> Bool {
        guard let pod = await queue.pop() else { return false }
        if case .assumed(let ticket) = schedulingCycle(pod) {
            Task { _ = await self.bindingCycle(ticket) }
        }
        return true
    }

    // MARK: Scheduling cycle

    /// Finds a node for the pod, assumes it there, runs Reserve and Permit. On failure the pod is
    /// unreserved, forgotten and requeued before this returns.
    public func schedulingCycle(_ pod: QueuedPodInfo, state: CycleState = CycleState()) -> SchedulingCycleResult {
        let result: ScheduleResult
        switch schedulePod(pod.podInfo, state: state) {
        case .success(let found): result = found
        case .failure(var failure):
            if let fitError = failure.fitError, !postFilterPlugins.isEmpty {
                let post = runPostFilter(state, pod.podInfo, fitError.nodeStatuses)
                failure.nominatedNodeName = post.nominatedNodeName
            }
            return fail(pod, state: state, failure, unschedulablePlugins: failure.fitError?.unschedulablePlugins ?? [])
        }
        let node = result.suggestedHost
        cache.assume(pod.podInfo, on: node)

        for plugin in reservePlugins {
            let status = plugin.reserve(state, pod.podInfo, nodeName: node)
            if !status.isSuccess {
                unreserveAndForget(state, pod.podInfo, node)
                let attributed = status.attributed(to: plugin.name)
                return fail(pod, state: state, SchedulingFailure(status: attributed),
                            unschedulablePlugins: attributed.isRejected ? [plugin.name] : [])
            }
        }

        var deadlines: [String: Time] = [:]
        let now = handle.clock.now()
        for plugin in permitPlugins {
            switch plugin.permit(state, pod.podInfo, nodeName: node) {
            case .allow: continue
            case .wait(let timeout):
                deadlines[plugin.name] = now.advanced(by: min(max(timeout, .zero), Framework.maxPermitTimeout))
            case .deny(let status):
                unreserveAndForget(state, pod.podInfo, node)
                var attributed = status.attributed(to: plugin.name)
                if attributed.isSuccess || attributed.code == .wait || attributed.isSkip { attributed.code = .unschedulable }
                return fail(pod, state: state, SchedulingFailure(status: attributed),
                            unschedulablePlugins: attributed.isRejected ? [plugin.name] : [])
            }
        }
        if !deadlines.isEmpty {
            waitingPods.add(WaitingPod(pod: pod.podInfo, nodeName: node, deadlines: deadlines))
        }
        handle.activate(state.takePodsToActivate())
        return .assumed(BindingTicket(pod: pod, result: result, state: state))
    }

    /// PreFilter, Filter, PreScore, Score and host selection, on a snapshot that is released
    /// before the pod is assumed (so the cache's node array is not copied).
    ///
    /// The per-node loops work on node indices and the snapshot's contiguous ``NodeHot`` numbers;
    /// the default plugins' shortcuts (``FastFilterPlugin``, ``FastScorePlugin``) stand in for calls
    /// that would surely succeed or score from those numbers, and every other call is made as usual.
    func schedulePod(_ pod: PodInfo, state: CycleState) -> Result<ScheduleResult, SchedulingFailure> {
        let snapshot = cache.snapshot()
        state.snapshot = snapshot
        defer { state.snapshot = nil }
        let allNodes = snapshot.count
        if allNodes == 0 {
            return .failure(SchedulingFailure(status: .error(SchedulingFailure.noNodesAvailableMessage)))
        }

        // PreFilter.
        // By index in `preFilterPlugins` (names are unique, so this is a skip by name).
        var skippedFilters: [Bool]?
        var narrowed: Set<String>?
        var unschedulablePlugins: Set<String> = []
        for (p, plugin) in preFilterPlugins.enumerated() {
            let result = plugin.preFilter(state, pod, snapshot)
            if result.status.isSkip {
                if skippedFilters == nil { skippedFilters = [Bool](repeating: false, count: preFilterPlugins.count) }
                skippedFilters?[p] = true
                continue
            }
            if !result.status.isSuccess {
                let status = result.status.attributed(to: plugin.name)
                guard status.isRejected else { return .failure(SchedulingFailure(status: status)) }
                return .failure(SchedulingFailure(status: status, fitError: FitError(
                    numAllNodes: allNodes, preFilterMessage: status.message, unschedulablePlugins: [plugin.name])))
            }
            if let names = result.nodeNames {
                narrowed = narrowed.map { $0.intersection(names) } ?? names
            }
        }
        let filters = skippedFilters.map { skipped in
            filterPlugins.filter { entry in entry.preFilterIndex.map { !skipped[$0] } ?? true }
        } ?? filterPlugins
        let fast = CombinedFastFilter(filters.map { $0.fast?.fastFilterCheck(pod) ?? .call })

        // Filter, from a rotating start so that all nodes get their turn.
        let nodes = snapshot.nodes, hot = snapshot.hot
        // `nil`: every node, in snapshot order.
        var candidates: [Int]?
        if let narrowed {
            candidates = narrowed.sorted().compactMap { snapshot.index[$0] }
        }
        let candidateCount = candidates?.count ?? allNodes
        let toFind = Framework.numFeasibleNodesToFind(candidateCount, percentage: profile.percentageOfNodesToScore)
        var feasible: [Int] = []
        feasible.reserveCapacity(toFind)
        var statuses: [String: PluginStatus] = [:]
        let start = candidateCount == 0 ? 0 : nextStartNodeIndex.load(ordering: .relaxed) % candidateCount
        var evaluated = 0
        var position = start
        nodes: while evaluated < candidateCount && feasible.count < toFind {
            let index = candidates?[position] ?? position
            evaluated += 1
            position += 1
            if position == candidateCount { position = 0 }
            if fast.passes(hot[index]) {
                // Every shortcut plugin succeeds here; call the others, in order.
                for i in fast.called {
                    let plugin = filters[i].plugin
                    let status = plugin.filter(state, pod, nodes[index])
                    if status.isSuccess { continue }
                    let attributed = status.attributed(to: plugin.name)
                    guard attributed.isRejected else { return .failure(SchedulingFailure(status: attributed)) }
                    statuses[nodes[index].name] = attributed
                    unschedulablePlugins.insert(plugin.name)
                    continue nodes
                }
                feasible.append(index)
                continue
            }
            let node = nodes[index]
            for entry in filters {
                let plugin = entry.plugin
                let status = plugin.filter(state, pod, node)
                if status.isSuccess { continue }
                let attributed = status.attributed(to: plugin.name)
                guard attributed.isRejected else { return .failure(SchedulingFailure(status: attributed)) }
                statuses[node.name] = attributed
                unschedulablePlugins.insert(plugin.name)
                continue nodes
            }
            feasible.append(index)
        }
        if candidateCount > 0 {
            nextStartNodeIndex.store((start + evaluated) % candidateCount, ordering: .relaxed)
        }

        if feasible.isEmpty {
            let fitError = FitError(
                numAllNodes: allNodes, nodeStatuses: statuses, absentNodeCount: allNodes - candidateCount,
                unschedulablePlugins: unschedulablePlugins)
            var status = PluginStatus(.unschedulable, reasons: [fitError.message])
            if statuses.values.allSatisfy({ $0.code == .unschedulableAndUnresolvable }) {
                status.code = .unschedulableAndUnresolvable
            }
            return .failure(SchedulingFailure(status: status, fitError: fitError))
        }
        if feasible.count == 1 {
            return .success(ScheduleResult(
                suggestedHost: nodes[feasible[0]].name, evaluatedNodes: evaluated, feasibleNodes: 1))
        }

        // The feasible NodeInfos, made only if a plugin without a shortcut needs them.
        var feasibleInfos: [NodeInfo]?
        func feasibleNodes() -> [NodeInfo] {
            if let feasibleInfos { return feasibleInfos }
            let made = feasible.map { nodes[$0] }
            feasibleInfos = made
            return made
        }

        // PreScore and Score.
        // By index in `preScorePlugins`.
        var skippedScores = [Bool](repeating: false, count: preScorePlugins.count)
        for (p, entry) in preScorePlugins.enumerated() {
            let plugin = entry.plugin
            if let fast = entry.fast, fast.preScoreSkips(pod) {
                skippedScores[p] = true
                continue
            }
            let status = plugin.preScore(state, pod, feasibleNodes())
            if status.isSkip { skippedScores[p] = true; continue }
            if !status.isSuccess { return .failure(SchedulingFailure(status: status.attributed(to: plugin.name))) }
        }
        var total = [Int64](repeating: 0, count: feasible.count)
        var scores = [Int64](repeating: 0, count: feasible.count)
        for weighted in scorePlugins where !(weighted.preScoreIndex.map { skippedScores[$0] } ?? false) {
            let plugin = weighted.plugin
            var normalization = FastNormalization.none
            var scored = false
            if let fastPlugin = weighted.fast, let scorer = fastPlugin.fastScorer(pod) {
                normalization = fastPlugin.fastNormalization
                switch scorer {
                case .zero:
                    // Every node gets the same normalized score: the ranking does not change.
                    continue
                case .leastAllocated(let cpuWeight, let memoryWeight):
                    let podCPU = pod.nonZeroRequests.milliCPU, podMemory = pod.nonZeroRequests.memory
                    for i in 0..<feasible.count {
                        scores[i] = NodeResourcesFit.leastAllocated(
                            hot[feasible[i]], podMilliCPU: podCPU, podMemory: podMemory,
                            milliCPUWeight: cpuWeight, memoryWeight: memoryWeight)
                    }
                case .preferNoScheduleTaints:
                    var any = false
                    do {
                        for i in 0..<feasible.count {
                            let index = feasible[i]
                            if hot[index].flags.contains(.preferNoScheduleTaints) {
                                any = true
                                scores[i] = try plugin.score(state, pod, nodes[index])
                            } else {
                                scores[i] = 0
                            }
                        }
                    } catch {
                        return .failure(SchedulingFailure(status: PluginStatus(.error, reasons: [error.message], plugin: plugin.name)))
                    }
                    // All 0: the normalized scores are equal too.
                    if !any { continue }
                }
                scored = true
            }
            if scored {
                if case .default(let reverse) = normalization { defaultNormalizeScore(&scores, reverse: reverse) }
            } else {
                let infos = feasibleNodes()
                do {
                    for i in 0..<infos.count { scores[i] = try plugin.score(state, pod, infos[i]) }
                } catch {
                    return .failure(SchedulingFailure(status: PluginStatus(.error, reasons: [error.message], plugin: plugin.name)))
                }
                if let normalizer = weighted.normalizer {
                    let status = normalizer.normalizeScores(state, pod, infos, &scores)
                    if !status.isSuccess { return .failure(SchedulingFailure(status: status.attributed(to: plugin.name))) }
                }
            }
            for i in 0..<feasible.count {
                let score = scores[i]
                guard score >= minNodeScore && score <= maxNodeScore else {
                    return .failure(SchedulingFailure(status: PluginStatus(
                        .error, reasons: ["plugin \"\(plugin.name)\" returns an invalid score \(score), it should in the range of [\(minNodeScore), \(maxNodeScore)] after normalizing"],
                        plugin: plugin.name)))
                }
                total[i] += score * weighted.weight
            }
        }

        return .success(ScheduleResult(
            suggestedHost: nodes[feasible[selectHost(total)]].name, evaluatedNodes: evaluated,
            feasibleNodes: feasible.count))
    }

    /// The index of the highest total; among equals the first, or one chosen by reservoir sampling.
    func selectHost(_ totals: [Int64]) -> Int {
        var best = 0
        var ties = 1
        var random = TieBreakRandom()
        for i in 1..<totals.count {
            if totals[i] > totals[best] {
                best = i
                ties = 1
            } else if totals[i] == totals[best] && profile.tieBreak == .random {
                ties += 1
                if Int.random(in: 0..<ties, using: &random) == 0 { best = i }
            }
        }
        return best
    }

    func runPostFilter(_ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus]) -> PostFilterResult {
        var last = PostFilterResult(status: .unschedulable())
        for plugin in postFilterPlugins {
            let result = plugin.postFilter(state, pod, statuses)
            if !result.status.isRejected { return result }
            last = result
        }
        return last
    }

    // MARK: Binding cycle

    /// Waits at Permit, then PreBind, Bind and PostBind. On failure the pod is unreserved,
    /// forgotten, and requeued; other unschedulable pods may use the freed capacity.
    public func bindingCycle(_ ticket: BindingTicket) async -> BindingCycleResult {
        let pod = ticket.pod.podInfo, node = ticket.nodeName, state = ticket.state

        let permit = await waitOnPermit(pod)
        if !permit.isSuccess { return await bindingFailed(ticket, permit) }

        for plugin in preBindPlugins {
            let status = await plugin.preBind(state, pod, nodeName: node)
            if !status.isSuccess { return await bindingFailed(ticket, status.attributed(to: plugin.name)) }
        }

        var bound = false
        for plugin in bindPlugins {
            let status = await plugin.bind(state, pod, nodeName: node)
            if status.isSkip { continue }
            if !status.isSuccess {
                var attributed = status.attributed(to: plugin.name)
                if attributed.code != .error { attributed.code = .error }
                return await bindingFailed(ticket, attributed)
            }
            bound = true
            break
        }
        if !bound {
            return await bindingFailed(ticket, .error("all bind plugins skipped pod \(pod.key)"))
        }

        queue.done(uid: pod.uid)
        for plugin in postBindPlugins { await plugin.postBind(state, pod, nodeName: node) }
        handle.activate(state.takePodsToActivate())
        return .bound(nodeName: node)
    }

    /// Upstream `WaitOnPermit`: returns at once unless the pod waits; a timeout rejects it.
    func waitOnPermit(_ pod: PodInfo) async -> PluginStatus {
        guard let waiting = waitingPods.get(uid: pod.uid) else { return .success }
        defer { waitingPods.remove(uid: pod.uid) }
        let clock = handle.clock
        let timer: Task<Void, Never>? = waiting.earliestDeadline.map { earliest in
            let waited = goDurationString(clock.now().duration(to: earliest.deadline))
            return Task {
                do { try await clock.sleep(until: earliest.deadline) } catch { return }
                waiting.reject(plugin: earliest.plugin,
                               message: "rejected due to timeout after waiting \(waited) at plugin \(earliest.plugin)")
            }
        }
        let decision = await waiting.decision()
        timer?.cancel()
        return decision
    }

    private func bindingFailed(_ ticket: BindingTicket, _ status: PluginStatus) async -> BindingCycleResult {
        let pod = ticket.pod.podInfo
        unreserveAndForget(ticket.state, pod, ticket.nodeName)
        // The forgotten pod's capacity is free again: other pods may fit now (upstream moves them
        // with an AssignedPodDelete event).
        queue.moveAllToActiveOrBackoff(.assignedPodDelete, oldObject: pod.pod)
        let failure = SchedulingFailure(status: status)
        _ = fail(ticket.pod, state: ticket.state, failure, unschedulablePlugins: status.isRejected ? [status.plugin] : [])
        return .failed(failure)
    }

    // MARK: Failure handling

    /// Unreserve in reverse order, then drop the assumed pod from the cache.
    func unreserveAndForget(_ state: CycleState, _ pod: PodInfo, _ node: String) {
        for plugin in reservePlugins.reversed() { plugin.unreserve(state, pod, nodeName: node) }
        cache.forget(uid: pod.uid)
    }

    private func fail(_ pod: QueuedPodInfo, state: CycleState, _ failure: SchedulingFailure,
                      unschedulablePlugins: Set<String>) -> SchedulingCycleResult {
        queue.requeue(pod, unschedulablePlugins: unschedulablePlugins, isError: failure.status.code == .error)
        handle.activate(state.takePodsToActivate())
        return .failed(failure)
    }
}
