/// Work a ``Manager`` runs while it leads, beside its controllers, that is not a reconciler of
/// keys (controller-runtime's leader-election `Runnable`): the scheduler's loop, which pops pods
/// from a queue of its own.
public struct Runnable: Sendable {
    public var name: String
    /// Waits until what the work reads has loaded: the manager waits for it before leading, so
    /// the work never starts on half a cache.
    public var waitForSync: @Sendable () async -> Void
    /// Whether it has loaded: what `/readyz` reports, with the controllers' caches.
    public var hasSynced: @Sendable () -> Bool
    /// Runs until its task is cancelled: leadership lost, the manager stopped, or the runnable
    /// removed. It may run again if this process leads again.
    public var run: @Sendable () async -> Void

    public init(
        name: String, waitForSync: @escaping @Sendable () async -> Void = {}, hasSynced: @escaping @Sendable () -> Bool = { true },
        run: @escaping @Sendable () async -> Void
    ) {
        self.name = name
        self.waitForSync = waitForSync
        self.hasSynced = hasSynced
        self.run = run
    }
}
