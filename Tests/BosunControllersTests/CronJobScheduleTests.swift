import BosunControllers
import BosunRuntime
import Foundation
import Testing

/// Cron syntax and due times as Kubernetes computes them (robfig/cron on Go's clock), and the
/// CronJob controller across daylight-saving changes in a named zone.
@Suite("CronJob: schedules")
struct CronJobScheduleTests {
    let newYork = TimeZone(identifier: "America/New_York")!
    let utc = CronJobFixtures.utc

    func t(_ text: String) -> Time { CronJobFixtures.time(text) }

    func next(_ spec: String, after text: String, in zone: TimeZone? = nil) throws -> String? {
        try CronSchedule(parsing: spec).next(after: t(text), in: zone ?? utc)?.rfc3339
    }

    @Test("the full syntax: ranges, lists, steps, names, ?, descriptors; day-of-month OR day-of-week when both are restricted")
    func syntax() throws {
        let from = "2026-01-01T00:00:00Z" // a Thursday
        #expect(try next("*/15 * * * *", after: from) == "2026-01-01T00:15:00Z")
        #expect(try next("5/20 * * * *", after: from) == "2026-01-01T00:05:00Z")
        #expect(try next("0 9-17/4 * * *", after: from) == "2026-01-01T09:00:00Z")
        #expect(try next("0 0 * * MON-FRI", after: from) == "2026-01-02T00:00:00Z")
        #expect(try next("0 0 1,15 feb ?", after: from) == "2026-02-01T00:00:00Z")
        #expect(try next("0 0 13 * fri", after: from) == "2026-01-02T00:00:00Z", "the 13th or a Friday, whichever comes first")
        #expect(try next("0 0 * * sun", after: from) == "2026-01-04T00:00:00Z")
        #expect(try next("1,,2 * * * *", after: from) == "2026-01-01T00:01:00Z", "empty list items are skipped, as robfig's FieldsFunc does")
        #expect(try next("@hourly", after: from) == "2026-01-01T01:00:00Z")
        #expect(try next("@daily", after: from) == "2026-01-02T00:00:00Z")
        #expect(try next("@midnight", after: from) == "2026-01-02T00:00:00Z")
        #expect(try next("@weekly", after: from) == "2026-01-04T00:00:00Z")
        #expect(try next("@monthly", after: from) == "2026-02-01T00:00:00Z")
        #expect(try next("@yearly", after: from) == "2027-01-01T00:00:00Z")
        #expect(try next("@annually", after: from) == "2027-01-01T00:00:00Z")
        #expect(try next("0 0 29 2 *", after: from) == "2028-02-29T00:00:00Z")
        #expect(try next("0 0 30 2 *", after: from) == nil, "never within five years")
    }

