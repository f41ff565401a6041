/// How long a failing key waits before its next try: `base · 2^(retry − 1)`, at most `cap`.
///
/// Per key and exponential, as Kubernetes' `ItemExponentialFailureRateLimiter`: a key that failed
/// once is retried almost at once (a conflict usually clears on the next read), while a key that
/// keeps failing backs off quickly to the cap, so a broken object cannot keep the workers busy.
/// Success resets it (``WorkQueue/forget(_:)``).
public struct Backoff: Sendable, Hashable {
    /// The delay before the first retry.
    public var base: Duration
    /// The longest delay, however many times the key failed.
    public var cap: Duration

    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000)) {
        self.base = base
        self.cap = cap
    }

    /// 5 ms doubling to 1000 s: controller-runtime's default.
    public static var `default`: Backoff { Backoff() }

    /// The delay before retry number `retry` (1 for the first retry after a failure).
    ///
    /// Doubles by addition and stops at the cap, so no retry count, however large, overflows.
    public func delay(forRetry retry: Int) -> Duration {
        guard base > .zero, cap > .zero else { return .zero }
        var delay = base
        var step = 1
        while step < retry {
            if delay > cap - delay { return cap }
            delay += delay
            step += 1
        }
        return min(delay, cap)
    }
}
