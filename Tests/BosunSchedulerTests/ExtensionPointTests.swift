import BosunScheduler
import Testing

@Suite("Extension points")
struct ExtensionPointTests {
    let log = CallLog()
    let nodes = [makeNode("a"), makeNode("b")]

    @Test("every point is called once per cycle, in kube-scheduler's order")
    func order() async throws {
        let harness = try Harness(nodes: nodes, plugins: [Probe(log: log)])
        #expect(try await harness.scheduleAndBind(makePod("p")).get() == "a")
        #expect(log.all == [
            "Probe.PreFilter", "Probe.Filter(a)", "Probe.Filter(b)", "Probe.PreScore", "Probe.Score(a)",
            "Probe.Score(b)", "Probe.NormalizeScore", "Probe.Reserve", "Probe.Permit", "Probe.PreBind",
            "Probe.Bind", "Probe.PostBind",
        ])
        #expect(harness.binds.all == ["p": "a"])
        #expect(harness.queue.location(of: "uid-p") == nil)
    }

    @Test("plugins at one point run in profile order; the first that does not skip binds")
    func bindOrder() async throws {
        var first = Probe("First", log: log)
        first.bindVerdict = .skip
        var second = Probe("Second", log: log)
        second.bindVerdict = .success
        let harness = try Harness(nodes: [makeNode("a")], plugins: [first, second])
        #expect(try await harness.scheduleAndBind(makePod("p")).get() == "a")
        #expect(log.all.filter { $0.hasSuffix("Bind") && !$0.hasSuffix("PreBind") && !$0.hasSuffix("PostBind") }
            == ["First.Bind", "Second.Bind"])
        #expect(harness.binds.all.isEmpty)
    }

    @Test("PreFilter narrows the nodes, or rejects the pod")
    func preFilter() async throws {
        var narrowing = Probe(log: log)
        narrowing.preFilterResult = .narrow(to: ["b"])
        let harness = try Harness(nodes: nodes, plugins: [narrowing])
        #expect(harness.schedule(makePod("p")).nodeName == "b")
        #expect(!log.all.contains("Probe.Filter(a)"))

        var rejecting = Probe(log: log)
        rejecting.preFilterResult = .reject(.unschedulableAndUnresolvable("pod group is not ready"))
        let rejected = try Harness(nodes: nodes, plugins: [rejecting])
        let failure = try #require(rejected.schedule(makePod("q")).failure)
        #expect(failure.message == "0/2 nodes are available: pod group is not ready.")
        #expect(failure.fitError?.unschedulablePlugins == ["Probe"])
        #expect(rejected.queue.location(of: "uid-q") == .unschedulable)
    }

    @Test("Filter verdicts exclude nodes; PostFilter runs only when none fits")
    func filterAndPostFilter() async throws {
        var probe = Probe(log: log)
        probe.filterVerdict = { $0.name == "a" ? .unschedulable("no a") : .success }
        let harness = try Harness(nodes: nodes, plugins: [probe])
        #expect(harness.schedule(makePod("p")).nodeName == "b")
        #expect(!log.all.contains { $0.contains("PostFilter") })

        var none = Probe(log: log)
        none.filterVerdict = { _ in .unschedulable("never") }
        none.postFilterResult = PostFilterResult(nominatedNodeName: "b", status: .success)
        let full = try Harness(nodes: nodes, plugins: [none])
        let failure = try #require(full.schedule(makePod("q")).failure)
        #expect(log.all.last == "Probe.PostFilter(a,b)")
        #expect(failure.nominatedNodeName == "b")
        #expect(failure.message == "0/2 nodes are available: 2 never.")
        #expect(failure.reason == "Unschedulable")
    }

    @Test("Score decides the node, with weights; NormalizeScore results out of range are errors")
    func score() async throws {
        var low = Probe("Low", log: log)
        low.scoreOf = { $0.name == "a" ? 100 : 0 }
        var high = Probe("High", log: log)
        high.scoreOf = { $0.name == "b" ? 60 : 0 }
        let harness = try Harness(nodes: nodes, plugins: [low, high], weights: ["High": 2])
        #expect(harness.schedule(makePod("p")).nodeName == "b")

        var wild = Probe("Wild", log: log)
        wild.scoreOf = { _ in 101 }
        let broken = try Harness(nodes: nodes, plugins: [wild])
        let failure = try #require(broken.schedule(makePod("q")).failure)
        #expect(failure.status.code == .error)
        #expect(broken.queue.location(of: "uid-q") == .backoff)
    }

    @Test("a Reserve failure unreserves every Reserve plugin in reverse order and forgets the pod")
    func reserveFailure() async throws {
        var failing = Probe("Second", log: log)
        failing.reserveVerdict = .unschedulable("no room in the gang")
        let harness = try Harness(nodes: [makeNode("a")], plugins: [Probe("First", log: log), failing, Probe("Third", log: log)])
        let failure = try #require(harness.schedule(makePod("p", cpu: "1")).failure)
        #expect(failure.status.plugin == "Second")
        #expect(log.all.suffix(5) == ["First.Reserve", "Second.Reserve", "Third.Unreserve", "Second.Unreserve", "First.Unreserve"])
        #expect(harness.handle.cache.nodeInfo(named: "a")?.requested.milliCPU == 0)
        #expect(harness.queue.location(of: "uid-p") == .unschedulable)
    }

    @Test("a Permit deny unreserves and requeues")
    func permitDeny() async throws {
        var probe = Probe(log: log)
        probe.permitDecision = .deny(.unschedulable("denied"))
        let harness = try Harness(nodes: [makeNode("a")], plugins: [probe])
        let failure = try #require(harness.schedule(makePod("p", cpu: "1")).failure)
        #expect(failure.message == "denied")
        #expect(log.all.suffix(2) == ["Probe.Permit", "Probe.Unreserve"])
        #expect(harness.handle.cache.nodeInfo(named: "a")?.requested.milliCPU == 0)
    }

    @Test("a waiting pod keeps its reservation until a plugin allows it through WaitingPods")
    func permitWaitAllow() async throws {
        var probe = Probe(log: log)
        probe.permitDecision = .wait(.seconds(60))
        let harness = try Harness(nodes: [makeNode("a")], plugins: [probe])
        let ticket = try #require(harness.schedule(makePod("p", cpu: "1")).ticket)
        #expect(harness.handle.cache.nodeInfo(named: "a")?.requested.milliCPU == 1000)
        #expect(harness.handle.waitingPods.all.map(\.uid) == ["uid-p"])
        #expect(harness.handle.waitingPods.get(uid: "uid-p")?.pendingPlugins == ["Probe"])
        async let result = harness.framework.bindingCycle(ticket)
        await harness.clock.waitForSleepers()
        #expect(!log.all.contains("Probe.PreBind"))
        #expect(harness.handle.waitingPods.allow(uid: "uid-p", plugin: "Probe"))
        guard case .bound(let node) = await result else { Issue.record("not bound"); return }
        #expect(node == "a")
        #expect(harness.handle.waitingPods.count == 0)
        #expect(harness.clock.sleeperCount == 0)
    }

    @Test("a rejected waiting pod is unreserved, forgotten and requeued as unschedulable")
    func permitWaitReject() async throws {
        var probe = Probe(log: log)
        probe.permitDecision = .wait(.seconds(60))
        let harness = try Harness(nodes: [makeNode("a")], plugins: [probe])
        let ticket = try #require(harness.schedule(makePod("p", cpu: "1")).ticket)
        harness.handle.waitingPods.forEach { $0.reject(plugin: "Gang", message: "group failed") }
        let failure = try #require(await harness.framework.bindingCycle(ticket).failure)
        #expect(failure.message == "group failed")
        #expect(failure.status.plugin == "Gang")
        #expect(log.all.last == "Probe.Unreserve")
        #expect(harness.handle.cache.nodeInfo(named: "a")?.requested.milliCPU == 0)
        #expect(harness.queue.location(of: "uid-p") == .backoff)
    }

    @Test("Permit waits are capped at 15 minutes and a timeout rejects the pod")
    func permitTimeout() async throws {
        var probe = Probe(log: log)
        probe.permitDecision = .wait(.seconds(20 * 60))
        let harness = try Harness(nodes: [makeNode("a")], plugins: [probe])
        let ticket = try #require(harness.schedule(makePod("p")).ticket)
        let start = harness.clock.now()
        async let result = harness.framework.bindingCycle(ticket)
        await harness.clock.waitForSleepers()
        #expect(harness.clock.nextDeadline == start.advanced(by: .seconds(15 * 60)))
        harness.clock.advance(by: .seconds(15 * 60))
        let failure = try #require(await result.failure)
        #expect(failure.message == "rejected due to timeout after waiting 15m0s at plugin Probe")
        #expect(failure.status.code == .unschedulable)
        #expect(log.all.last == "Probe.Unreserve")
    }

    @Test("a PreBind failure unreserves and requeues; the pod is not bound")
    func preBindFailure() async throws {
        var probe = Probe(log: log)
        probe.preBindVerdict = .error("volume not attached")
        let harness = try Harness(nodes: [makeNode("a")], plugins: [probe])
        guard case .failure(let failure) = await harness.scheduleAndBind(makePod("p", cpu: "1")) else {
            Issue.record("bound")
            return
        }
        #expect(failure.status.code == .error)
        #expect(log.all.suffix(2) == ["Probe.PreBind", "Probe.Unreserve"])
        #expect(harness.binds.all.isEmpty)
        #expect(harness.handle.cache.isAssumed(uid: "uid-p") == false)
        #expect(harness.queue.location(of: "uid-p") == .backoff)
    }

    @Test("plugins activate sibling pods through the cycle state")
    func activateSiblings() async throws {
        let sibling = makePod("sibling", cpu: "100")
        var probe = Probe(log: log)
        probe.activateOnPermit = [sibling]
        let harness = try Harness(nodes: [makeNode("a")], plugins: [NodeResourcesFit(), probe])
        #expect(harness.schedule(sibling).failure != nil)
        #expect(harness.queue.location(of: "uid-sibling") == .unschedulable)
        #expect(harness.schedule(makePod("p")).nodeName == "a")
        #expect(harness.queue.location(of: "uid-sibling") == .active)
    }

    @Test("the feasible-node sample follows numFeasibleNodesToFind and rotates its start")
    func sampling() async throws {
        #expect(Framework.numFeasibleNodesToFind(99) == 99)
        #expect(Framework.numFeasibleNodesToFind(100) == 100)
        #expect(Framework.numFeasibleNodesToFind(1000) == 420)
        #expect(Framework.numFeasibleNodesToFind(5000) == 500)
        #expect(Framework.numFeasibleNodesToFind(6000) == 300)
        #expect(Framework.numFeasibleNodesToFind(20000) == 1000)
        #expect(Framework.numFeasibleNodesToFind(150, percentage: 10) == 100)

        let many = (0..<1000).map { makeNode("n" + String(String($0 + 10000).dropFirst())) }
        let harness = try Harness(nodes: many, plugins: [Probe(log: log)])
        guard case .assumed(let ticket) = harness.schedule(makePod("p")) else { Issue.record("failed"); return }
        #expect(ticket.result.evaluatedNodes == 420)
        #expect(ticket.result.feasibleNodes == 420)
        log.clear()
        _ = harness.schedule(makePod("q"))
        #expect(log.all.dropFirst().first == "Probe.Filter(n0420)")
    }
}
