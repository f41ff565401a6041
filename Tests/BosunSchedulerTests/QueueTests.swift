import BosunScheduler
import Testing

/// Rejects every pod at Filter; registers only NodeAdd.
struct RejectAll: FilterPlugin, EnqueueExtensions {
    var name: String { "RejectAll" }
    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus { .unschedulable("full") }
    func eventsToRegister() -> [ClusterEventWithHint] { [ClusterEventWithHint(.nodeAdd)] }
}

/// Gates pods labelled `gated=true`.
struct Gate: PreEnqueuePlugin, EnqueueExtensions {
    var name: String { "Gate" }
    func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        pod.labels["gated"] == "true" ? .unschedulableAndUnresolvable("gated") : .success
    }
    func eventsToRegister() -> [ClusterEventWithHint] { [ClusterEventWithHint(.unscheduledPodUpdate)] }
}

@Suite("Scheduling queue")
struct QueueTests {
    let clock = ManualClock()

    func makeQueue(_ preEnqueue: [any PreEnqueuePlugin] = [],
                   registrations: [String: [ClusterEventWithHint]] = [:]) -> SchedulingQueue {
        SchedulingQueue(clock: clock, queueSort: PrioritySort(), preEnqueuePlugins: preEnqueue, registrations: registrations)
    }

    @Test("the active queue pops by priority, then by arrival")
    func ordering() {
        let queue = makeQueue()
        queue.add(makePod("low", priority: 1))
        clock.advance(by: .seconds(1))
        queue.add(makePod("high", priority: 5))
        clock.advance(by: .seconds(1))
        queue.add(makePod("low2", priority: 1))
        #expect([queue.tryPop(), queue.tryPop(), queue.tryPop()].map { $0?.podInfo.name } == ["high", "low", "low2"])
        #expect(queue.tryPop() == nil)
    }

