import BosunControllers
import BosunRuntime
import Testing

/// The CronJob controller against CJ-1 … CJ-16 of the workload checklist
/// (`k8s-workload-semantics.md` §7). The clock starts at 2026-01-01T00:00:00Z.
@Suite("CronJob")
struct CronJobTests {
    let start = CronJobFixtures.time("2026-01-01T00:00:00Z")

    @Test("CJ-1, CJ-14: one Job for the most recent due time, no backfill; the controller requeues 100 ms after each due time")
    func mostRecentOnly() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob())
        let first = start.advanced(by: .seconds(60))
        try await env.advanceToDue(first)
        let jobs = try await env.waitForJobs(1)
        #expect(jobs[0].name == env.jobName(at: first))

        // Ten minutes pass at once: one Job, for the latest of the ten.
        try await env.waitForTimer(at: start.advanced(by: .seconds(120)).advanced(by: CronJobController.nextScheduleDelta))
        env.clock.advance(by: .seconds(600))
        let latest = start.advanced(by: .seconds(660))
        try await env.waitForJobs(2)
        #expect(try await env.jobs().map(\.name) == [env.jobName(at: first), env.jobName(at: latest)])
        try await env.waitForTimer(at: latest.advanced(by: .seconds(60)).advanced(by: CronJobController.nextScheduleDelta))
        #expect(try await env.cronJob().status.lastScheduleTime == latest)
        await env.stop()
    }

    @Test("CJ-2: the Job is <cronjob>-<minutes>, with the template's labels and annotations, the scheduled timestamp, a controller ref and the template's spec")
    func jobShape() async throws {
        let env = try await TestEnvironment.withCronJobController()
        let cronJob = try await env.api.create(CronJobFixtures.cronJob())
        let due = start.advanced(by: .seconds(60))
        try await env.advanceToDue(due)
        let job = try #require(try await env.waitForJobs(1).first)
        #expect(job.name == "hello-\(1_767_225_660 / 60)")
        #expect(job.metadata.labels?["app"] == "hello")
        #expect(job.metadata.annotations?["team"] == "batch")
        #expect(job.metadata.annotations?[CronJobController.scheduledTimestampAnnotation] == "2026-01-01T00:01:00Z")
        let ref = try #require(job.controllerOwner)
        #expect(ref.kind == "CronJob" && ref.apiVersion == "batch/v1" && ref.name == "hello" && ref.uid == cronJob.metadata.uid)
        #expect(job.spec.template.spec?.containers.first?.image == "busybox:1.28")
        #expect(job.spec.template.spec?.restartPolicy == "OnFailure")
        await env.stop()
    }

    @Test("CJ-3: a created Job joins status.active, lastScheduleTime is its time, SuccessfulCreate is recorded")
    func statusAfterCreate() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob())
        let due = start.advanced(by: .seconds(60))
        try await env.advanceToDue(due)
        let job = try #require(try await env.waitForJobs(1).first)
        try await env.waitUntil("the status shows it") { try await env.cronJob().status.active?.count == 1 }
        let status = try await env.cronJob().status
        let active = try #require(status.active?.first)
        #expect(active.kind == "Job" && active.apiVersion == "batch/v1" && active.name == job.name && active.uid == job.metadata.uid)
        #expect(active.namespace == "default")
        #expect(status.lastScheduleTime == due)
        let created = try await env.cronJobEvents().filter { $0.reason == "SuccessfulCreate" }
        #expect(created.map(\.message) == ["Created job \(job.name)"] && created.first?.type == "Normal")
        await env.stop()
    }

    @Test("CJ-4, CJ-15: a handled time is not run again; a Job of ours that exists but is not in active is taken in (UnexpectedJob first)")
    func handledTimesAndExistingJob() async throws {
        let due = CronJobFixtures.time("2026-01-01T00:01:00Z")
        let env = try await TestEnvironment.withCronJobController { env in
            let cronJob = try await env.api.create(CronJobFixtures.cronJob())
            // As if the controller had created it, then lost the status write.
            _ = try await env.api.create(Job(
                metadata: ObjectMeta(name: env.jobName(at: due), namespace: "default", ownerReferences: [cronJob.controllerReference]),
                spec: cronJob.spec.jobTemplate.spec ?? JobSpec()))
        }
        try await env.advanceToDue(due)
        try await env.waitUntil("the existing Job is taken into active") { try await env.cronJob().status.active?.count == 1 }
        let status = try await env.cronJob().status
        #expect(status.active?.first?.name == env.jobName(at: due) && status.lastScheduleTime == due)
        let events = try await env.cronJobEvents()
        #expect(events.contains { $0.reason == "UnexpectedJob" && $0.type == "Warning" })
        #expect(!events.contains { $0.reason == "SuccessfulCreate" }, "nothing new was created")

        // Any later sync at the same time (a label edit wakes it) starts nothing more.
        try await env.updateCronJob { $0.metadata.labels = ["edited": "yes"] }
        try await env.waitUntil("the edit is seen") { try await env.cronJob().metadata.labels?["edited"] == "yes" }
        for _ in 0..<200 { await Task.yield() }
        #expect(try await env.jobs().count == 1)
        await env.stop()
    }

    @Test("CJ-5: a due time older than startingDeadlineSeconds starts nothing and leaves lastScheduleTime; the next one runs")
    func startingDeadline() async throws {
        let env = try await TestEnvironment.withCronJobController { env in
            _ = try await env.api.create(CronJobFixtures.cronJob(schedule: "*/5 * * * *") { $0.startingDeadlineSeconds = 10 })
            // The controller was down at 00:05 and comes back 20 s later.
            env.clock.advance(by: .seconds(320))
        }
        let next = CronJobFixtures.time("2026-01-01T00:10:00Z")
        try await env.waitForTimer(at: next.advanced(by: CronJobController.nextScheduleDelta))
        #expect(try await env.jobs().isEmpty)
        #expect(try await env.cronJob().status.lastScheduleTime == nil)
        try await env.advanceToDue(next)
        #expect(try await env.waitForJobs(1).first?.name == env.jobName(at: next))
        await env.stop()
    }

    @Test("CJ-6: more than 100 missed times: TooManyMissedTimes, and the latest still runs; a deadline narrows the window")
    func tooManyMissed() async throws {
        let env = try await TestEnvironment.withCronJobController { env in
            _ = try await env.api.create(CronJobFixtures.cronJob())
            _ = try await env.api.create(CronJobFixtures.cronJob("bounded") { $0.startingDeadlineSeconds = 200 })
            env.clock.advance(by: .seconds(200 * 60 + 30))
        }
        let latest = CronJobFixtures.time("2026-01-01T03:20:00Z")
        #expect(try await env.waitForJobs(1).first?.name == env.jobName(at: latest))
        #expect(try await env.waitForJobs(1, of: "bounded").first?.name == env.jobName("bounded", at: latest))
        let warning = try #require(try await env.cronJobEvents().first { $0.reason == "TooManyMissedTimes" })
        #expect(warning.type == "Warning")
        #expect(warning.message == "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        #expect(try await !env.cronJobEvents("bounded").contains { $0.reason == "TooManyMissedTimes" })
        await env.stop()
    }

    @Test("CJ-7: Forbid skips while a Job runs (JobAlreadyActive); when it ends the latest missed time starts at once")
    func forbid() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob { $0.concurrencyPolicy = "Forbid" })
        let first = start.advanced(by: .seconds(60)), second = start.advanced(by: .seconds(120))
        try await env.advanceToDue(first)
        let running = try #require(try await env.waitForJobs(1).first)
        try await env.advanceToDue(second)
        try await env.waitUntil("JobAlreadyActive is recorded") {
            try await env.cronJobEvents().contains { $0.reason == "JobAlreadyActive" }
        }
        #expect(try await env.jobs().count == 1)
        let event = try #require(try await env.cronJobEvents().first { $0.reason == "JobAlreadyActive" })
        #expect(event.message == "Not starting job because prior execution is running and concurrency policy is Forbid")

        env.clock.advance(by: .seconds(10))
        try await env.endJob(running.name)
        let jobs = try await env.waitForJobs(2)
        #expect(jobs.map(\.name).contains(env.jobName(at: second)), "the missed 00:02 run starts when the first ends")
        await env.stop()
    }

    @Test("CJ-8: Replace deletes the running Job (SuccessfulDelete) and starts the new one")
    func replace() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob { $0.concurrencyPolicy = "Replace" })
        let first = start.advanced(by: .seconds(60)), second = start.advanced(by: .seconds(120))
        try await env.advanceToDue(first)
        let old = try #require(try await env.waitForJobs(1).first)
        try await env.advanceToDue(second)
        try await env.waitUntil("the old Job is replaced") {
            try await env.jobs().map(\.name) == [env.jobName(at: second)]
        }
        try await env.waitUntil("active holds only the new one") {
            try await env.cronJob().status.active?.map(\.name) == [env.jobName(at: second)]
        }
        #expect(try await env.cronJobEvents().contains { $0.reason == "SuccessfulDelete" && $0.message == "Deleted job \(old.name)" })
        await env.stop()
    }

    @Test("CJ-9: Allow lets runs overlap")
    func allow() async throws {
        let env = try await TestEnvironment.withCronJobController()
        let cronJob = try await env.api.create(CronJobFixtures.cronJob())
        #expect(cronJob.spec.concurrencyPolicy == "Allow", "the default")
        try await env.advanceToDue(start.advanced(by: .seconds(60)))
        try await env.waitForJobs(1)
        try await env.advanceToDue(start.advanced(by: .seconds(120)))
        try await env.waitForJobs(2)
        try await env.waitUntil("both are active") { try await env.cronJob().status.active?.count == 2 }
        await env.stop()
    }

    @Test("CJ-10: a suspended CronJob starts nothing; resumed without a deadline, the latest missed time runs at once")
    func suspend() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob { $0.suspend = true })
        env.clock.advance(by: .seconds(185))
        for _ in 0..<200 { await Task.yield() }
        #expect(try await env.jobs().isEmpty)
        try await env.updateCronJob { $0.spec.suspend = false }
        #expect(try await env.waitForJobs(1).first?.name == env.jobName(at: start.advanced(by: .seconds(180))))
        await env.stop()
    }

    @Test("CJ-11: finished Jobs leave active (SawCompletedJob), vanished ones too (MissingJob); lastSuccessfulTime follows the newest completion")
    func statusUpkeep() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob())
        try await env.advanceToDue(start.advanced(by: .seconds(60)))
        try await env.advanceToDue(start.advanced(by: .seconds(120)))
        let jobs = try await env.waitForJobs(2)
        try await env.waitUntil("both are active") { try await env.cronJob().status.active?.count == 2 }

        env.clock.advance(by: .seconds(5))
        let completed = env.clock.now().truncatedToSeconds
        try await env.endJob(jobs[0].name)
        try await env.waitUntil("the finished Job leaves active") { try await env.cronJob().status.active?.count == 1 }
        try await env.waitUntil("lastSuccessfulTime is its completion") { try await env.cronJob().status.lastSuccessfulTime == completed }
        let saw = try #require(try await env.cronJobEvents().first { $0.reason == "SawCompletedJob" })
        #expect(saw.message == "Saw completed job: \(jobs[0].name), status: Complete")

        try await env.api.delete(Job.self, namespace: "default", name: jobs[1].name, options: DeleteOptions(propagationPolicy: "Background"))
        try await env.waitUntil("the vanished Job leaves active") { try await env.cronJob().status.active == nil }
        #expect(try await env.cronJobEvents().contains { $0.reason == "MissingJob" && $0.message == "Active job went missing: \(jobs[1].name)" })
        await env.stop()
    }

    @Test("CJ-12: only the newest 3 successful and 1 failed Jobs are kept; the oldest by startTime go")
    func historyLimits() async throws {
        let env = try await TestEnvironment.withCronJobController()
        let cronJob = try await env.api.create(CronJobFixtures.cronJob())
        #expect(cronJob.spec.successfulJobsHistoryLimit == 3 && cronJob.spec.failedJobsHistoryLimit == 1)
        for minute in 1...6 {
            try await env.advanceToDue(start.advanced(by: .seconds(Int64(60 * minute))))
            let name = env.jobName(at: start.advanced(by: .seconds(Int64(60 * minute))))
            try await env.waitUntil("job \(minute) exists") { try await env.jobs().contains { $0.name == name } }
            // Jobs 1, 2, 4, 5 succeed, 3 and 6 fail; each started when it was created.
            try await env.endJob(name, succeeded: ![3, 6].contains(minute))
        }
        let kept = [2, 4, 5, 6].map { env.jobName(at: start.advanced(by: .seconds(Int64(60 * $0)))) }
        try await env.waitUntil("the history is trimmed") { try await env.jobs().map(\.name) == kept }
        // Events are written after the deletes, by the recorder's own task.
        try await env.waitUntil("both deletions are recorded") {
            try await env.cronJobEvents().filter { $0.reason == "SuccessfulDelete" }.count >= 2
        }
        let deleted = try await env.cronJobEvents().filter { $0.reason == "SuccessfulDelete" }.compactMap(\.message)
        #expect(Set(deleted) == Set([1, 3].map { "Deleted job \(env.jobName(at: start.advanced(by: .seconds(Int64(60 * $0)))))" }))
        await env.stop()
    }

    @Test("CJ-13: a schedule that never comes due (Feb 31) is reported as InvalidSchedule and starts nothing")
    func invalidSchedule() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob(schedule: "0 0 31 2 *"))
        try await env.waitUntil("InvalidSchedule is recorded") {
            try await env.cronJobEvents().contains { $0.reason == "InvalidSchedule" }
        }
        let event = try #require(try await env.cronJobEvents().first { $0.reason == "InvalidSchedule" })
        #expect(event.type == "Warning")
        #expect(event.message == "invalid schedule: 0 0 31 2 * : time difference between two schedules is less than 1 second")
        env.clock.advance(by: .seconds(3600))
        for _ in 0..<100 { await Task.yield() }
        #expect(try await env.jobs().isEmpty)
        await env.stop()
    }

    @Test("CJ-13: stored before validation, an unknown time zone (UnknownTimeZone) or an unparsable schedule (UnparseableSchedule) starts nothing")
    func unknownZoneAndUnparsable() async throws {
        let env = try await LegacyStoreEnvironment.start(with: [
            CronJobFixtures.cronJob("zoned") { $0.timeZone = "Mars/Olympus_Mons" },
            CronJobFixtures.cronJob("garbled", schedule: "every minute"),
        ])
        try await TestEnvironment.pollUntil("both are reported") {
            let zoned = try await env.events(about: "zoned"), garbled = try await env.events(about: "garbled")
            return zoned.contains { $0.reason == "UnknownTimeZone" } && garbled.contains { $0.reason == "UnparseableSchedule" }
        }
        let zoned = try #require(try await env.events(about: "zoned").first)
        #expect(zoned.message == "invalid timeZone: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons")
        let garbled = try #require(try await env.events(about: "garbled").first)
        #expect(garbled.message == "unparseable schedule: \"every minute\" : expected exactly 5 fields, found 2: [every minute]")
        env.clock.advance(by: .seconds(600))
        for _ in 0..<100 { await Task.yield() }
        #expect(try await env.api.listAll(Job.self, namespace: "default").isEmpty)
        await env.stop()
    }

    @Test("CJ-13: a CronJob being deleted only has its status kept up to date")
    func deletingCronJob() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob())
        try await env.updateCronJob { $0.metadata.finalizers = ["example.com/hold"] }
        try await env.api.delete(CronJob.self, namespace: "default", name: "hello")
        env.clock.advance(by: .seconds(130))
        for _ in 0..<200 { await Task.yield() }
        #expect(try await env.jobs().isEmpty)
        await env.stop()
    }

    @Test("CJ-16: spec edits affect future Jobs only; an edited schedule waits for its own next time")
    func specEdits() async throws {
        let env = try await TestEnvironment.withCronJobController()
        _ = try await env.api.create(CronJobFixtures.cronJob())
        try await env.advanceToDue(start.advanced(by: .seconds(60)))
        let first = try #require(try await env.waitForJobs(1).first)

        try await env.updateCronJob {
            $0.spec.jobTemplate.metadata?.labels = ["app": "hello", "version": "2"]
            $0.spec.schedule = "*/5 * * * *"
        }
        // 00:02 … 00:04 are not times of the new schedule; its next one is 00:05.
        let next = CronJobFixtures.time("2026-01-01T00:05:00Z")
        await env.stepClock(to: next.advanced(by: .seconds(-1)))
        #expect(try await env.jobs().count == 1, "the new schedule's missed times start nothing")
        try await env.advanceToDue(next)
        let jobs = try await env.waitForJobs(2)
        #expect(jobs.map(\.name) == [first.name, env.jobName(at: next)])
        #expect(jobs[1].metadata.labels?["version"] == "2")
        #expect(try await env.api.get(Job.self, namespace: "default", name: first.name).metadata.labels?["version"] == nil)
        await env.stop()
    }
}

extension TestEnvironment {
    /// ``waitUntil(_:limit:_:)`` for tests that run their own store and manager.
    static func pollUntil(_ what: String, limit: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            if ContinuousClock.now > deadline { throw TestEnvironmentError.timedOut(what) }
            await Task.yield()
        }
    }
}
