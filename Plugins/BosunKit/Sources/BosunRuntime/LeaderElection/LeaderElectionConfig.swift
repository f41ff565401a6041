/// How a ``LeaderElector`` competes for its `Lease`, with client-go's defaults.
///
/// The three durations trade failover speed against false failovers. `leaseDuration` is how
/// long the others wait after they last saw the lease change before they take it over;
/// `renewDeadline` is how long the leader keeps leading without a successful renewal. The leader
/// must give up before anyone may take over, hence `renewDeadline < leaseDuration`, and it must
/// get a few renewal attempts in first, hence `retryPeriod * (1 + jitter) < renewDeadline`.
public struct LeaderElectionConfig: Sendable, Hashable {
    /// The `Lease` object the candidates compete for.
    public var leaseName: String
    public var namespace: String
    /// This candidate's name in `spec.holderIdentity`; unique per candidate (client-go uses the
    /// host name plus a random suffix), or two candidates would both believe they lead.
    public var identity: String
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    /// The wait between attempts to acquire, and between renewals.
    public var retryPeriod: Duration
    /// Candidates wait `retryPeriod * (1 + random(0..<acquireJitter))` between attempts to
    /// acquire, so that candidates started together do not keep colliding (client-go's 1.2).
    public var acquireJitter: Double

    public init(
        leaseName: String, namespace: String = "kube-system", identity: String,
        leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2), acquireJitter: Double = 1.2
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.acquireJitter = acquireJitter
    }

    /// The problems client-go's `NewLeaderElector` refuses, in its words.
    func validationErrors() -> [String] {
        var errors: [String] = []
        if leaseName.isEmpty { errors.append("lease name must not be empty") }
        if namespace.isEmpty { errors.append("lease namespace must not be empty") }
        if identity.isEmpty { errors.append("identity must not be empty") }
        if leaseDuration < .seconds(1) { errors.append("leaseDuration must be at least one second") }
        if leaseDuration <= renewDeadline { errors.append("leaseDuration must be greater than renewDeadline") }
        if retryPeriod <= .zero { errors.append("retryPeriod must be greater than zero") }
        if acquireJitter < 0 { errors.append("acquireJitter must not be negative") }
        if renewDeadline <= retryPeriod * (1 + acquireJitter) {
            errors.append("renewDeadline must be greater than retryPeriod*(1+acquireJitter)")
        }
        return errors
    }
}

/// Why ``LeaderElector/run(_:)`` ended other than by cancellation.
public enum LeaderElectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration is inconsistent; the messages say how.
    case invalidConfiguration([String])
    /// ``LeaderElector/run(_:)`` was called while a run was in progress.
    case alreadyRunning
    /// Renewals failed for `renewDeadline`, or another candidate holds the lease now. Work done
    /// under leadership has been cancelled; the caller should stop acting as leader (controller
    /// managers usually exit so a fresh process competes again).
    case leadershipLost(lease: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let errors): "invalid leader election configuration: " + errors.joined(separator: "; ")
        case .alreadyRunning: "leader election is already running"
        case .leadershipLost(let lease): "leader election lost: lease \(lease)"
        }
    }
}
