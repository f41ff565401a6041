/// How long an informer waits before it lists or watches again after a failure.
///
/// The first failure retries at once (a slow consumer closed, a connection dropped); repeated
/// ones back off, 100 ms doubling up to 30 s, so a resource that cannot be listed does not spin.
/// A watch that delivered events before it failed made progress: its failure starts the count
/// again, as client-go's backoff forgets after a quiet while. Counting every failure over a
/// process's life instead made a busy informer that is closed as too slow now and then wait
/// 30 s each time after a dozen — and resume 30 s behind, to be closed again.
struct InformerRetry: Sendable {
    /// Failures since the last success or progress.
    private(set) var failures = 0

    /// The wait before the next attempt, after a failure; `progressed`: the failed watch had
    /// delivered events first.
    mutating func delay(afterFailureWithProgress progressed: Bool) -> Duration {
        if progressed { failures = 0 }
        failures += 1
        guard failures > 1 else { return .zero }
        return .milliseconds(min(30_000, 100 << min(failures - 2, 9)))
    }

    /// A watch ended cleanly.
    mutating func succeeded() {
        failures = 0
    }
}
