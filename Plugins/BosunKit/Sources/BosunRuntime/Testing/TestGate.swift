import Synchronization

/// A gate tasks wait at until the test opens it: to hold a reconcile, a write or a list at a
/// chosen point and look at the system meanwhile. Waiting is deaf to cancellation, as a stuck
/// call would be.
public final class TestGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    /// Returns once the gate is open (at once if it is).
    public func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { s -> Bool in
                if !s.open { s.waiters.append(continuation) }
                return s.open
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every waiter through, and every later one.
    public func open() {
        for waiter in state.withLock({ s in defer { s = (true, []) }; return s.waiters }) { waiter.resume() }
    }

    /// How many tasks wait at the gate now.
    public var waiting: Int { state.withLock { $0.waiters.count } }
}
