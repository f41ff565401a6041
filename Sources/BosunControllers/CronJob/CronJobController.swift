import BosunRuntime
import Foundation

/// kube-controller-manager's CronJob controller (`ControllerV2`): creates a batch/v1 Job for
/// each time a CronJob's schedule comes due, and keeps its status and history.
///
/// - At most one Job per sync, for the **most recent** due time since `lastScheduleTime` (or
///   creation): no backfill. More than 100 missed times records `TooManyMissedTimes` and still
///   starts the latest. A time older than `startingDeadlineSeconds` is skipped (`MissSchedule`).
/// - The Job is named `<cronjob>-<minutes since the epoch>`, carries the template's labels and
///   annotations plus `batch.kubernetes.io/cronjob-scheduled-timestamp`, and is controlled by
///   the CronJob. `status.active` lists it, `lastScheduleTime` records the time.
/// - `concurrencyPolicy`: Allow overlaps; Forbid skips while a Job runs (`JobAlreadyActive`);
///   Replace deletes the running Jobs first. `suspend` starts nothing.
/// - Finished Jobs leave `active` (`SawCompletedJob`), `lastSuccessfulTime` follows the newest
///   completion, and only the newest `successfulJobsHistoryLimit` (3) and
///   `failedJobsHistoryLimit` (1) finished Jobs are kept.
/// - Schedules are robfig/cron's (``CronSchedule``) in `spec.timeZone` (an IANA name) or the
///   controller's zone; an unknown zone (`UnknownTimeZone`), an unparsable schedule
///   (`UnparseableSchedule`) or one that never comes due (`InvalidSchedule`) starts nothing.
/// - The controller requeues itself 10 ms after the next due time (``nextScheduleDelta``), on the
///   runtime's clock.
/// - It is an ``ReconcilePriority/urgent`` controller: while CronJobs it has to sync are
///   waiting, the other controllers hold their reconciles (for at most two seconds).
public enum CronJobController {
    public static let name = "cronjob"
    /// When a Job was scheduled, RFC 3339 in the CronJob's time zone.
    public static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
    /// The margin after a due time at which the controller looks again. Upstream waits 100 ms
    /// (`nextScheduleDelta`) so that a requeue timer firing a little early does not find the
    /// time not yet due. Here a sync that runs early finds nothing due and requeues for what is
    /// left, so the margin need only cover the runtime's clock and the wall clock drifting apart
    /// over a wait (NTP slews them at most 0.5 ms a second): every Job starts 90 ms sooner.
    public static let nextScheduleDelta = Duration.milliseconds(10)

    public struct Options: Sendable {
        /// The zone of schedules whose CronJob sets no `timeZone`: the controller-manager's
        /// local zone, as in Kubernetes.
        public var timeZone: TimeZone

        public init(timeZone: TimeZone = .current) {
            self.timeZone = timeZone
        }
    }

    /// Registers the controller with `manager`: it reconciles CronJobs, woken by their Jobs.
    @discardableResult
    public static func register(with manager: Manager, options: Options = Options()) throws -> Controller {
        // The controller's own source shares this informer and holds it while the controller runs.
        let lease = manager.informer(for: CronJob.self)
        defer { lease.release() }
        let cronJobs = lease.informer
        let children = CronJobChildren()
        let schedules = CronJobSchedules(defaultZone: options.timeZone)
        return try manager.controller(for: CronJob.self)
            .named(name)
            // Its Jobs are due at the minute; the work they cause elsewhere (the Job
            // controller's pods, the kubelets) can wait until every due Job exists.
            .priority(.urgent)
            // A sync mostly waits on the store's writes (the Job, the status): with only a
            // worker per core, the cores idle between them when ten thousand are due at once.
            .concurrency(32)
            .watchesChanges(of: Job.self) { event in
                children.apply(event.change)
                return owners(of: event, cronJobs: cronJobs)
            }
            .complete(CronJobSync(children: children, schedules: schedules))
    }

    /// The CronJobs a Job's change concerns (upstream `addJob`, `updateJob`, `deleteJob`): its
    /// controller, and its former controller when that changed.
    private static func owners(of event: InformerEvent<Job>, cronJobs: Informer<CronJob>) -> [ObjectName] {
        func resolve(_ job: Job) -> ObjectName? {
            guard let ref = job.controllerOwner, ref.kind == CronJob.kind else { return nil }
            let name = ObjectName(namespace: job.metadata.namespace ?? "", name: ref.name)
            return cronJobs.uid(name) == ref.uid ? name : nil
        }
        switch event.change {
        case .added(let job), .deleted(let job):
            return resolve(job).map { [$0] } ?? []
        case .updated(let old, let new):
            // A relist delivers unchanged Jobs as updates: nothing happened to them.
            if old.metadata.resourceVersion == new.metadata.resourceVersion { return [] }
            var keys: [ObjectName] = []
            if old.controllerOwner != new.controllerOwner, let owner = resolve(old) { keys.append(owner) }
            if let owner = resolve(new), !keys.contains(owner) { keys.append(owner) }
            return keys
        }
    }
}
