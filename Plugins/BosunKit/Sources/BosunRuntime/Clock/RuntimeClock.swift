import BosunKit
import BosunStore

/// The controller runtime's source of time: requeue-after timers, backoff, lease renewal, event
/// timestamps. Tests inject a ``ManualClock`` and move time by hand instead of sleeping.
///
/// It is a ``StoreClock`` too, so one clock can drive a store and the controllers on it.
public protocol RuntimeClock: StoreClock {
    /// Now, with sub-second precision (timestamps drop it when encoded).
    func now() -> Time

    /// Suspends until `deadline` has passed on this clock. Throws `CancellationError` when the
    /// task is cancelled first.
    func sleep(until deadline: Time) async throws
}

extension RuntimeClock {
    /// Suspends for `duration` on this clock.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now().advanced(by: duration))
    }
}

/// Real time. `now()` keeps sub-second precision; timestamps drop it when they are encoded.
public struct SystemRuntimeClock: RuntimeClock {
    public init() {}

    public func now() -> Time { Time.now() }

    public func sleep(until deadline: Time) async throws {
        let remaining = now().duration(to: deadline)
        if remaining > .zero { try await Task.sleep(for: remaining) }
        try Task.checkCancellation()
    }
}
