@testable import BosunControllers
import BosunRuntime
import Testing

@Suite("Workload: sync pacing")
struct WorkloadSyncPacingTests {
    let key = ObjectName(namespace: "default", name: "web")
    let start = Time(secondsSinceEpoch: 1_000_000)

    func at(_ milliseconds: Int64) -> Time { start.advanced(by: .milliseconds(milliseconds)) }

    @Test("a sync shorter than the threshold is never followed by a rest")
    func cheapSyncsNeverRest() {
        let pacing = SyncPacing(threshold: .milliseconds(20))
        pacing.record(key, started: at(0), ended: at(19))
        #expect(pacing.rest(for: key, now: at(19)) == nil)
    }

    @Test("an expensive sync is followed by a rest as long as it took, counted from its end")
    func expensiveSyncRests() {
        let pacing = SyncPacing(threshold: .milliseconds(20))
        pacing.record(key, started: at(0), ended: at(100))
        #expect(pacing.rest(for: key, now: at(100)) == .milliseconds(100))
        #expect(pacing.rest(for: key, now: at(160)) == .milliseconds(40))
        #expect(pacing.rest(for: key, now: at(200)) == nil)
        // Other keys are not held back.
        #expect(pacing.rest(for: ObjectName(namespace: "default", name: "other"), now: at(100)) == nil)
    }

    @Test("a cheap sync after an expensive one clears the rest; forgetting a key clears it too")
    func restClears() {
        let pacing = SyncPacing(threshold: .milliseconds(20))
        pacing.record(key, started: at(0), ended: at(100))
        pacing.record(key, started: at(200), ended: at(205))
        #expect(pacing.rest(for: key, now: at(205)) == nil)
        pacing.record(key, started: at(300), ended: at(400))
        pacing.forget(key)
        #expect(pacing.rest(for: key, now: at(400)) == nil)
    }
}
