import BosunRuntime
import Foundation

/// One sync of a CronJob, as upstream's `sync`: clean up finished Jobs beyond the history
/// limits, bring `status.active` up to date, start the Job that is due (if any), write the
/// status when it changed, and requeue for the next due time.
struct CronJobSync: Reconciler {
    let children: CronJobChildren
    let schedules: CronJobSchedules

    func reconcile(_ request: ObjectName, context: ReconcileContext) async throws -> ReconcileResult {
        guard var cronJob = try await context.client.getIfPresent(CronJob.self, namespace: request.namespace, name: request.name) else {
            schedules.forget(request)
            return .done
        }
        let now = context.clock.now()
        if cronJob.metadata.deletionTimestamp == nil, schedules.scheduleChanged(cronJob) {
            // Upstream's `updateCronJob`: an edited schedule is looked at when it next comes
            // due, so times the new schedule "missed" before the edit start nothing.
            return afterScheduleChange(cronJob, now: now, context)
        }
        let jobs = children.jobs(of: request)
        let cleanedUp = await cleanupFinishedJobs(&cronJob, jobs, context)
        var pass = CronJobSyncPass(cronJob: cronJob, jobs: jobs, now: now, schedules: schedules, context: context)
        let (requeue, synced, syncError) = await pass.run()
        if cleanedUp || synced {
            _ = try await context.client.updateStatus(pass.cronJob)
        }
        if let requeue { return .requeue(after: max(requeue, .zero)) }
        if let syncError { throw syncError }
        return .done
    }

    /// The requeue for the next due time of an edited schedule; an unparsable one is reported.
    private func afterScheduleChange(_ cronJob: CronJob, now: Time, _ context: ReconcileContext) -> ReconcileResult {
        let text = CronJobSyncPass.formatSchedule(cronJob, schedules: schedules, events: nil)
        switch schedules.schedule(text) {
        case .failure:
            context.events.event(for: cronJob, type: .warning, reason: "UnParseableCronJobSchedule",
                                 message: "unparseable schedule for cronjob: \(cronJob.spec.schedule)")
            return .done
        case .success(let schedule):
            let clock = schedules.clock(text, schedule)
            return clock.nextDelay(cronJob, now: now).map { .requeue(after: max($0, .zero)) } ?? .requeue(after: .zero)
        }
    }

    /// Deletes the oldest finished Jobs beyond `successfulJobsHistoryLimit` and
    /// `failedJobsHistoryLimit` (upstream `cleanupFinishedJobs`). Returns whether the status
    /// changed.
    private func cleanupFinishedJobs(_ cronJob: inout CronJob, _ jobs: [CronJobChild], _ context: ReconcileContext) async -> Bool {
        let successfulLimit = cronJob.spec.successfulJobsHistoryLimit, failedLimit = cronJob.spec.failedJobsHistoryLimit
        guard successfulLimit != nil || failedLimit != nil else { return false }
        var changed = false
        for (finished, limit) in [(JobConditionType.complete, successfulLimit), (JobConditionType.failed, failedLimit)] {
            guard let limit else { continue }
            let candidates = jobs.filter { $0.finished == finished }
            let surplus = candidates.count - Int(limit)
            guard surplus > 0 else { continue }
            for job in candidates.sorted(by: Self.startedBefore).prefix(surplus)
            where await CronJobSyncPass.deleteJob(job.name, uid: job.uid, of: &cronJob, context) {
                changed = true
            }
        }
        return changed
    }

    /// Upstream `byJobStartTime`: earlier start first, a Job that never started last, names
    /// break ties.
    static func startedBefore(_ a: CronJobChild, _ b: CronJobChild) -> Bool {
        switch (a.startTime, b.startTime) {
        case (nil, .some): return false
        case (.some, nil): return true
        case (let x?, let y?) where x != y: return x < y
        default: return a.name.name < b.name.name
        }
    }
}