    @Test("backoff is 1, 2, 4, 8, 10, 10 seconds by attempt")
    func backoffSequence() {
        let options = QueueOptions()
        #expect((1...6).map { options.backoff(attempts: $0) } == [1, 2, 4, 8, 10, 10].map { Duration.seconds($0) })

        let queue = makeQueue()
        queue.add(makePod("p"))
        var waits: [Duration] = []
        for _ in 1...6 {
            let pod = try! #require(queue.tryPop())
            queue.requeue(pod, unschedulablePlugins: [], isError: true)
            #expect(queue.location(of: pod.uid) == .backoff)
            let expiry = queue.backoffExpiry(of: try! #require(queue.queued(uid: pod.uid)))
            waits.append(clock.now().duration(to: expiry))
            clock.advance(by: clock.now().duration(to: expiry) - .milliseconds(1))
            queue.flushBackoffCompleted()
            #expect(queue.location(of: pod.uid) == .backoff)
            clock.advance(by: .milliseconds(1))
            queue.flushBackoffCompleted()
            #expect(queue.location(of: pod.uid) == .active)
        }
        #expect(waits == [1, 2, 4, 8, 10, 10].map { Duration.seconds($0) })
    }

    @Test("an unschedulable pod returns on a registered event, not on others")
    func eventReactivation() async throws {
        let harness = try Harness(nodes: [makeNode("a")], plugins: [RejectAll()])
        let queue = harness.queue
        #expect(harness.schedule(makePod("p")).failure != nil)
        #expect(queue.location(of: "uid-p") == .unschedulable)
        queue.moveAllToActiveOrBackoff(.assignedPodDelete)
        #expect(queue.location(of: "uid-p") == .unschedulable)
        // Past its 1 s backoff, a node-added event moves it straight to the active queue.
        harness.clock.advance(by: .seconds(2))
        queue.moveAllToActiveOrBackoff(.nodeAdd, newObject: makeNode("b"))
        #expect(queue.location(of: "uid-p") == .active)
    }

    @Test("an event during backoff moves the pod to the backoff queue")
    func eventDuringBackoff() async throws {
        let harness = try Harness(nodes: [makeNode("a")], plugins: [RejectAll()])
        #expect(harness.schedule(makePod("p")).failure != nil)
        harness.queue.moveAllToActiveOrBackoff(.nodeAdd)
        #expect(harness.queue.location(of: "uid-p") == .backoff)
        harness.clock.advance(by: .seconds(1))
        harness.queue.flushBackoffCompleted()
        #expect(harness.queue.location(of: "uid-p") == .active)
    }

    @Test("a queueing hint can skip an event")
    func queueingHint() {
        let queue = makeQueue(registrations: ["RejectAll": [ClusterEventWithHint(.nodeAdd) { _, _, new in
            (new as? Node)?.metadata.labels?["big"] == "true" ? .queue : .skip
        }]])
        queue.add(makePod("p"))
        let pod = try! #require(queue.tryPop())
        queue.requeue(pod, unschedulablePlugins: ["RejectAll"])
        clock.advance(by: .seconds(5))
        queue.moveAllToActiveOrBackoff(.nodeAdd, newObject: makeNode("small"))
        #expect(queue.location(of: "uid-p") == .unschedulable)
        queue.moveAllToActiveOrBackoff(.nodeAdd, newObject: makeNode("big", labels: ["big": "true"]))
        #expect(queue.location(of: "uid-p") == .active)
    }

    @Test("an unschedulable pod no event wakes is retried after 5 minutes")
    func unschedulableTimeout() {
        let queue = makeQueue(registrations: ["RejectAll": [ClusterEventWithHint(.nodeAdd)]])
        queue.add(makePod("p"))
        queue.requeue(try! #require(queue.tryPop()), unschedulablePlugins: ["RejectAll"])
        clock.advance(by: .seconds(299))
        queue.flushUnschedulableLeftover()
        #expect(queue.location(of: "uid-p") == .unschedulable)
        clock.advance(by: .seconds(1))
        queue.flushUnschedulableLeftover()
        #expect(queue.location(of: "uid-p") == .active)
    }

    @Test("run() flushes backoff every second and the unschedulable pool every 30 s")
    func periodicFlush() async {
        let queue = makeQueue(registrations: ["RejectAll": []])
        queue.add(makePod("p"))
        queue.requeue(queue.tryPop()!, unschedulablePlugins: ["RejectAll"])
        let runner = Task { await queue.run() }
        for _ in 0..<300 {
            await clock.waitForSleepers()
            clock.advanceToNextDeadline()
        }
        // The 300th second's flush runs after the wake-up; wait for the loop to sleep again.
        await clock.waitForSleepers()
        #expect(queue.location(of: "uid-p") == .active)
        runner.cancel()
        await runner.value
    }

    @Test("PreEnqueue gates a pod until an update lets it through")
    func preEnqueueGate() {
        let queue = makeQueue([Gate()], registrations: ["Gate": Gate().eventsToRegister()])
        queue.add(makePod("p", labels: ["gated": "true"]))
        #expect(queue.location(of: "uid-p") == .unschedulable)
        #expect(queue.queued(uid: "uid-p")?.gatingPlugin == "Gate")
        #expect(queue.tryPop() == nil)
        queue.update(makePod("p", labels: ["gated": "false"]))
        #expect(queue.location(of: "uid-p") == .active)
    }

    @Test("scheduling gates hold pods out of the active queue")
    func schedulingGates() {
        let queue = makeQueue([SchedulingGates()])
        var pod = makePod("p")
        pod.spec.schedulingGates = [PodSchedulingGate(name: "example.com/wait")]
        queue.add(pod)
        #expect(queue.location(of: "uid-p") == .unschedulable)
        #expect(SchedulingGates().preEnqueue(PodInfo(pod)).reasons == ["waiting for scheduling gates: [example.com/wait]"])
        pod.spec.schedulingGates = nil
        queue.update(pod)
        #expect(queue.location(of: "uid-p") == .active)
    }

    @Test("activate moves pods from the unschedulable pool and from backoff at once")
    func activate() {
        let queue = makeQueue(registrations: ["RejectAll": []])
        queue.add(makePod("a"))
        queue.add(makePod("b"))
        queue.requeue(queue.tryPop()!, unschedulablePlugins: ["RejectAll"])
        queue.requeue(queue.tryPop()!, unschedulablePlugins: [], isError: true)
        #expect(queue.location(of: "uid-a") == .unschedulable)
        #expect(queue.location(of: "uid-b") == .backoff)
        queue.activate([makePod("a"), makePod("b")])
        #expect(queue.activeCount == 2)
    }

    @Test("pop waits for a pod; close ends it")
    func popWaits() async {
        let queue = makeQueue()
        async let popped = queue.pop()
        await Task.yield()
        queue.add(makePod("p"))
        #expect(await popped?.podInfo.name == "p")
        #expect(queue.location(of: "uid-p") == .inFlight)
        queue.done(uid: "uid-p")
        async let none = queue.pop()
        queue.close()
        #expect(await none == nil)
    }

    @Test("update and delete reach queued and in-flight pods")
    func updateDelete() {
        let queue = makeQueue()
        queue.add(makePod("p", priority: 1))
        queue.add(makePod("q", priority: 2))
        queue.update(makePod("p", priority: 3))
        #expect(queue.tryPop()?.podInfo.name == "p")
        queue.delete(uid: "uid-q")
        #expect(queue.activeCount == 0)
        // Deleted while in flight: the failed attempt does not bring it back.
        queue.delete(uid: "uid-p")
        #expect(queue.location(of: "uid-p") == nil)
    }
}