    @Test("@every: whole seconds from the previous time, at least one")
    func every() throws {
        #expect(try next("@every 1h30m", after: "2026-01-01T00:00:10Z") == "2026-01-01T01:30:10Z")
        #expect(try next("@every 90s", after: "2026-01-01T00:00:00Z") == "2026-01-01T00:01:30Z")
        #expect(try next("@every 1.5m", after: "2026-01-01T00:00:00Z") == "2026-01-01T00:01:30Z")
        #expect(try next("@every 10ms", after: "2026-01-01T00:00:00Z") == "2026-01-01T00:00:01Z")
        #expect(throws: CronSchedule.ParseError(message: "failed to parse duration @every 5x: time: unknown unit \"x\" in duration \"5x\"")) {
            try CronSchedule(parsing: "@every 5x")
        }
        #expect(throws: CronSchedule.ParseError(message: "failed to parse duration @every 5: time: missing unit in duration \"5\"")) {
            try CronSchedule(parsing: "@every 5")
        }
        #expect(throws: CronSchedule.ParseError(message: "failed to parse duration @every : time: invalid duration \"\"")) {
            try CronSchedule(parsing: "@every ")
        }
    }

    @Test("TZ= and CRON_TZ= prefixes name the schedule's zone; an unknown one is refused")
    func zonePrefixes() throws {
        #expect(try next("TZ=America/New_York 0 9 * * *", after: "2026-01-01T00:00:00Z") == "2026-01-01T14:00:00Z")
        #expect(try next("CRON_TZ=Asia/Tokyo 0 9 * * *", after: "2026-01-01T00:00:00Z") == "2026-01-02T00:00:00Z")
        #expect(throws: CronSchedule.ParseError(message: "provided bad location Mars/Base: unknown time zone Mars/Base")) {
            try CronSchedule(parsing: "TZ=Mars/Base * * * * *")
        }
        let messages = Validation.validateSchedule("CRON_TZ=UTC * * * * *", path: "spec.schedule").map(\.description)
        #expect(messages == ["spec.schedule: Invalid value: \"CRON_TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"])
        let kept = Validation.validateSchedule("TZ=UTC * * * * *", allowTZInSchedule: true, timeZone: "UTC", path: "spec.schedule")
        #expect(kept.map(\.description) == ["spec.schedule: Invalid value: \"TZ=UTC * * * * *\": cannot use both timeZone field and TZ or CRON_TZ in schedule"])
    }

    @Test("spring forward in New York: 02:30 does not exist on March 8, so that day has no 02:30 run; an hourly schedule runs hourly in real time")
    func springForward() throws {
        #expect(try next("30 2 * * *", after: "2026-03-07T07:30:00Z", in: newYork) == "2026-03-09T06:30:00Z")
        #expect(try next("0 * * * *", after: "2026-03-08T06:00:00Z", in: newYork) == "2026-03-08T07:00:00Z", "01:00 EST, then 03:00 EDT")
        #expect(try next("30 3 * * *", after: "2026-03-07T08:30:00Z", in: newYork) == "2026-03-08T07:30:00Z", "03:30 EDT")
    }

    @Test("fall back in New York: 01:30 happens twice on November 1 and runs at both")
    func fallBack() throws {
        #expect(try next("30 1 * * *", after: "2026-10-31T05:30:00Z", in: newYork) == "2026-11-01T05:30:00Z", "01:30 EDT")
        #expect(try next("30 1 * * *", after: "2026-11-01T05:30:00Z", in: newYork) == "2026-11-01T06:30:00Z", "01:30 EST")
        #expect(try next("30 1 * * *", after: "2026-11-01T06:30:00Z", in: newYork) == "2026-11-02T06:30:00Z")
    }

    @Test("a CronJob in America/New_York across the spring change: Jobs at 02:30 local before and after, none on the day 02:30 is skipped")
    func controllerAcrossSpringForward() async throws {
        let env = try await TestEnvironment.start()
        // 2026-03-07 01:00 EST.
        env.clock.advance(by: env.clock.now().duration(to: t("2026-03-07T06:00:00Z")))
        try CronJobController.register(with: env.manager, options: CronJobController.Options(timeZone: utc))
        env.startManager()
        _ = try await env.api.create(CronJobFixtures.cronJob(schedule: "30 2 * * *") { $0.timeZone = "America/New_York" })

        try await env.advanceToDue(t("2026-03-07T07:30:00Z"))
        let first = try #require(try await env.waitForJobs(1).first)
        #expect(first.metadata.annotations?[CronJobController.scheduledTimestampAnnotation] == "2026-03-07T02:30:00-05:00")
        // The next due time is 02:30 EDT on March 9: the timer waits for it, past March 8.
        try await env.advanceToDue(t("2026-03-09T06:30:00Z"))
        let jobs = try await env.waitForJobs(2)
        #expect(jobs.map(\.name) == [env.jobName(at: t("2026-03-07T07:30:00Z")), env.jobName(at: t("2026-03-09T06:30:00Z"))])
        #expect(jobs[1].metadata.annotations?[CronJobController.scheduledTimestampAnnotation] == "2026-03-09T02:30:00-04:00")
        await env.stop()
    }

    @Test("a CronJob in America/New_York across the fall change: 01:30 runs at -04:00 and again at -05:00")
    func controllerAcrossFallBack() async throws {
        let env = try await TestEnvironment.start()
        env.clock.advance(by: env.clock.now().duration(to: t("2026-11-01T04:00:00Z")))
        try CronJobController.register(with: env.manager, options: CronJobController.Options(timeZone: utc))
        env.startManager()
        _ = try await env.api.create(CronJobFixtures.cronJob(schedule: "30 1 * * *") { $0.timeZone = "America/New_York" })

        try await env.advanceToDue(t("2026-11-01T05:30:00Z"))
        try await env.waitForJobs(1)
        try await env.advanceToDue(t("2026-11-01T06:30:00Z"))
        let jobs = try await env.waitForJobs(2)
        let stamps = jobs.compactMap { $0.metadata.annotations?[CronJobController.scheduledTimestampAnnotation] }
        #expect(stamps == ["2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"])
        try await env.waitForTimer(at: t("2026-11-02T06:30:00Z").advanced(by: CronJobController.nextScheduleDelta))
        await env.stop()
    }

    @Test("without a timeZone the controller's own zone applies, and the timestamp is written in UTC")
    func controllerZone() async throws {
        let env = try await TestEnvironment.withCronJobController(zone: newYork)
        _ = try await env.api.create(CronJobFixtures.cronJob(schedule: "0 0 * * *"))
        // Midnight in New York is 05:00 UTC.
        try await env.advanceToDue(t("2026-01-01T05:00:00Z"))
        let job = try #require(try await env.waitForJobs(1).first)
        #expect(job.metadata.annotations?[CronJobController.scheduledTimestampAnnotation] == "2026-01-01T05:00:00Z")
        await env.stop()
    }
}
