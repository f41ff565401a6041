/// The kubelet's restart backoff for one container (client-go's `flowcontrol.Backoff` as the
/// kubelet uses it, without jitter): 10 s doubling to 300 s, forgotten after a run that ended
/// more than 10 minutes (twice the cap) after the last restart.
///
/// The first exit restarts at once and arms the backoff; each later exit waits out the current
/// delay in `CrashLoopBackOff`, then doubles it when the container restarts. So a container that
/// keeps crashing restarts 0 s, 10 s, 20 s, 40 s, ... 300 s after each exit.
public struct ContainerRestartBackoff: Sendable, Hashable {
    public static let initialDelay = Duration.seconds(10)
    public static let maximumDelay = Duration.seconds(300)

    /// The delay a crash now waits before the restart; zero before the first restart.
    public private(set) var delay: Duration = .zero
    /// When the backoff last moved: the last restart.
    public private(set) var lastUpdate: Time?

    public init() {}

    /// The state a kubelet would have after `restarts` crash restarts, the last at `lastRestart`:
    /// what a runtime that lost its memory (a restarted process) rebuilds from a pod's status.
    public init(restarts: Int32, lastRestart: Time?) {
        guard restarts > 0, let lastRestart else { return }
        let doublings = min(Int(restarts) - 1, 5)
        delay = min(Self.initialDelay * (1 << doublings), Self.maximumDelay)
        lastUpdate = lastRestart
    }

    /// Whether a container that exited at `exitedAt` must wait at `now` before it restarts.
    public func isInBackOff(exitedAt: Time, now: Time) -> Bool {
        guard let lastUpdate, !Self.hasExpired(exitedAt: exitedAt, lastUpdate: lastUpdate) else { return false }
        return exitedAt.duration(to: now) < delay
    }

    /// When a container that exited at `exitedAt` may restart.
    public func restartTime(exitedAt: Time) -> Time {
        guard let lastUpdate, !Self.hasExpired(exitedAt: exitedAt, lastUpdate: lastUpdate) else { return exitedAt }
        return exitedAt.advanced(by: delay)
    }

    /// Records a restart at `now` of a container that exited at `exitedAt`: arms the backoff,
    /// or doubles it up to the cap.
    public mutating func recordRestart(exitedAt: Time, now: Time) {
        if let lastUpdate, !Self.hasExpired(exitedAt: exitedAt, lastUpdate: lastUpdate) {
            delay = min(delay * 2, Self.maximumDelay)
        } else {
            delay = Self.initialDelay
        }
        lastUpdate = now
    }

    /// A container that ran cleanly for twice the cap since the last restart starts over.
    private static func hasExpired(exitedAt: Time, lastUpdate: Time) -> Bool {
        lastUpdate.duration(to: exitedAt) > maximumDelay * 2
    }
}
