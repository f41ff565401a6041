import BosunKit
import BosunRuntime
import CoreMetrics
import MetricsTestKit
import Synchronization
import Testing

@Suite("Work queue", .timeLimit(.minutes(1)))
struct WorkQueueTests {
    private let clock = ManualClock()

    private func queue(
        metrics: (any MetricsFactory)? = nil, backoff: Backoff = .default, agingThreshold: Duration = .seconds(1)
    ) -> WorkQueue<String> {
        WorkQueue(name: "test", clock: clock, metrics: metrics, backoff: backoff, agingThreshold: agingThreshold)
    }

    /// Every key ready now, in the order workers would get them (each marked done at once).
    private func drain(_ queue: WorkQueue<String>) -> [String] {
        var keys: [String] = []
        while let key = queue.tryNext() {
            keys.append(key)
            queue.done(key)
        }
        return keys
    }

    // MARK: Deduplication

    @Test("a key added while queued stays one item")
    func dedupWhileQueued() {
        let queue = queue()
        queue.add("a")
        queue.add("b")
        queue.add("a")
        queue.add("a", priority: .low)
        #expect(queue.count == 2)
        #expect(drain(queue) == ["a", "b"])
        #expect(queue.count == 0)
    }

    @Test("object names deduplicate by namespace and name")
    func objectNameKeys() {
        let queue = WorkQueue<ObjectName>(name: "pods", clock: clock)
        queue.add(ObjectName("default/web"))
        queue.add(ObjectName(namespace: "default", name: "web"))
        queue.add(ObjectName("other/web"))
        #expect(queue.count == 2)
        #expect(queue.tryNext() == ObjectName("default/web"))
        #expect(queue.tryNext() == ObjectName("other/web"))
    }

    @Test("a key added while processing is not handed out again until done, then exactly once more")
    func reAddDuringProcessing() async {
        let queue = queue()
        queue.add("a")
        #expect(await queue.next() == "a")
        queue.add("a")
        queue.add("a", priority: .low)
        #expect(queue.count == 0)
        #expect(queue.tryNext() == nil)
        queue.done("a")
        #expect(queue.count == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.count == 0)
        #expect(queue.tryNext() == nil)
    }

