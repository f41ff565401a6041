import BosunControllers
import BosunRuntime
import Synchronization
import Testing

@Suite("Workload: slow start")
struct WorkloadSlowStartTests {
    struct Refused: Error {}

    /// Records which calls ran, and in which batch (the number of calls finished before it started).
    final class Calls: Sendable {
        let state = Mutex((started: [Int](), finishedBefore: [Int: Int](), finished: 0))

        func run(_ number: Int, failing: Set<Int>) throws {
            state.withLock { s in
                s.started.append(number)
                s.finishedBefore[number] = s.finished
            }
            defer { state.withLock { $0.finished += 1 } }
            if failing.contains(number) { throw Refused() }
        }

        var started: [Int] { state.withLock { $0.started.sorted() } }
        /// How many calls had finished when call `number` started.
        func finishedBefore(_ number: Int) -> Int? { state.withLock { $0.finishedBefore[number] } }
    }

    @Test("batches of 1, 2, 4, … until every call ran")
    func doubling() async {
        let calls = Calls()
        let outcome = await SlowStart.run(count: 10) { try calls.run($0, failing: []) }
        #expect(outcome.successes == 10 && outcome.error == nil)
        #expect(calls.started == Array(0..<10))
        // A call starts once every earlier batch has finished, and before its own batch has:
        // batches 0 | 1-2 | 3-6 | 7-9.
        for batch in [0..<1, 1..<3, 3..<7, 7..<10] {
            for number in batch {
                let finished = calls.finishedBefore(number) ?? -1
                #expect(finished >= batch.lowerBound && finished < batch.upperBound, "call \(number)")
            }
        }
    }

    @Test("a batch with a failure is the last: its calls finish, later batches never start")
    func stopsAfterFailingBatch() async {
        let calls = Calls()
        let outcome = await SlowStart.run(count: 100) { try calls.run($0, failing: [4]) }
        #expect(calls.started == Array(0..<7), "batches 0 | 1-2 | 3-6, then stop")
        #expect(outcome.successes == 6)
        #expect(outcome.error is Refused)
    }

    @Test("the first batch failing makes exactly one call; nothing to do makes none")
    func edges() async {
        let calls = Calls()
        let outcome = await SlowStart.run(count: 500) { try calls.run($0, failing: [0]) }
        #expect(calls.started == [0] && outcome.successes == 0)
        let none = await SlowStart.run(count: 0) { _ in Issue.record("no call expected") }
        #expect(none.successes == 0 && none.error == nil)
    }
}
