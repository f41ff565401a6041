import BosunKit
import BosunStore
import Logging
import Synchronization

/// Makes one of several replicas of a controller the leader, through a coordination.k8s.io/v1
/// `Lease`, with client-go's `leaderelection` semantics, so replicas of the same process can
/// stand by without reconciling the same objects twice.
///
/// Expiry is judged by this candidate's own clock, never by the timestamps in the lease: a
/// candidate remembers when it last *saw the lease change* and takes it over once
/// `leaseDuration` has passed since then with no change, so clock skew between replicas does not
/// matter. Every write is conditional on the `resourceVersion` that was read, so two candidates
/// that both see an expired lease cannot both take it over: one of them gets a Conflict.
///
/// The leader stops leading once `renewDeadline` passes without a successful renewal, which
/// `LeaderElectionConfig` forces to come before anyone else may take over. As with client-go,
/// the guarantee rests on the leader's and the candidates' clocks running at about the same
/// *rate*, and on the leader's work stopping promptly when it is cancelled.
public final class LeaderElector: Sendable {
    public let config: LeaderElectionConfig
    private let client: any Client
    private let clock: any RuntimeClock
    private let logger: Logger
    private let onNewLeader: (@Sendable (String?) -> Void)?
    private let state: Mutex<State>

    private struct State {
        var running = false
        var leading = false
        /// The lease as last read or written: its holder and duration decide expiry, its
        /// resourceVersion makes the next write conditional.
        var observed: Lease?
        /// When `observed.spec` last changed, by our clock.
        var observedTime = Time.zero
        /// When the last successful acquisition or renewal started.
        var lastRenewal = Time.zero
        var reportedLeader: String?
    }

    /// - Parameter onNewLeader: called whenever the holder this candidate observes changes,
    ///   with `nil` when the lease is released; for logging or for routing to the leader. It
    ///   runs on the election's task, so it must return quickly.
    public init(
        client: any Client, clock: any RuntimeClock = SystemRuntimeClock(), config: LeaderElectionConfig,
        logger: Logger = Logger(label: "bosun.leader-election"),
        onNewLeader: (@Sendable (String?) -> Void)? = nil
    ) throws(LeaderElectionError) {
        let errors = config.validationErrors()
        guard errors.isEmpty else { throw .invalidConfiguration(errors) }
        self.config = config
        self.client = client
        self.clock = clock
        var logger = logger
        logger[metadataKey: "lease"] = "\(config.namespace)/\(config.leaseName)"
        logger[metadataKey: "identity"] = "\(config.identity)"
        self.logger = logger
        self.onNewLeader = onNewLeader
        state = Mutex(State())
    }

    /// True from acquiring the lease until leadership is lost or released. A leader that has
    /// just lost its lease may not know it yet (for up to `renewDeadline`), so work that must
    /// never overlap with another leader's should also be guarded by the objects it writes.
    public var isLeader: Bool { state.withLock { $0.leading } }

