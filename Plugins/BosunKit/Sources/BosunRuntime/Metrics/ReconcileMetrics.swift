import CoreMetrics

/// A controller's reconcile metrics, named as controller-runtime's so dashboards carry over:
/// `controller_runtime_reconcile_total{controller,result}`,
/// `controller_runtime_reconcile_errors_total{controller}`,
/// `controller_runtime_reconcile_time_seconds{controller}`.
///
/// The factory is passed in rather than taken from `MetricsSystem`: BosunKit is a shared library
/// with its own copy of swift-metrics, so a factory the host bootstraps globally would not
/// reach it.
struct ReconcileMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case success
        case error
        case terminalError = "terminal_error"
        case requeueAfter = "requeue_after"
        /// Past the controller's reconcile deadline (Bosun's; controller-runtime has no such
        /// result).
        case timeout
    }

    private let totals: [Outcome: Counter]
    private let errors: Counter
    private let duration: Timer

    init(controller: String, factory: any MetricsFactory) {
        var totals: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            totals[outcome] = Counter(
                label: "controller_runtime_reconcile_total",
                dimensions: [("controller", controller), ("result", outcome.rawValue)], factory: factory)
        }
        self.totals = totals
        errors = Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", controller)], factory: factory)
        duration = Timer(label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", controller)], factory: factory)
    }

    /// A reconcile that overran its deadline: counted as an error too; its duration is recorded
    /// when (if) it returns.
    func recordTimeout() {
        totals[.timeout]?.increment()
        errors.increment()
    }

    func record(_ outcome: Outcome, since start: ContinuousClock.Instant) {
        totals[outcome]?.increment()
        if outcome == .error || outcome == .terminalError { errors.increment() }
        duration.recordInterval(since: start)
    }
}

extension Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
