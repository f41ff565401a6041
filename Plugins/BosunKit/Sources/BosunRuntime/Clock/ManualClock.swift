import BosunKit
import Synchronization

/// A clock that moves only when told to: the injectable clock of tests and the test environment.
///
/// Sleepers wake when ``advance(by:)`` moves time past their deadline. ``waitForSleepers(_:)``
/// lets a test wait until the code under test has reached its timers, so no test sleeps.
public final class ManualClock: RuntimeClock {
    private struct Sleeper {
        var id: Int
        var deadline: Time
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Time
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    /// A clock that starts at `start` (default: 2026-01-01T00:00:00Z).
    public init(start: Time = Time(secondsSinceEpoch: 1_767_225_600)) {
        state = Mutex(State(now: start))
    }

    public func now() -> Time { state.withLock { $0.now } }

    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline anyone sleeps until, if anyone does.
    public var nextDeadline: Time? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// Every deadline someone sleeps until, earliest first: a test can tell that a controller
    /// waits for a given moment even while other timers (watch timeouts, say) come sooner.
    public var deadlines: [Time] { state.withLock { $0.sleepers.map(\.deadline).sorted() } }

    public func sleep(until deadline: Time) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: c))
                    return nil
                }
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(by duration: Duration) {
        let woken = state.withLock { s -> [Sleeper] in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline (if any) and wakes it.
    public func advanceToNextDeadline() {
        guard let next = nextDeadline else { return }
        let step = now().duration(to: next)
        advance(by: step > .zero ? step : .zero)
    }

    /// Waits (yielding, never sleeping) until at least `count` tasks sleep on this clock.
    public func waitForSleepers(_ count: Int = 1) async {
        while sleeperCount < count { await Task.yield() }
    }
}
