import BosunRuntime

/// kube-controller-manager's TTL-after-finished controller: deletes a finished Job
/// `ttlSecondsAfterFinished` seconds after it finished.
///
/// - Only Jobs with `ttlSecondsAfterFinished` whose `Complete` or `Failed` condition is `True`
///   are handled; Jobs already being deleted are not.
/// - The Job expires at that condition's `lastTransitionTime` plus the TTL; until then the
///   controller requeues itself for that moment (a TTL of 0 deletes at once).
/// - Before deleting, it reads the Job again from the API server and checks once more — the
///   TTL may have been changed since — then deletes it with `Foreground` propagation (its pods
///   go first) and a precondition on its uid.
/// - A Job that finished in the future (clock skew) is logged and waits for its expiry.
public enum TTLAfterFinishedController {
    public static let name = "ttl-after-finished"

    /// Registers the controller with `manager`: it reconciles Jobs that finished with a TTL.
    @discardableResult
    public static func register(with manager: Manager) throws -> Controller {
        try manager.controller(for: Job.self)
            .named(name)
            .withPredicates(Predicate { event in
                if case .deleted = event.change { return false }
                return event.object.metadata.deletionTimestamp == nil && needsCleanup(event.object)
            })
            .complete(TTLAfterFinishedSync())
    }

    /// A TTL is set and the Job finished.
    static func needsCleanup(_ job: Job) -> Bool {
        job.spec.ttlSecondsAfterFinished != nil && job.isFinished
    }
}

/// One look at a Job (upstream `processJob`).
struct TTLAfterFinishedSync: Reconciler {
    enum Verdict {
        /// Not ours to delete (no TTL, not finished, being deleted).
        case skip
        /// Not yet: look again after this long.
        case wait(Duration)
        case expired
    }

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard let job = try await context.client.getIfPresent(Job.self, namespace: request.namespace, name: request.name) else {
            return .done
        }
        switch try Self.verdict(job, now: context.clock.now(), context) {
        case .skip: return .done
        case .wait(let delay): return .requeue(after: delay)
        case .expired: break
        }
        // The cached Job may be stale and its TTL since extended: decide on the API's copy.
        guard let fresh = try await context.client.api.getIfPresent(Job.self, namespace: request.namespace, name: request.name) else {
            return .done
        }
        switch try Self.verdict(fresh, now: context.clock.now(), context) {
        case .skip: return .done
        case .wait(let delay): return .requeue(after: delay)
        case .expired: break
        }
        context.logger.debug("cleaning up Job")
        do {
            try await context.client.delete(Job.self, namespace: request.namespace, name: request.name,
                                            options: DeleteOptions(preconditions: Preconditions(uid: fresh.metadata.uid),
                                                                   propagationPolicy: "Foreground"))
        } catch let error as APIError where error.code == 404 {
            // Gone already.
        }
        return .done
    }

    /// Whether `job` has expired (upstream `processTTL` and `timeLeft`).
    static func verdict(_ job: Job, now: Time, _ context: ReconcileContext) throws -> Verdict {
        guard job.metadata.deletionTimestamp == nil, TTLAfterFinishedController.needsCleanup(job),
              let ttl = job.spec.ttlSecondsAfterFinished
        else { return .skip }
        guard let finishedAt = job.finishedCondition?.lastTransitionTime, !finishedAt.isZero else {
            throw TTLAfterFinishedError.noFinishTime(ObjectName(of: job))
        }
        if finishedAt > now {
            context.logger.warning(
                "Found Job \(ObjectName(of: job)) finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred.")
        }
        let remaining = now.duration(to: finishedAt.advanced(by: .seconds(Int64(ttl))))
        return remaining <= .zero ? .expired : .wait(remaining)
    }
}

enum TTLAfterFinishedError: Error, CustomStringConvertible {
    case noFinishTime(ObjectName)

    var description: String {
        switch self {
        case .noFinishTime(let job): "unable to find the time when the Job \(job) finished"
        }
    }
}
