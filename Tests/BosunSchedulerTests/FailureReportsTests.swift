import BosunRuntime
@testable import BosunScheduler
import Synchronization
import Testing

@Suite("Scheduling failure reports")
struct FailureReportsTests {
    /// Records what was written, each write held at `gate` until the test opens it.
    final class Writes: Sendable {
        let gate = TestGate()
        private let state = Mutex<(written: [String], inFlight: Int, mostInFlight: Int)>(([], 0, 0))

        func write(_ report: String) async {
            state.withLock { s in
                s.inFlight += 1
                s.mostInFlight = max(s.mostInFlight, s.inFlight)
            }
            await gate.wait()
            state.withLock { s in
                s.inFlight -= 1
                s.written.append(report)
            }
        }

        var written: [String] { state.withLock { $0.written } }
        var mostInFlight: Int { state.withLock { $0.mostInFlight } }
    }

    @Test("a pod's later failure replaces its waiting report; the rest are written in arrival order by at most the writers allowed")
    func latestPerPodBoundedWriters() async throws {
        let writes = Writes()
        let reports = FailureReports<String>(maxWriters: 1) { await writes.write($0) }
        reports.add("a1", for: "a")
        for _ in 0..<100_000 where writes.gate.waiting == 0 { await Task.yield() }
        #expect(writes.gate.waiting == 1)
        // While a1 is being written: b fails twice, a again, then c.
        reports.add("b1", for: "b")
        reports.add("a2", for: "a")
        reports.add("b2", for: "b")
        reports.add("c1", for: "c")
        #expect(reports.pending == 3)
        writes.gate.open()
        for _ in 0..<100_000 where writes.written.count < 4 { await Task.yield() }
        #expect(writes.written == ["a1", "b2", "a2", "c1"])
        #expect(writes.mostInFlight == 1)
        #expect(reports.pending == 0)
    }

    @Test("10,000 failures of 10,000 pods are written by no more than four writers")
    func manyFailuresFewWriters() async throws {
        let writes = Writes()
        writes.gate.open()
        let reports = FailureReports<String>(maxWriters: 4) { await writes.write($0) }
        for n in 0..<10_000 { reports.add("p\(n)", for: "p\(n)") }
        for _ in 0..<1_000_000 where writes.written.count < 10_000 { await Task.yield() }
        #expect(writes.written.count == 10_000)
        #expect(Set(writes.written).count == 10_000)
        #expect(writes.mostInFlight <= 4)
    }
}
