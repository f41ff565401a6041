import BosunHost
import BosunRuntime
import Synchronization
import Testing

@Suite("ControlPlane: readiness checks added after start")
struct ReadinessCheckTests {
    @Test("an added check fails readiness while it reports a reason, and /readyz?verbose's report names it")
    func addedCheck() async throws {
        let plane = try await ControlPlane.start(ControlPlaneOptions(localNode: false))
        await plane.waitUntilReady()
        let failure = Mutex<String?>("exited with code 133; restarting in 1.0 seconds (restart 1)")
        plane.addReadinessCheck("plugin/libX.so (isolated)") { failure.withLock { $0 } }
        #expect(!plane.isReady)
        #expect(plane.readinessReport == """
            [+]informer-sync ok
            [-]plugin/libX.so (isolated) failed: exited with code 133; restarting in 1.0 seconds (restart 1)
            readyz check failed
            """)
        failure.withLock { $0 = nil }
        #expect(plane.isReady)
        #expect(plane.readinessReport.contains("[+]plugin/libX.so (isolated) ok\nreadyz check passed"))
        await plane.shutdown()
    }
}