    /// The holder of the lease as last observed, `nil` when it is free or not read yet.
    public var currentLeader: String? {
        state.withLock { s in s.observed?.spec.holderIdentity.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// Waits until this candidate holds the lease, then runs `whileLeading` while renewing it.
    ///
    /// Ends in one of four ways; the lease is released (so another candidate takes over at its
    /// next attempt rather than after `leaseDuration`) in each, after `whileLeading` has
    /// returned, so two leaders' work never overlaps because of the release:
    /// - the calling task is cancelled: returns normally (a clean shutdown);
    /// - `whileLeading` returns: returns normally, leadership being no longer needed;
    /// - `whileLeading` throws: rethrows its error;
    /// - leadership is lost: cancels `whileLeading`, waits for it, and throws
    ///   ``LeaderElectionError/leadershipLost(lease:)``.
    ///
    /// A run may follow a finished one; two at once throw ``LeaderElectionError/alreadyRunning``.
    public func run(_ whileLeading: @escaping @Sendable () async throws -> Void) async throws {
        let alreadyRunning = state.withLock { s -> Bool in
            defer { s.running = true }
            return s.running
        }
        if alreadyRunning { throw LeaderElectionError.alreadyRunning }
        defer { state.withLock { $0.running = false } }

        guard await acquire() else { return }
        let ending = await lead(whileLeading)
        // The release must happen even though this task may be cancelled (a remote client
        // would refuse to send from a cancelled task); a fresh task does not inherit that.
        await Task { await self.release() }.value

        if Task.isCancelled { return }
        switch ending {
        case .workFinished, .cancelled: return
        case .workFailed(let error): throw error
        case .lost: throw LeaderElectionError.leadershipLost(lease: "\(config.namespace)/\(config.leaseName)")
        }
    }

    // MARK: Phases

    private enum Ending: Sendable {
        case workFinished
        case workFailed(any Error)
        case lost
        case cancelled
    }

    /// Tries until the lease is ours; false when cancelled first.
    private func acquire() async -> Bool {
        logger.info("attempting to acquire leader lease")
        while !Task.isCancelled {
            let attempt = await tryAcquireOrRenew()
            reportLeaderChange()
            if case .held = attempt {
                state.withLock { $0.leading = true }
                logger.info("successfully acquired lease")
                return true
            }
            let jitter = config.acquireJitter > 0 ? Double.random(in: 0..<config.acquireJitter) : 0
            do { try await clock.sleep(for: config.retryPeriod * (1 + jitter)) } catch { return false }
        }
        return false
    }

    /// Runs the work, the renewals and the renewal deadline side by side until one of them ends.
    private func lead(_ whileLeading: @escaping @Sendable () async throws -> Void) async -> Ending {
        await withTaskGroup(of: Ending.self) { group in
            group.addTask {
                do {
                    try await whileLeading()
                    return .workFinished
                } catch {
                    return .workFailed(error)
                }
            }
            group.addTask { await self.renewLoop() }
            group.addTask { await self.renewDeadlineWatch() }
            let first = await group.next() ?? .cancelled
            state.withLock { $0.leading = false }
            group.cancelAll()
            for await _ in group {}
            return first
        }
    }

    /// Renews every `retryPeriod`. Failures are retried; only seeing another holder ends it
    /// early, since then this candidate is certainly no longer the leader.
    private func renewLoop() async -> Ending {
        while true {
            do { try await clock.sleep(for: config.retryPeriod) } catch { return .cancelled }
            let attempt = await tryAcquireOrRenew()
            reportLeaderChange()
            if case .heldBy(let other) = attempt {
                logger.info("lease is now held by \(other); stopped leading")
                return .lost
            }
        }
    }

    /// Ends leadership when `renewDeadline` passes without a successful renewal. Separate from
    /// the renewals so that a renewal hanging in the client cannot keep this candidate leading.
    private func renewDeadlineWatch() async -> Ending {
        while true {
            let deadline = state.withLock { $0.lastRenewal }.advanced(by: config.renewDeadline)
            if clock.now() >= deadline {
                logger.warning("failed to renew lease within \(config.renewDeadline); stopped leading")
                return .lost
            }
            do { try await clock.sleep(until: deadline) } catch { return .cancelled }
        }
    }

    /// Gives the lease up so the next candidate need not wait for it to expire: empty holder,
    /// a one-second duration, as client-go's `ReleaseOnCancel`. Conditional on the last
    /// observed version, so it cannot clear a lease someone else has taken over meanwhile.
    private func release() async {
        let held = state.withLock { s -> Lease? in
            guard let lease = s.observed, lease.spec.holderIdentity == config.identity else { return nil }
            return lease
        }
        guard var lease = held else { return }
        let now = MicroTime(clock.now())
        lease.spec.holderIdentity = ""
        lease.spec.leaseDurationSeconds = 1
        lease.spec.acquireTime = now
        lease.spec.renewTime = now
        do {
            observe(try await client.update(lease), written: true)
            logger.info("released lease")
        } catch {
            logger.warning("failed to release lease: \(error)")
        }
        reportLeaderChange()
    }

    // MARK: One attempt

    private enum Attempt {
        /// This candidate holds the lease now.
        case held
        /// Another candidate holds an unexpired lease.
        case heldBy(String)
        /// The read or the write failed (a Conflict included); try again later.
        case failed
    }

    /// client-go's `tryAcquireOrRenew`: creates the lease, renews it, or takes it over when it
    /// is free or expired.
    private func tryAcquireOrRenew() async -> Attempt {
        let now = clock.now()
        let existing: Lease?
        do {
            existing = try await client.getIfPresent(Lease.self, namespace: config.namespace, name: config.leaseName)
        } catch {
            logger.error("error retrieving lease: \(error)")
            return .failed
        }

        guard var lease = existing else {
            let lease = Lease(
                metadata: ObjectMeta(name: config.leaseName, namespace: config.namespace),
                spec: LeaseSpec(
                    acquireTime: MicroTime(now), holderIdentity: config.identity,
                    leaseDurationSeconds: leaseDurationSeconds, leaseTransitions: 0, renewTime: MicroTime(now)))
            do {
                observe(try await client.create(lease), written: true)
            } catch {
                logger.error("error creating lease: \(error)")
                return .failed
            }
            renewed(at: now)
            return .held
        }

        observe(lease, written: false)
        let holder = lease.spec.holderIdentity ?? ""
        let weHold = holder == config.identity
        if !holder.isEmpty && !weHold && observedLeaseIsValid(at: now) {
            logger.debug("lease is held by \(holder) and has not yet expired")
            return .heldBy(holder)
        }

        if !weHold {
            lease.spec.acquireTime = MicroTime(now)
            lease.spec.leaseTransitions = (lease.spec.leaseTransitions ?? 0) + 1
        }
        lease.spec.holderIdentity = config.identity
        lease.spec.leaseDurationSeconds = leaseDurationSeconds
        lease.spec.renewTime = MicroTime(now)
        do {
            observe(try await client.update(lease), written: true)
        } catch {
            logger.error("failed to update lease: \(error)")
            return .failed
        }
        renewed(at: now)
        return .held
    }

    private var leaseDurationSeconds: Int32 { Int32(clamping: config.leaseDuration.components.seconds) }

    /// Remembers `lease`; the observed time moves only when the spec changed (or we wrote it),
    /// which is what makes expiry independent of the holder's clock.
    private func observe(_ lease: Lease, written: Bool) {
        let now = clock.now()
        state.withLock { s in
            if written || s.observed?.spec != lease.spec { s.observedTime = now }
            s.observed = lease
        }
    }

    private func observedLeaseIsValid(at now: Time) -> Bool {
        state.withLock { s in
            let seconds = Int64(s.observed?.spec.leaseDurationSeconds ?? 0)
            return s.observedTime.advanced(by: .seconds(seconds)) > now
        }
    }

    private func renewed(at start: Time) {
        state.withLock { $0.lastRenewal = start }
    }

    private func reportLeaderChange() {
        let changed = state.withLock { s -> String?? in
            let holder = s.observed?.spec.holderIdentity.flatMap { $0.isEmpty ? nil : $0 }
            guard holder != s.reportedLeader else { return .none }
            s.reportedLeader = holder
            return .some(holder)
        }
        if case .some(let leader) = changed {
            if let leader { logger.info("new leader elected: \(leader)") }
            onNewLeader?(leader)
        }
    }
}
