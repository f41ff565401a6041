@testable import BosunRuntime
import Testing

@Suite("Informer retry")
struct InformerRetryTests {
    @Test("failures without progress back off 0, 100 ms, doubling to 30 s")
    func backsOff() {
        var retry = InformerRetry()
        let delays = (0..<12).map { _ in retry.delay(afterFailureWithProgress: false) }
        #expect(delays == [.zero, .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                           .milliseconds(1_600), .milliseconds(3_200), .milliseconds(6_400), .milliseconds(12_800),
                           .milliseconds(25_600), .seconds(30), .seconds(30)])
        retry.succeeded()
        #expect(retry.delay(afterFailureWithProgress: false) == .zero)
    }

    @Test("a watch that delivered events before it was closed retries at once, however many closes came before")
    func progressStartsTheCountAgain() {
        var retry = InformerRetry()
        for _ in 0..<20 {
            #expect(retry.delay(afterFailureWithProgress: true) == .zero)
        }
        #expect(retry.failures == 1)
        // A failure right after, with nothing delivered, backs off as a second one.
        #expect(retry.delay(afterFailureWithProgress: false) == .milliseconds(100))
    }
}
