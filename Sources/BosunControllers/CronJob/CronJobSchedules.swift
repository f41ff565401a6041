import BosunRuntime
import Foundation
import Synchronization

/// Parsed schedules and loaded time zones, kept across syncs: ten thousand CronJobs on
/// `* * * * *` parse one schedule, once. Also remembers the schedule each CronJob was last
/// synced with, to tell a schedule edit (upstream `updateCronJob`) from any other change.
final class CronJobSchedules: Sendable {
    let defaultZone: TimeZone
    private let parsed = Mutex<[String: Result<CronSchedule, CronSchedule.ParseError>]>([:])
    private let zones = Mutex<[String: TimeZone?]>([:])
    private let seen = Mutex<[ObjectName: Seen]>([:])
    /// Next due times by schedule text and instant: at the minute, every CronJob on the same
    /// schedule asks for the same few, and each costs calendar arithmetic in a zone.
    private let nextTimes = Mutex<[NextKey: Time]>([:])
    /// Entries kept before a cache starts over: edits could otherwise grow it without bound.
    private static let capacity = 10_000

    init(defaultZone: TimeZone) {
        self.defaultZone = defaultZone
    }

    /// `spec.schedule` parsed, with `TZ=<timeZone> ` in front when a `timeZone` is set (and
    /// loads), as upstream's `formatSchedule`.
    func schedule(_ text: String) -> Result<CronSchedule, CronSchedule.ParseError> {
        if let known = parsed.withLock({ $0[text] }) { return known }
        let result = Result { () throws(CronSchedule.ParseError) -> CronSchedule in try CronSchedule(parsing: text) }
        parsed.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[text] = result
        }
        return result
    }

    /// The scheduling arithmetic for `schedule`, parsed from `text`, in its zone (or the
    /// default one), sharing this cache's next due times.
    func clock(_ text: String, _ schedule: CronSchedule) -> ScheduleClock {
        ScheduleClock(schedule: schedule, zone: schedule.location ?? defaultZone, memo: (self, text))
    }

    /// `compute()`, the activation of schedule `text` after `time`, remembered.
    func next(_ text: String, after time: Time, compute: () -> Time) -> Time {
        let key = NextKey(schedule: text, after: time)
        if let known = nextTimes.withLock({ $0[key] }) { return known }
        let next = compute()
        nextTimes.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[key] = next
        }
        return next
    }

    /// Go's `time.LoadLocation` of `name`, remembered.
    func zone(_ name: String) -> TimeZone? {
        if let known = zones.withLock({ $0[name] }) { return known }
        let zone = CronSchedule.loadLocation(name)
        zones.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[name] = zone
        }
        return zone
    }

    /// Records the schedule (with its zone) a CronJob syncs with; true when the same CronJob
    /// (same uid) synced before with another one, i.e. the user changed it since.
    func scheduleChanged(_ cronJob: CronJob) -> Bool {
        let current = Seen(uid: cronJob.metadata.uid ?? "", schedule: cronJob.spec.schedule, timeZone: cronJob.spec.timeZone)
        return seen.withLock { seen in
            let previous = seen.updateValue(current, forKey: ObjectName(of: cronJob))
            return previous.map { $0.uid == current.uid && $0 != current } ?? false
        }
    }

    /// Forgets a CronJob that is gone.
    func forget(_ name: ObjectName) {
        _ = seen.withLock { $0.removeValue(forKey: name) }
    }

    private struct NextKey: Hashable {
        var schedule: String
        var after: Time
    }

    private struct Seen: Hashable {
        var uid: String
        var schedule: String
        var timeZone: String?
    }
}

/// Upstream's scheduling arithmetic (`mostRecentScheduleTime`, `nextScheduleTimeDuration`,
/// `nextScheduleTime`), on a parsed schedule in a zone.
struct ScheduleClock {
    enum Missed: Equatable {
        case none, few, many
    }

    let schedule: CronSchedule
    let zone: TimeZone
    /// Where next due times are remembered, and the schedule's text as their key.
    var memo: (schedules: CronJobSchedules, text: String)?

    /// The next activation after `time`; Go's zero time when there is none, as robfig returns.
    func next(_ time: Time) -> Time {
        guard let memo else { return schedule.next(after: time, in: zone) ?? .zero }
        return memo.schedules.next(memo.text, after: time) { schedule.next(after: time, in: zone) ?? .zero }
    }

    /// From `lastScheduleTime` (or creation; with `includeDeadline`, no earlier than
    /// `startingDeadlineSeconds` ago): that instant, the most recent due time up to `now` (if
    /// any), how many were missed, and an error for a schedule that never comes due.
    func mostRecent(_ cronJob: CronJob, now: Time, includeDeadline: Bool) -> (earliest: Time, mostRecent: Time?, missed: Missed, error: String?) {
        var earliest = cronJob.status.lastScheduleTime ?? cronJob.metadata.creationTimestamp ?? .zero
        if includeDeadline, let deadline = cronJob.spec.startingDeadlineSeconds {
            let schedulingDeadline = now.advanced(by: .seconds(-deadline))
            if schedulingDeadline > earliest { earliest = schedulingDeadline }
        }
        let t1 = next(earliest), t2 = next(t1)
        if now < t1 { return (earliest, nil, .none, nil) }
        if now < t2 { return (earliest, t1, .none, nil) }
        // A schedule such as Feb 31 parses but never comes due: both times are zero.
        let between = Self.roundedSeconds(t1.duration(to: t2))
        if between < 1 { return (earliest, nil, .none, "time difference between two schedules is less than 1 second") }
        // A rough count of the missed times, then the exact most recent one from just before
        // where the count says it is (irregular schedules such as "30 6-16/4 * * 1-5" included).
        let elapsed = t1.duration(to: now).components.seconds
        let missedCount = elapsed / between + 1
        var t = next(t1.advanced(by: .seconds((missedCount - 2) * between)))
        var mostRecent: Time?
        while !t.isZero && t <= now {
            mostRecent = t
            t = next(t)
        }
        let missed: Missed = missedCount > 100 ? .many : missedCount > 0 ? .few : .none
        return (earliest, mostRecent, missed, nil)
    }

    /// How long until `nextScheduleDelta` after the next due time: from the most recent due time, or from
    /// `lastScheduleTime` when none was missed since, or from now. `nil` when nothing is due
    /// ever again.
    func nextDelay(_ cronJob: CronJob, now: Time) -> Duration? {
        let (earliest, mostRecent, missed, error) = self.mostRecent(cronJob, now: now, includeDeadline: false)
        let from = error != nil ? now : mostRecent ?? (missed == .none ? earliest : now)
        let next = next(from)
        guard !next.isZero else { return nil }
        return now.duration(to: next) + CronJobController.nextScheduleDelta
    }

    private static func roundedSeconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds + (attoseconds >= 500_000_000_000_000_000 ? 1 : 0)
    }
}