    @Test("concurrent workers never hold one key at once, and every add is followed by processing")
    func concurrentWorkersNeverShareAKey() async {
        let queue = queue()
        let books = Ledger()
        let keys = (0..<16).map { "key-\($0)" }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.next() {
                        books.withLock { b in
                            if !b.inFlight.insert(key).inserted { b.overlaps += 1 }
                            b.seen[key] = b.latest[key]
                        }
                        await Task.yield()
                        books.withLock { _ = $0.inFlight.remove(key) }
                        queue.done(key)
                    }
                }
            }
            for round in 1...500 {
                for (index, key) in keys.enumerated() where (round + index) % 3 != 0 {
                    books.withLock { $0.latest[key] = round }
                    queue.add(key, priority: round % 2 == 0 ? .high : .low)
                }
                if round % 50 == 0 { await Task.yield() }
            }
            await yieldUntil { books.withLock { $0.seen == $0.latest } && queue.count == 0 }
            queue.shutDown()
        }
        let final = books.withLock { $0 }
        #expect(final.overlaps == 0)
        #expect(final.seen == final.latest)
        #expect(final.latest.count == keys.count)
    }

    // MARK: Priority

    @Test("high keys are served before low keys added at the same time")
    func highBeforeLow() {
        let queue = queue()
        queue.add("list-1", priority: .low)
        queue.add("change-1")
        queue.add("list-2", priority: .low)
        queue.add("change-2", priority: .high)
        #expect(drain(queue) == ["change-1", "change-2", "list-1", "list-2"])
    }

    @Test("re-adding a queued low key as high moves it up; re-adding a high key as low does not move it down")
    func reAddRaisesPriority() {
        let queue = queue()
        queue.add("a", priority: .low)
        queue.add("b", priority: .low)
        queue.add("c")
        queue.add("b", priority: .high)
        queue.add("c", priority: .low)
        #expect(queue.count == 3)
        #expect(drain(queue) == ["c", "b", "a"])
    }

    @Test("aging: a low key is served once high keys added more than the threshold after it arrive")
    func agingLetsOldLowThrough() async {
        let queue = queue(agingThreshold: .seconds(1))
        queue.add("resync", priority: .low)
        var served: [String] = []
        for i in 1...5 {
            clock.advance(by: .milliseconds(300))
            queue.add("change-\(i)")
            if let key = await queue.next() {
                served.append(key)
                queue.done(key)
            }
        }
        // change-4 is added 1.2 s after the low key, which ranks as added at 1 s: it goes first.
        #expect(served == ["change-1", "change-2", "change-3", "resync", "change-4"])
        #expect(drain(queue) == ["change-5"])
    }

    @Test("aging with a backlog: high keys added within the threshold stay ahead, later ones queue behind")
    func agingWithBacklog() {
        let queue = queue(agingThreshold: .seconds(2))
        queue.add("h0")
        queue.add("low", priority: .low)
        clock.advance(by: .seconds(1))
        queue.add("h1")
        clock.advance(by: .seconds(2))
        queue.add("h3")
        #expect(drain(queue) == ["h0", "h1", "low", "h3"])
    }

    @Test("raising a low key that aging already ranks early keeps its place")
    func raiseKeepsEarlierRank() {
        let queue = queue(agingThreshold: .seconds(1))
        queue.add("old", priority: .low)
        clock.advance(by: .seconds(2))
        queue.add("new")
        queue.add("old", priority: .high)
        #expect(drain(queue) == ["old", "new"])
    }

    // MARK: Delays

    @Test("addAfter adds the key only once the clock passes the deadline")
    func addAfterWaitsForDeadline() async {
        let queue = queue()
        let start = clock.now()
        queue.addAfter("a", .seconds(5))
        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == start.advanced(by: .seconds(5)))
        #expect(queue.count == 0)
        clock.advance(by: .seconds(4))
        #expect(queue.tryNext() == nil)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(await queue.next() == "a")
    }

    @Test("of two delays for one key the earlier wins, with one timer")
    func earliestDeadlineWins() async {
        let queue = queue()
        let start = clock.now()
        queue.addAfter("a", .seconds(10))
        await clock.waitForSleepers(1)
        queue.addAfter("a", .seconds(2))
        await clock.waitForSleepers(1)
        #expect(clock.sleeperCount == 1)
        #expect(clock.nextDeadline == start.advanced(by: .seconds(2)))

        queue.addAfter("b", .seconds(3))
        queue.addAfter("b", .seconds(30))
        #expect(clock.sleeperCount == 1)
        #expect(clock.nextDeadline == start.advanced(by: .seconds(2)))

        clock.advance(by: .seconds(2))
        #expect(await queue.next() == "a")
        queue.done("a")
        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == start.advanced(by: .seconds(3)))
        clock.advance(by: .seconds(1))
        #expect(await queue.next() == "b")
        queue.done("b")

        // "a" once waited until 10 s and "b" until 30 s; neither comes back.
        queue.addAfter("sentinel", .seconds(30))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(30))
        #expect(await queue.next() == "sentinel")
        #expect(queue.tryNext() == nil)
    }

    @Test("a key already queued gets no timer")
    func queuedKeyNeedsNoTimer() async {
        let queue = queue()
        let start = clock.now()
        queue.add("a")
        queue.addAfter("a", .seconds(1))
        queue.addAfter("sentinel", .seconds(5))
        await clock.waitForSleepers(1)
        // Had "a" been scheduled, the timer would sleep until 1 s.
        #expect(clock.nextDeadline == start.advanced(by: .seconds(5)))
        #expect(queue.count == 1)
    }

    @Test("a direct add supersedes a pending delay of the key")
    func addCancelsPendingDelay() async {
        let queue = queue()
        queue.addAfter("a", .seconds(1))
        await clock.waitForSleepers(1)
        queue.add("a")
        #expect(await queue.next() == "a")
        queue.done("a")
        queue.addAfter("sentinel", .seconds(2))
        clock.advance(by: .seconds(2))
        #expect(await queue.next() == "sentinel")
        #expect(queue.tryNext() == nil)
    }

    @Test("a delay that ends while the key is processed queues it again after done")
    func delayEndingDuringProcessing() async {
        let queue = queue()
        queue.add("a")
        #expect(await queue.next() == "a")
        queue.addAfter("a", .seconds(1))
        queue.addAfter("sentinel", .seconds(1))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        #expect(await queue.next() == "sentinel")
        #expect(queue.tryNext() == nil)
        queue.done("a")
        #expect(queue.tryNext() == "a")
    }

    @Test("a delayed key keeps the priority it was added with")
    func delayedKeyKeepsPriority() async {
        let queue = queue()
        queue.addAfter("resync", .seconds(1), priority: .low)
        queue.addAfter("change", .seconds(1))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        await yieldUntil { queue.count == 2 }
        #expect(drain(queue) == ["change", "resync"])
    }

    @Test("many delayed keys share one timer task and come out in deadline order")
    func oneTimerForManyKeys() async {
        let queue = queue()
        let start = clock.now()
        for i in stride(from: 100, through: 1, by: -1) {
            queue.addAfter("key-\(i)", .seconds(Int64(i)))
        }
        await clock.waitForSleepers(1)
        #expect(clock.sleeperCount == 1)
        #expect(clock.nextDeadline == start.advanced(by: .seconds(1)))
        clock.advance(by: .seconds(100))
        await yieldUntil { queue.count == 100 }
        #expect(drain(queue) == (1...100).map { "key-\($0)" })
    }

    @Test("delays superseded by direct adds are swept out and the live ones still fire")
    func supersededDelaysAreSwept() async {
        let queue = queue()
        for i in 0..<200 { queue.addAfter("key-\(i)", .seconds(10)) }
        for i in 0..<150 { queue.add("key-\(i)") }
        #expect(drain(queue) == (0..<150).map { "key-\($0)" })
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(10))
        await yieldUntil { queue.count == 50 }
        #expect(drain(queue) == (150..<200).map { "key-\($0)" })
    }

    // MARK: Rate limiting

    @Test("backoff doubles from 5 ms and stops at 1000 s")
    func backoffSchedule() {
        let backoff = Backoff.default
        #expect(backoff.delay(forRetry: 1) == .milliseconds(5))
        #expect(backoff.delay(forRetry: 2) == .milliseconds(10))
        #expect(backoff.delay(forRetry: 3) == .milliseconds(20))
        #expect(backoff.delay(forRetry: 18) == .milliseconds(655_360))
        #expect(backoff.delay(forRetry: 19) == .seconds(1000))
        #expect(backoff.delay(forRetry: 1000) == .seconds(1000))
        #expect(backoff.delay(forRetry: .max) == .seconds(1000))
        #expect(Backoff(base: .seconds(1), cap: .seconds(3)).delay(forRetry: 3) == .seconds(3))
    }

    @Test("addRateLimited waits each key's backoff, counts retries, and forget resets them")
    func rateLimitedAdds() async {
        let queue = queue()
        for (retry, expected) in [(1, 5), (2, 10), (3, 20)] {
            let start = clock.now()
            queue.addRateLimited("a")
            #expect(queue.retries("a") == retry)
            await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == start.advanced(by: .milliseconds(expected)))
            clock.advance(by: .milliseconds(expected))
            #expect(await queue.next() == "a")
            queue.done("a")
        }
        #expect(queue.retries("b") == 0)
        queue.forget("a")
        #expect(queue.retries("a") == 0)
        let start = clock.now()
        queue.addRateLimited("a")
        await clock.waitForSleepers(1)
        #expect(clock.nextDeadline == start.advanced(by: .milliseconds(5)))
    }

    // MARK: Shutdown and cancellation

    @Test("shutDown wakes every waiting worker with nil; later next() returns nil and adds are ignored")
    func shutDownWakesWaiters() async {
        let queue = queue()
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<3 { group.addTask { await queue.next() } }
            await yieldUntil { queue.waitingWorkers == 3 }
            queue.shutDown()
            var results: [String?] = []
            for await result in group { results.append(result) }
            #expect(results == [nil, nil, nil])
        }
        #expect(queue.isShutDown)
        #expect(await queue.next() == nil)
        queue.add("a")
        queue.addAfter("b", .seconds(1))
        #expect(queue.count == 0)
        #expect(clock.sleeperCount == 0)
    }

    @Test("shutDown stops the timer")
    func shutDownStopsTimer() async {
        let queue = queue()
        queue.addAfter("a", .seconds(1))
        await clock.waitForSleepers(1)
        queue.shutDown()
        await yieldUntil { clock.sleeperCount == 0 }
        #expect(clock.sleeperCount == 0)
    }

    @Test("a cancelled waiter returns nil and takes no key with it")
    func cancelledWaiterLosesNothing() async {
        let queue = queue()
        let waiter = Task { await queue.next() }
        await yieldUntil { queue.waitingWorkers == 1 }
        waiter.cancel()
        #expect(await waiter.value == nil)
        #expect(queue.waitingWorkers == 0)
        queue.add("a")
        #expect(queue.count == 1)
        #expect(queue.tryNext() == "a")
    }

    @Test("a task cancelled before asking gets nil and the queued key stays")
    func cancelledBeforeNext() async {
        let queue = queue()
        queue.add("a")
        let worker = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.next()
        }
        #expect(await worker.value == nil)
        #expect(queue.count == 1)
    }

    @Test("a waiting worker gets a key as soon as it is added")
    func waiterGetsKeyAtOnce() async {
        let queue = queue()
        let worker = Task { await queue.next() }
        await yieldUntil { queue.waitingWorkers == 1 }
        queue.add("a")
        #expect(await worker.value == "a")
        #expect(queue.count == 0)
    }

    @Test("a key handed to a waiter cancelled at that moment is returned or put back, never lost")
    func cancellationRacingHandoff() async {
        for _ in 0..<200 {
            let queue = queue()
            let worker = Task { await queue.next() }
            await yieldUntil { queue.waitingWorkers == 1 }
            queue.add("a")
            worker.cancel()
            if let key = await worker.value {
                #expect(key == "a")
                #expect(queue.count == 0)
            } else {
                #expect(queue.tryNext() == "a")
            }
        }
    }

    // MARK: Metrics

    @Test("depth, adds, queue latency and retries are recorded with the queue's name")
    func metricsRecorded() async throws {
        let metrics = TestMetrics()
        let queue = WorkQueue<String>(name: "pods", clock: clock, metrics: metrics)
        let name = [("name", "pods")]
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(try metrics.expectCounter("workqueue_adds_total", name).totalValue == 2)
        #expect(try metrics.expectGauge("workqueue_depth", name).lastValue == 2)

        clock.advance(by: .seconds(2))
        #expect(await queue.next() == "a")
        #expect(try metrics.expectTimer("workqueue_queue_duration_seconds", name).values == [2_000_000_000])
        #expect(try metrics.expectGauge("workqueue_depth", name).lastValue == 1)

        queue.addRateLimited("a")
        queue.addRateLimited("c")
        #expect(try metrics.expectCounter("workqueue_retries_total", name).totalValue == 2)
        queue.done("a")
        queue.shutDown()
        #expect(try metrics.expectGauge("workqueue_depth", name).lastValue == 0)
    }

    // MARK: Helpers

    /// What the workers of the concurrency test saw, shared between them.
    private final class Ledger: Sendable {
        struct Books {
            /// The round of each key's latest add.
            var latest: [String: Int] = [:]
            /// The latest round each key's processing started after.
            var seen: [String: Int] = [:]
            var inFlight: Set<String> = []
            var overlaps = 0
        }

        private let books = Mutex(Books())

        func withLock<R: Sendable>(_ body: (inout Books) -> R) -> R { books.withLock { body(&$0) } }
    }

    /// Yields until `condition` holds, failing (not hanging) after many tries; never sleeps.
    private func yieldUntil(
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
    ) async {
        for _ in 0..<1_000_000 {
            if condition() { return }
            await Task.yield()
        }
        Issue.record("condition never held", sourceLocation: sourceLocation)
    }
}
