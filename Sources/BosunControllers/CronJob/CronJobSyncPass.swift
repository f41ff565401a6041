import BosunRuntime
import Foundation

/// The body of a CronJob sync (upstream `syncCronJob`): status upkeep, then at most one Job for
/// the most recent due time. Returns when to look again, whether the status changed, and the
/// failure that ended it early.
struct CronJobSyncPass {
    var cronJob: CronJob
    let jobs: [CronJobChild]
    let now: Time
    let schedules: CronJobSchedules
    let context: ReconcileContext

    mutating func run() async -> (requeue: Duration?, changed: Bool, error: (any Error)?) {
        var changed = false
        do {
            changed = try await updateActive()
        } catch {
            return (nil, changed, error)
        }
        if cronJob.metadata.deletionTimestamp != nil { return (nil, changed, nil) }

        if let zoneName = cronJob.spec.timeZone, schedules.zone(zoneName) == nil {
            context.events.event(for: cronJob, type: .warning, reason: "UnknownTimeZone",
                                 message: "invalid timeZone: \(zoneName.fieldErrorRendering): unknown time zone \(zoneName)")
            return (nil, changed, nil)
        }
        if cronJob.spec.suspend == true { return (nil, changed, nil) }

        let formatted = Self.formatSchedule(cronJob, schedules: schedules, events: context.events)
        let schedule: CronSchedule
        switch schedules.schedule(formatted) {
        case .failure(let error):
            context.events.event(for: cronJob, type: .warning, reason: "UnparseableSchedule",
                                 message: "unparseable schedule: \(cronJob.spec.schedule.fieldErrorRendering) : \(error)")
            return (nil, changed, nil)
        case .success(let parsed):
            schedule = parsed
        }
        let clock = schedules.clock(formatted, schedule)
        let due = clock.mostRecent(cronJob, now: now, includeDeadline: true)
        if let error = due.error {
            context.events.event(for: cronJob, type: .warning, reason: "InvalidSchedule",
                                 message: "invalid schedule: \(cronJob.spec.schedule) : \(error)")
            return (nil, changed, nil)
        }
        guard let scheduled = due.mostRecent, scheduled <= now else {
            // Nothing due since the last run: look again at the next due time.
            return (clock.nextDelay(cronJob, now: now), changed, nil)
        }
        if due.missed == .many {
            context.events.event(for: cronJob, type: .warning, reason: "TooManyMissedTimes",
                                 message: "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        }
        // Upstream also checks here whether `scheduled` is more than startingDeadlineSeconds
        // late (Warning `MissSchedule`), but the search above starts no earlier than that
        // deadline, so the check never fires; a time missed by more is simply not started.
        let jobName = Self.jobName(cronJob, scheduled)
        let active = cronJob.status.active ?? []
        if active.contains(where: { $0.name == jobName && $0.namespace == cronJob.metadata.namespace })
            || cronJob.status.lastScheduleTime == scheduled {
            // This time was handled already.
            return (clock.nextDelay(cronJob, now: now), changed, nil)
        }
        if cronJob.spec.concurrencyPolicy == "Forbid" && !active.isEmpty {
            context.events.event(for: cronJob, type: .normal, reason: "JobAlreadyActive",
                                 message: "Not starting job because prior execution is running and concurrency policy is Forbid")
            return (clock.nextDelay(cronJob, now: now), changed, nil)
        }
        if cronJob.spec.concurrencyPolicy == "Replace" {
            for reference in active {
                let job: Job
                do {
                    job = try await context.client.api.get(Job.self, namespace: reference.namespace, name: reference.name ?? "")
                } catch {
                    context.events.event(for: cronJob, type: .warning, reason: "FailedGet", message: "Get job: \(error)")
                    return (nil, changed, error)
                }
                guard await Self.deleteJob(ObjectName(of: job), uid: job.metadata.uid ?? "", of: &cronJob, context) else {
                    return (nil, changed, CronJobSyncError.couldNotReplace(ObjectName(of: job)))
                }
                changed = true
            }
        }

        let created: Job
        switch await createJob(scheduled: scheduled, name: jobName) {
        case .created(let job): created = job
        case .stop(let error): return (nil, changed, error)
        }
        cronJob.status.active = (cronJob.status.active ?? []) + [Self.reference(to: created)]
        cronJob.status.lastScheduleTime = scheduled
        return (clock.nextDelay(cronJob, now: now), true, nil)
    }

    // MARK: Status upkeep

    /// Upstream's first half of `syncCronJob`: finished Jobs leave `active`, an unfinished Job
    /// missing from it is reported (`UnexpectedJob`), `lastSuccessfulTime` follows the newest
    /// completion, and Jobs that vanished leave `active` (`MissingJob`). Returns whether the
    /// status changed.
    private mutating func updateActive() async throws -> Bool {
        var changed = false
        for job in jobs {
            let found = isActive(job.uid)
            if !found && !job.isFinished {
                // Our cached status may lag behind our own last write: read it again.
                let fresh = try await context.client.api.get(CronJob.self, namespace: cronJob.metadata.namespace, name: cronJob.name)
                if (fresh.status.active ?? []).contains(where: { $0.uid == job.uid }) {
                    cronJob = fresh
                    continue
                }
                context.events.event(for: cronJob, type: .warning, reason: "UnexpectedJob",
                                     message: "Saw a job that the controller did not create or forgot: \(job.name.name)")
            } else if found && job.isFinished {
                removeFromActive(job.uid)
                context.events.event(for: cronJob, type: .normal, reason: "SawCompletedJob",
                                     message: "Saw completed job: \(job.name.name), status: \(job.finished ?? "")")
                changed = true
            } else if job.succeeded, let completed = job.completionTime {
                // Whether or not it was active, a completed Job moves lastSuccessfulTime forward.
                if cronJob.status.lastSuccessfulTime.map({ completed > $0 }) ?? true {
                    cronJob.status.lastSuccessfulTime = completed
                    changed = true
                }
            }
        }
        let children = Set(jobs.map(\.uid))
        for reference in cronJob.status.active ?? [] where !children.contains(reference.uid ?? "") {
            // The cache may not show a Job we just created: only the API's word makes it missing.
            if try await context.client.api.getIfPresent(Job.self, namespace: reference.namespace, name: reference.name ?? "") == nil {
                context.events.event(for: cronJob, type: .normal, reason: "MissingJob",
                                     message: "Active job went missing: \(reference.name ?? "")")
                removeFromActive(reference.uid ?? "")
                changed = true
            }
        }
        return changed
    }

    private func isActive(_ uid: String) -> Bool {
        (cronJob.status.active ?? []).contains { $0.uid == uid }
    }

    private mutating func removeFromActive(_ uid: String) {
        cronJob.status.active = Self.removing(uid, from: cronJob.status.active)
    }

    static func removing(_ uid: String, from active: [ObjectReference]?) -> [ObjectReference]? {
        let rest = (active ?? []).filter { $0.uid != uid }
        return rest.isEmpty ? nil : rest
    }

    // MARK: Jobs

    private enum CreateOutcome {
        case created(Job)
        case stop((any Error)?)
    }

    /// Creates the Job for `scheduled`. A Job of that name that already exists and is ours
    /// but missing from `active` (created before a status write was lost) counts as created.
    private func createJob(scheduled: Time, name: String) async -> CreateOutcome {
        let template = cronJob.spec.jobTemplate
        var annotations = template.metadata?.annotations ?? [:]
        // A CronJob without a timeZone stamps UTC, as Go's LoadLocation("") gives.
        let zone = cronJob.spec.timeZone.flatMap(schedules.zone) ?? TimeZone(identifier: "UTC")!
        annotations[CronJobController.scheduledTimestampAnnotation] = Self.rfc3339(scheduled, in: zone)
        let job = Job(
            metadata: ObjectMeta(annotations: annotations, labels: template.metadata?.labels, name: name,
                                 namespace: cronJob.metadata.namespace, ownerReferences: [cronJob.controllerReference]),
            spec: template.spec ?? JobSpec())
        do {
            let created = try await context.client.create(job)
            context.events.event(for: cronJob, type: .normal, reason: "SuccessfulCreate", message: "Created job \(created.name)")
            return .created(created)
        } catch let error as APIError where error.hasCause(APIError.namespaceTerminatingCause) {
            return .stop(error)
        } catch let error as APIError where error.reason == .alreadyExists {
            // Created by someone else, who keeps the status: leave it. Ours but not in `active`:
            // we lost the status write that followed the create; write it now.
            do {
                let existing = try await context.client.api.get(Job.self, namespace: cronJob.metadata.namespace, name: name)
                guard existing.isControlled(by: cronJob), !isActive(existing.metadata.uid ?? "") else { return .stop(nil) }
                context.logger.info("job already exists", metadata: ["job": "\(name)"])
                return .created(existing)
            } catch {
                return .stop(error)
            }
        } catch {
            context.events.event(for: cronJob, type: .warning, reason: "FailedCreate", message: "Error creating job: \(error)")
            return .stop(error)
        }
    }

    /// Deletes a Job in the background (its pods go with the garbage collector) and drops it
    /// from `active`: `SuccessfulDelete`, or Warning `FailedDelete`. Returns whether it went.
    static func deleteJob(_ name: ObjectName, uid: String, of cronJob: inout CronJob, _ context: ReconcileContext) async -> Bool {
        do {
            try await context.client.delete(Job.self, namespace: name.namespace, name: name.name,
                                            options: DeleteOptions(propagationPolicy: "Background"))
        } catch {
            context.events.event(for: cronJob, type: .warning, reason: "FailedDelete", message: "Deleted job: \(error)")
            context.logger.error("error deleting job", metadata: ["job": "\(name)", "error": "\(error)"])
            return false
        }
        cronJob.status.active = removing(uid, from: cronJob.status.active)
        context.events.event(for: cronJob, type: .normal, reason: "SuccessfulDelete", message: "Deleted job \(name.name)")
        return true
    }

    // MARK: Names and formats

    /// `<cronjob>-<scheduled time in minutes since the epoch>`: one name per due time, so a
    /// second attempt for the same time cannot make a second Job.
    static func jobName(_ cronJob: CronJob, _ scheduled: Time) -> String {
        "\(cronJob.name)-\(scheduled.secondsSinceEpoch / 60)"
    }

    /// The schedule to parse (upstream `formatSchedule`): a `TZ=` in the schedule itself wins
    /// (and is reported as unsupported, Warning `UnsupportedSchedule`); otherwise a loadable
    /// `timeZone` is put in front.
    static func formatSchedule(_ cronJob: CronJob, schedules: CronJobSchedules, events: EventRecorder?) -> String {
        let schedule = cronJob.spec.schedule
        if schedule.contains("TZ") {
            events?.event(for: cronJob, type: .warning, reason: "UnsupportedSchedule",
                          message: "CRON_TZ or TZ used in schedule \(schedule.fieldErrorRendering) is not officially supported, "
                            + "see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")
            return schedule
        }
        if let zone = cronJob.spec.timeZone, schedules.zone(zone) != nil { return "TZ=\(zone) \(schedule)" }
        return schedule
    }

    /// An `active` entry, as client-go's `GetReference` makes one.
    static func reference(to job: Job) -> ObjectReference {
        ObjectReference(apiVersion: Job.apiVersion, kind: Job.kind, name: job.name, namespace: job.metadata.namespace,
                        resourceVersion: job.metadata.resourceVersion, uid: job.metadata.uid)
    }

    /// Go's RFC 3339 in `zone`: `2026-03-08T01:30:00-05:00`, `Z` for UTC. Arithmetic on the
    /// zone's offset rather than a `Calendar`: at the minute, ten thousand CronJobs stamp a Job
    /// each, and the calendar's components cost more than the rest of the annotation.
    static func rfc3339(_ time: Time, in zone: TimeZone) -> String {
        time.rfc3339(utcOffset: zone.secondsFromGMT(for: time.date))
    }
}

enum CronJobSyncError: Error, CustomStringConvertible {
    case couldNotReplace(ObjectName)

    var description: String {
        switch self {
        case .couldNotReplace(let job): "could not replace job \(job)"
        }
    }
}
