import BosunKit
import BosunNodes
import BosunProcesses
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A test environment with the local-process runtime registered, the manager running and the
/// node `local` created.
struct LocalCluster {
    let env: TestEnvironment
    let runtime: LocalProcessRuntime

    static func start() async throws -> LocalCluster {
        let env = try await TestEnvironment.start()
        let runtime = try LocalProcessRuntime.register(
            with: env.manager, options: LocalProcessRuntimeOptions(shutdownGracePeriod: .milliseconds(200)))
        env.startManager()
        try await LocalProcessRuntime.ensureLocalNode(using: env.api)
        return LocalCluster(env: env, runtime: runtime)
    }

    func stop() async { await env.stop() }

    /// Creates a pod bound to `local` with the given containers.
    @discardableResult
    func pod(
        _ name: String, restartPolicy: String? = nil, initContainers: [Container]? = nil, containers: [Container]
    ) async throws -> Pod {
        try await env.api.create(Pod(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: PodSpec(
                containers: containers, initContainers: initContainers, nodeName: LocalProcessRuntime.localNodeName,
                restartPolicy: restartPolicy, terminationGracePeriodSeconds: 2)))
    }

    func getPod(_ name: String) async throws -> Pod? {
        try await env.api.getIfPresent(Pod.self, namespace: "default", name: name)
    }

    @discardableResult
    func waitForPod(_ name: String, _ what: String, _ check: @escaping @Sendable (Pod) -> Bool) async throws -> Pod {
        try await env.waitUntil(what) { try await getPod(name).map(check) ?? false }
        return try #require(try await getPod(name))
    }

    /// Moves the clock a second at a time until `condition` holds. Between steps the runtime
    /// gets a bounded number of turns, and real processes (a probe) a few milliseconds: a step
    /// of one second bounds how late a timer set from a clock read just before the step fires.
    func advance(until what: String, limit: Int = 120, _ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0...limit {
            let deadline = ContinuousClock.now + .milliseconds(20)
            var turns = 0
            while turns < 500 || ContinuousClock.now < deadline {
                if try await condition() { return }
                await Task.yield()
                turns += 1
            }
            env.clock.advance(by: .seconds(1))
        }
        throw TestEnvironmentError.timedOut(what)
    }

    func log(_ pod: String, _ container: String = "app", previous: Bool = false) -> String? {
        runtime.logs(namespace: "default", pod: pod, container: container, previous: previous)
            .map { String(decoding: $0.read(), as: UTF8.self) }
    }
}

private func container(_ command: [String]?, name: String = "app", env: [EnvVar]? = nil, readinessProbe: Probe? = nil) -> Container {
    Container(name: name, command: command, env: env, image: "busybox:1.28", readinessProbe: readinessProbe)
}

/// The process id in a container status's `process://<pid>` container ID.
private func pid(_ status: ContainerStatus?) -> pid_t? {
    status?.containerID.flatMap { id in id.hasPrefix("process://") ? pid_t(id.dropFirst("process://".count)) : nil }
}

/// Whether any process (zombies included) is left in the process group `pgid`.
private func groupAlive(_ pgid: pid_t) -> Bool {
    kill(-pgid, 0) == 0
}

private func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("bosun-test-\(UUID().uuidString)").path
}

extension Pod {
    fileprivate func condition(_ type: String) -> PodCondition? { status.conditions?.first { $0.type == type } }
    fileprivate var app: ContainerStatus? { status.containerStatuses?.first }
}

