import BosunControllers
import BosunRuntime
import Synchronization
import Testing

/// The TTL-after-finished controller against TTL-1 … TTL-4 (`k8s-workload-semantics.md` §9).
/// Jobs are finished by writing their status; no Job controller runs.
@Suite("TTL after finished")
struct TTLAfterFinishedTests {
    static func job(_ name: String, ttl: Int32?) -> Job {
        JobFixtures.job(name) { $0.ttlSecondsAfterFinished = ttl }
    }

    static func withController(seed: (TestEnvironment) async throws -> Void = { _ in }) async throws -> TestEnvironment {
        let env = try await TestEnvironment.start()
        try await seed(env)
        try TTLAfterFinishedController.register(with: env.manager)
        env.startManager()
        return env
    }

    /// Deleted in the foreground: the Job waits, `foregroundDeletion` on, for the garbage
    /// collector to remove its pods first (none runs here).
    func deletedInForeground(_ env: TestEnvironment, _ name: String) async throws -> Bool {
        guard let job = try await env.api.getIfPresent(Job.self, namespace: "default", name: name) else { return false }
        return job.metadata.deletionTimestamp != nil && job.metadata.finalizers == ["foregroundDeletion"]
    }

    func exists(_ env: TestEnvironment, _ name: String) async throws -> Bool {
        try await env.api.get(Job.self, namespace: "default", name: name).metadata.deletionTimestamp == nil
    }

    @Test("TTL-1: only finished Jobs with a TTL are deleted; running Jobs and Jobs without a TTL stay")
    func onlyFinishedWithTTL() async throws {
        let env = try await Self.withController()
        _ = try await env.api.create(Self.job("done", ttl: 0))
        _ = try await env.api.create(Self.job("forever", ttl: nil))
        _ = try await env.api.create(Self.job("running", ttl: 0))
        try await env.endJob("done")
        try await env.endJob("forever")
        try await env.waitUntil("the finished Job with a TTL is deleted") { try await deletedInForeground(env, "done") }
        env.clock.advance(by: .seconds(3600))
        for _ in 0..<200 { await Task.yield() }
        #expect(try await exists(env, "forever"))
        #expect(try await exists(env, "running"))
        await env.stop()
    }

    @Test("TTL-2: a finished Job expires at its finish time plus the TTL, and the controller waits exactly that long")
    func expiresAfterTTL() async throws {
        let env = try await Self.withController()
        _ = try await env.api.create(Self.job("pi", ttl: 100))
        env.clock.advance(by: .seconds(7))
        try await env.endJob("pi", succeeded: false)
        try await env.advanceToTimer(in: 100)
        try await env.waitUntil("the Job is deleted") { try await deletedInForeground(env, "pi") }
        await env.stop()
    }

    @Test("TTL-3: a TTL extended after the Job finished is honoured; the delete is Foreground")
    func extendedTTL() async throws {
        let deletes = DeleteRecorder()
        let env = try await Self.withController { env in try env.store.register(validating: deletes) }
        _ = try await env.api.create(Self.job("pi", ttl: 10))
        try await env.endJob("pi")
        try await env.waitForTimer(at: env.clock.now().advanced(by: .seconds(10)))
        let job = try await env.updateJob { $0.spec.ttlSecondsAfterFinished = 60 }
        env.clock.advance(by: .seconds(10))
        for _ in 0..<200 { await Task.yield() }
        #expect(deletes.count == 0, "not deleted at the old expiry")
        try await env.advanceToTimer(in: 50)
        try await env.waitUntil("the Job is deleted at the new expiry") { try await deletedInForeground(env, "pi") }
        #expect(deletes.count == 1, "one delete, at 60 s, none at 10 s")
        #expect(try await env.job().metadata.uid == job.metadata.uid)
        await env.stop()
    }

    @Test("TTL-1: a Job already being deleted is left alone")
    func beingDeleted() async throws {
        let deletes = DeleteRecorder()
        let env = try await Self.withController { env in try env.store.register(validating: deletes) }
        var job = try await env.api.create(Self.job("pi", ttl: 0))
        job.metadata.finalizers = ["example.com/hold"]
        job = try await env.api.update(job)
        try await env.api.delete(Job.self, namespace: "default", name: "pi", options: DeleteOptions(propagationPolicy: "Background"))
        try await env.endJob("pi")
        for _ in 0..<300 { await Task.yield() }
        #expect(deletes.count == 1, "only the test's own delete")
        await env.stop()
    }

    @Test("TTL-4: a finish time in the future (clock skew) defers the cleanup until finish plus TTL")
    func finishedInTheFuture() async throws {
        let env = try await Self.withController()
        var job = try await env.api.create(Self.job("pi", ttl: 5))
        let future = env.clock.now().truncatedToSeconds.advanced(by: .seconds(30))
        job.status.startTime = future
        job.status.completionTime = future
        job.status.conditions = [JobCondition(status: "True", type: "SuccessCriteriaMet", lastTransitionTime: future),
                                 JobCondition(status: "True", type: "Complete", lastTransitionTime: future)]
        _ = try await env.api.updateStatus(job)
        try await env.advanceToTimer(in: 35)
        try await env.waitUntil("the Job is deleted at finish plus TTL") { try await deletedInForeground(env, "pi") }
        await env.stop()
    }
}

/// Counts the Job deletes that reach admission.
final class DeleteRecorder: ValidatingAdmissionHook {
    let name = "delete-recorder"
    private let deletes = Mutex(0)

    var count: Int { deletes.withLock { $0 } }

    func appliesTo(_ request: AdmissionRequest) -> Bool {
        request.resource.resource == "jobs" && request.operation == .delete
    }

    func validate(_ request: AdmissionRequest) async throws(AdmissionDenied) {
        deletes.withLock { $0 += 1 }
    }
}
