import BosunNodes
import Testing

@Suite("Kubelet heartbeats: batching")
struct HeartbeatBatchingTests {
    @Test("a heartbeat's next moment is rounded up to the tenth of a second; one already on a tenth stays")
    func roundedUpToTenths() {
        let second: Int64 = 1_767_225_600
        #expect(KubeletNodeHeartbeat.batched(Time(secondsSinceEpoch: second)) == Time(secondsSinceEpoch: second))
        #expect(KubeletNodeHeartbeat.batched(Time(secondsSinceEpoch: second, nanoseconds: 300_000_000))
            == Time(secondsSinceEpoch: second, nanoseconds: 300_000_000))
        #expect(KubeletNodeHeartbeat.batched(Time(secondsSinceEpoch: second, nanoseconds: 1))
            == Time(secondsSinceEpoch: second, nanoseconds: 100_000_000))
        #expect(KubeletNodeHeartbeat.batched(Time(secondsSinceEpoch: second, nanoseconds: 412_000_000))
            == Time(secondsSinceEpoch: second, nanoseconds: 500_000_000))
        #expect(KubeletNodeHeartbeat.batched(Time(secondsSinceEpoch: second, nanoseconds: 900_000_001))
            == Time(secondsSinceEpoch: second + 1))
    }
}