@Suite("Local process runtime")
struct LocalProcessRuntimeTests {
    @Test("the node local becomes Ready with this machine's capacity, addresses and a Lease")
    func nodeReady() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.env.waitUntil("local is Ready") {
            try await cluster.env.api.getIfPresent(Node.self, namespace: nil, name: "local")?
                .status.conditions?.first { $0.type == "Ready" }?.status == "True"
        }
        let node = try #require(try await cluster.env.api.getIfPresent(Node.self, namespace: nil, name: "local"))
        #expect(node.status.capacity?["cpu"] == Quantity(Int64(ProcessInfo.processInfo.activeProcessorCount)))
        #expect(node.status.capacity?["pods"] == "110")
        let memory = try #require(node.status.capacity?["memory"])
        #expect(memory > Quantity(Int64(ProcessInfo.processInfo.physicalMemory) - 1024))
        #expect(node.status.allocatable?["cpu"] == node.status.capacity?["cpu"])
        #expect(node.status.addresses?.first { $0.type == "InternalIP" }?.address == "127.0.0.1")
        #expect(node.status.addresses?.first { $0.type == "Hostname" }?.address == ProcessInfo.processInfo.hostName)
        #expect(node.status.nodeInfo?.operatingSystem == "linux")
        #expect(node.status.nodeInfo?.kernelVersion.isEmpty == false)
        try await cluster.env.waitUntil("the Lease is renewed") {
            try await cluster.env.api.getIfPresent(Lease.self, namespace: "kube-node-lease", name: "local")?.spec.renewTime != nil
        }
        await cluster.stop()
    }

    @Test("a node without the label is left alone")
    func otherNodesIgnored() async throws {
        let cluster = try await LocalCluster.start()
        _ = try await cluster.env.api.create(Node(metadata: ObjectMeta(labels: [NodeRuntimeLabel.key: "simulated"], name: "other")))
        try await cluster.env.waitUntil("local is Ready") {
            try await cluster.env.api.getIfPresent(Node.self, namespace: nil, name: "local")?.status.conditions != nil
        }
        #expect(try await cluster.env.api.getIfPresent(Node.self, namespace: nil, name: "other")?.status.conditions == nil)
        await cluster.stop()
    }

    @Test("perl prints pi: the pod ends Succeeded, exit code 0, and its log holds the output")
    func perlSucceeds() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("pi", restartPolicy: "Never", containers: [container(["perl", "-e", "print 3.14159"])])
        let pod = try await cluster.waitForPod("pi", "the pod succeeded") { $0.status.phase == "Succeeded" }
        let terminated = try #require(pod.app?.state?.terminated)
        #expect(terminated.exitCode == 0)
        #expect(terminated.reason == "Completed")
        #expect(terminated.startedAt != nil && terminated.finishedAt != nil)
        #expect(pod.app?.ready == false)
        #expect(pod.status.podIP == "127.0.0.1")
        #expect(pod.status.hostIP == "127.0.0.1")
        #expect(pod.status.startTime != nil)
        #expect(pod.condition("Ready")?.reason == "PodCompleted")
        #expect(pod.condition("Initialized")?.status == "True")
        #expect(cluster.log("pi") == "3.14159\n")
        #expect(cluster.log("pi", previous: true) == nil)
        await cluster.stop()
    }

    @Test("a failing shell: the pod ends Failed with the exit code, reason Error, and its output")
    func shellFails() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("fail", restartPolicy: "Never", containers: [container(["sh", "-c", "echo hi; exit 3"])])
        let pod = try await cluster.waitForPod("fail", "the pod failed") { $0.status.phase == "Failed" }
        let terminated = try #require(pod.app?.state?.terminated)
        #expect(terminated.exitCode == 3)
        #expect(terminated.reason == "Error")
        #expect(pod.app?.restartCount == 0)
        #expect(pod.condition("ContainersReady")?.reason == "PodFailed")
        #expect(cluster.log("fail") == "hi\n")
        await cluster.stop()
    }

    @Test("what a container started in its process group ends with it")
    func leftoversKilled() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("spawner", restartPolicy: "Never", containers: [container(["sh", "-c", "sleep 1000 & echo $!"])])
        try await cluster.waitForPod("spawner", "the pod succeeded") { $0.status.phase == "Succeeded" }
        let child = try #require(cluster.log("spawner").flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(kill(child, 0) != 0)
        await cluster.stop()
    }

    @Test("args follow the command, env and workingDir reach the process")
    func argsEnvAndDirectory() async throws {
        let cluster = try await LocalCluster.start()
        var app = container(["sh", "-c", "echo \"$GREETING from $(pwd) $0 $HOSTNAME\""], env: [EnvVar(name: "GREETING", value: "hello")])
        app.args = ["arg0"]
        app.workingDir = "/tmp"
        try await cluster.pod("env", restartPolicy: "Never", containers: [app])
        try await cluster.waitForPod("env", "the pod succeeded") { $0.status.phase == "Succeeded" }
        #expect(cluster.log("env") == "hello from /tmp arg0 env\n")
        await cluster.stop()
    }

    @Test("an executable that does not exist: StartError, exit code 128, the pod Failed")
    func startError() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("missing", restartPolicy: "Never", containers: [container(["no-such-binary-bosun"])])
        let pod = try await cluster.waitForPod("missing", "the pod failed") { $0.status.phase == "Failed" }
        let terminated = try #require(pod.app?.state?.terminated)
        #expect(terminated.exitCode == 128)
        #expect(terminated.reason == "StartError")
        #expect(terminated.message?.contains("executable file not found") == true)
        await cluster.stop()
    }

    @Test("OnFailure restarts a failing container at once; it keeps the previous run as lastState and log")
    func onFailureRestarts() async throws {
        let cluster = try await LocalCluster.start()
        let marker = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: marker) }
        try await cluster.pod("retry", restartPolicy: "OnFailure", containers: [container(
            ["sh", "-c", "if [ -f \"$MARKER\" ]; then echo second; exit 0; fi; touch \"$MARKER\"; echo first; exit 1"],
            env: [EnvVar(name: "MARKER", value: marker)])])
        let pod = try await cluster.waitForPod("retry", "the pod succeeded") { $0.status.phase == "Succeeded" }
        let app = try #require(pod.app)
        #expect(app.restartCount == 1)
        #expect(app.state?.terminated?.exitCode == 0)
        #expect(app.lastState?.terminated?.exitCode == 1)
        #expect(app.lastState?.terminated?.reason == "Error")
        #expect(cluster.log("retry") == "second\n")
        #expect(cluster.log("retry", previous: true) == "first\n")
        await cluster.stop()
    }

    @Test("a container that keeps failing waits in CrashLoopBackOff, then restarts after 10 s of the clock")
    func crashLoopBackOff() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("crash", restartPolicy: "Always", containers: [container(["sh", "-c", "echo crash; exit 2"])])
        let waiting = try await cluster.waitForPod("crash", "the container backs off") {
            $0.app?.state?.waiting?.reason == "CrashLoopBackOff"
        }
        #expect(waiting.app?.restartCount == 1)
        #expect(waiting.app?.lastState?.terminated?.exitCode == 2)
        #expect(waiting.app?.state?.waiting?.message?.hasPrefix("back-off 10s restarting failed container=app pod=crash_default(") == true)
        #expect(waiting.status.phase == "Running")
        #expect(waiting.condition("Ready")?.status == "False")

        try await cluster.advance(until: "the container restarts after its backoff") {
            try await cluster.getPod("crash")?.app?.restartCount == 2
        }
        await cluster.stop()
    }

    @Test("a long-running pod is Running and Ready; deleting it stops its process group and removes it")
    func deletionStopsTheProcess() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("sleeper", containers: [container(["sh", "-c", "sleep 1000 & sleep 1000; wait"])])
        let pod = try await cluster.waitForPod("sleeper", "the pod is Ready") { $0.condition("Ready")?.status == "True" }
        #expect(pod.status.phase == "Running")
        #expect(pod.app?.ready == true)
        #expect(pod.app?.started == true)
        #expect(pod.app?.state?.running?.startedAt != nil)
        let leader = try #require(pid(pod.app))
        #expect(groupAlive(leader))

        let result = try await cluster.env.api.delete(Pod.self, namespace: "default", name: "sleeper")
        guard case .pending(let terminating) = result else {
            Issue.record("a running pod is deleted gracefully")
            return
        }
        #expect(terminating.metadata.deletionTimestamp != nil)
        try await cluster.env.waitUntil("the pod is gone") { try await cluster.getPod("sleeper") == nil }
        #expect(!groupAlive(leader))
        #expect(cluster.runtime.logs(namespace: "default", pod: "sleeper", container: "app") == nil)
        await cluster.stop()
    }

    @Test("a pod deleted at once (grace period 0) has its processes stopped all the same")
    func forceDeletion() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("forced", containers: [container(["sleep", "1000"])])
        let pod = try await cluster.waitForPod("forced", "the pod runs") { $0.app?.state?.running != nil }
        let leader = try #require(pid(pod.app))
        _ = try await cluster.env.api.delete(Pod.self, namespace: "default", name: "forced", options: DeleteOptions(gracePeriodSeconds: 0))
        try await cluster.env.waitUntil("the process is gone") { !groupAlive(leader) }
        await cluster.stop()
    }

    @Test("a container without a command runs until the pod is deleted, and is ready")
    func noCommand() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("nginx", containers: [Container(name: "nginx", image: "nginx:1.14.2")])
        let pod = try await cluster.waitForPod("nginx", "the pod is Ready") { $0.condition("Ready")?.status == "True" }
        #expect(pod.status.phase == "Running")
        #expect(pod.app?.ready == true)
        #expect(pod.app?.image == "nginx:1.14.2")
        #expect(cluster.log("nginx", "nginx") == "")
        _ = try await cluster.env.api.delete(Pod.self, namespace: "default", name: "nginx")
        try await cluster.env.waitUntil("the pod is gone") { try await cluster.getPod("nginx") == nil }
        await cluster.stop()
    }

    @Test("init containers run in order, each to completion, before the containers")
    func initContainers() async throws {
        let cluster = try await LocalCluster.start()
        let file = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let env = [EnvVar(name: "FILE", value: file)]
        try await cluster.pod(
            "init", restartPolicy: "Never",
            initContainers: [
                container(["sh", "-c", "echo one > \"$FILE\""], name: "first", env: env),
                container(["sh", "-c", "echo two >> \"$FILE\""], name: "second", env: env),
            ],
            containers: [container(["cat", file])])
        let pod = try await cluster.waitForPod("init", "the pod succeeded") { $0.status.phase == "Succeeded" }
        #expect(cluster.log("init") == "one\ntwo\n")
        #expect(pod.status.initContainerStatuses?.map(\.name) == ["first", "second"])
        #expect(pod.status.initContainerStatuses?.allSatisfy { $0.state?.terminated?.reason == "Completed" && $0.ready } == true)
        await cluster.stop()
    }

    @Test("a failing init container fails a Never pod, and its containers never start")
    func initContainerFails() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod(
            "badinit", restartPolicy: "Never", initContainers: [container(["sh", "-c", "exit 4"], name: "setup")],
            containers: [container(["sleep", "1000"])])
        let pod = try await cluster.waitForPod("badinit", "the pod failed") { $0.status.phase == "Failed" }
        #expect(pod.status.initContainerStatuses?.first?.state?.terminated?.exitCode == 4)
        #expect(pod.app?.state?.waiting?.reason == "PodInitializing")
        #expect(pod.condition("Initialized")?.status == "False")
        await cluster.stop()
    }

    @Test("an exec readiness probe decides readiness")
    func readinessProbe() async throws {
        let cluster = try await LocalCluster.start()
        let marker = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let probe = Probe(exec: ExecAction(command: ["test", "-f", marker]), failureThreshold: 1, periodSeconds: 1)
        try await cluster.pod("probed", containers: [container(["sleep", "1000"], readinessProbe: probe)])
        let running = try await cluster.waitForPod("probed", "the container runs") { $0.app?.state?.running != nil }
        #expect(running.app?.ready == false)
        #expect(running.condition("Ready")?.status == "False")

        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        try await cluster.advance(until: "the probe passes") { try await cluster.getPod("probed")?.app?.ready == true }
        try FileManager.default.removeItem(atPath: marker)
        try await cluster.advance(until: "the probe fails again") { try await cluster.getPod("probed")?.app?.ready == false }
        await cluster.stop()
    }

    @Test("stopping the manager stops every process")
    func shutdownStopsProcesses() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("a", containers: [container(["sleep", "1000"])])
        try await cluster.pod("b", containers: [container(["sh", "-c", "trap '' TERM; sleep 1000 & wait"])])
        var leaders: [pid_t] = []
        for name in ["a", "b"] {
            let pod = try await cluster.waitForPod(name, "\(name) runs") { $0.app?.state?.running != nil }
            leaders.append(try #require(pid(pod.app)))
        }
        #expect(leaders.allSatisfy(groupAlive))
        await cluster.env.stopManager()
        #expect(leaders.allSatisfy { !groupAlive($0) })
        await cluster.stop()
    }

    @Test("shutdown() stops every process")
    func explicitShutdown() async throws {
        let cluster = try await LocalCluster.start()
        try await cluster.pod("a", containers: [container(["sleep", "1000"])])
        let pod = try await cluster.waitForPod("a", "a runs") { $0.app?.state?.running != nil }
        let leader = try #require(pid(pod.app))
        await cluster.runtime.shutdown()
        #expect(!groupAlive(leader))
        await cluster.stop()
    }
}
