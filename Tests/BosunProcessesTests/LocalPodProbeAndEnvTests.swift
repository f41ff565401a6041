import BosunKit
import BosunNodes
import BosunProcesses
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback port nothing listens on right now.
private func freePort() throws -> Int32 {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int32(UInt16(bigEndian: address.sin_port))
}

private func marker() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("bosun-probe-\(UUID().uuidString)").path
}

extension LocalCluster {
    /// Moves the clock `seconds` seconds, a second at a time, giving the runtime and the probes'
    /// processes a few milliseconds after each step.
    func elapse(_ seconds: Int) async {
        for _ in 0..<seconds {
            let deadline = ContinuousClock.now + .milliseconds(50)
            while ContinuousClock.now < deadline { await Task.yield() }
            env.clock.advance(by: .seconds(1))
        }
    }
}

extension LocalCluster {
    /// Waits for an event on the pod `pod` that `matches`.
    func waitForEvent(_ what: String, on pod: String, _ matches: @escaping @Sendable (Event) -> Bool) async throws {
        try await env.waitUntil(what) {
            try await env.api.listAll(Event.self, namespace: "default").contains { $0.involvedObject.name == pod && matches($0) }
        }
    }
}

extension Pod {
    fileprivate var main: ContainerStatus? { status.containerStatuses?.first }
}

@Suite("Local process runtime: env and probes")
struct LocalPodProbeAndEnvTests {
    @Test("valueFrom, envFrom and $(VAR) in command and args reach the process")
    func environmentReachesProcess() async throws {
        let cluster = try await LocalCluster.start()
        _ = try await cluster.env.api.create(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "default"), data: ["color": "blue"]))
        _ = try await cluster.env.api.create(Secret(metadata: ObjectMeta(name: "creds", namespace: "default"), data: ["token": "c2VjcmV0"]))
        var container = Container(
            name: "app", args: ["echo \"$(POD) $COLOR $CFG_color $TOKEN\" '$$(POD)' \"$NODE\""], command: ["sh", "-c"],
            env: [
                EnvVar(name: "POD", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"))),
                EnvVar(name: "NODE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "spec.nodeName"))),
                EnvVar(name: "COLOR", valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(key: "color", name: "settings"))),
                EnvVar(name: "TOKEN", valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(key: "token", name: "creds"))),
            ],
            envFrom: [EnvFromSource(configMapRef: ConfigMapEnvSource(name: "settings"), prefix: "CFG_")])
        container.image = "busybox:1.28"
        try await cluster.pod("printer", restartPolicy: "Never", containers: [container])
        try await cluster.waitForPod("printer", "the pod succeeds") { $0.status.phase == "Succeeded" }
        #expect(cluster.log("printer") == "printer blue blue secret $(POD) local\n")
        await cluster.stop()
    }

    @Test("a missing ConfigMap: CreateContainerConfigError until it exists, then the container starts")
    func missingConfigMap() async throws {
        let cluster = try await LocalCluster.start()
        let container = Container(
            name: "app", command: ["sh", "-c", "echo $LEVEL"],
            env: [EnvVar(name: "LEVEL", valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(key: "level", name: "later")))],
            image: "busybox:1.28")
        try await cluster.pod("waiting", restartPolicy: "Never", containers: [container])
        let waiting = try await cluster.waitForPod("waiting", "the container waits") { $0.main?.state?.waiting?.reason == "CreateContainerConfigError" }
        #expect(waiting.main?.state?.waiting?.message == "configmap \"later\" not found")
        #expect(waiting.status.phase == "Pending")
        try await cluster.waitForEvent("the Failed event", on: "waiting") {
            $0.reason == "Failed" && $0.message == "Error: configmap \"later\" not found"
        }

        _ = try await cluster.env.api.create(ConfigMap(metadata: ObjectMeta(name: "later", namespace: "default"), data: ["level": "7"]))
        try await cluster.advance(until: "the container starts after the kubelet's retry") {
            try await cluster.getPod("waiting")?.status.phase == "Succeeded"
        }
        #expect(cluster.log("waiting") == "7\n")
        await cluster.stop()
    }

    @Test("a failing liveness probe kills the container, which restarts; the events say why")
    func livenessRestarts() async throws {
        let cluster = try await LocalCluster.start()
        let healthy = marker()
        #expect(FileManager.default.createFile(atPath: healthy, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: healthy) }
        var container = Container(name: "app", command: ["sleep", "1000"], image: "busybox:1.28")
        container.livenessProbe = Probe(exec: ExecAction(command: ["test", "-f", healthy]), failureThreshold: 2, periodSeconds: 1)
        try await cluster.pod("lively", containers: [container])
        try await cluster.waitForPod("lively", "the container runs") { $0.main?.state?.running != nil }
        // Healthy: probes pass for a while, nothing restarts.
        await cluster.elapse(5)
        #expect(try await cluster.getPod("lively")?.main?.restartCount == 0)

        try FileManager.default.removeItem(atPath: healthy)
        try await cluster.advance(until: "the container is killed and restarted") {
            try await cluster.getPod("lively")?.main?.restartCount == 1
        }
        let pod = try #require(try await cluster.getPod("lively"))
        #expect(pod.main?.lastState?.terminated?.reason == "Error", "killed by SIGTERM: exit code 143")
        #expect(pod.main?.lastState?.terminated?.exitCode == 143)
        try await cluster.waitForEvent("an Unhealthy event", on: "lively") {
            $0.reason == "Unhealthy" && ($0.message ?? "").hasPrefix("Liveness probe failed")
        }
        try await cluster.waitForEvent("a Killing event", on: "lively") {
            $0.reason == "Killing" && $0.message == "Container app failed liveness probe, will be restarted"
        }
        await cluster.stop()
    }

    @Test("a startup probe holds back readiness and liveness until it passes")
    func startupGates() async throws {
        let cluster = try await LocalCluster.start()
        let started = marker()
        defer { try? FileManager.default.removeItem(atPath: started) }
        var container = Container(name: "app", command: ["sleep", "1000"], image: "busybox:1.28")
        container.startupProbe = Probe(exec: ExecAction(command: ["test", "-f", started]), failureThreshold: 1000, periodSeconds: 1)
        container.readinessProbe = Probe(exec: ExecAction(command: ["true"]), periodSeconds: 1)
        // Would kill the container at once if it ran before the startup probe passed.
        container.livenessProbe = Probe(exec: ExecAction(command: ["false"]), failureThreshold: 5, periodSeconds: 1)
        try await cluster.pod("slow", containers: [container])
        try await cluster.waitForPod("slow", "the container runs") { $0.main?.state?.running != nil }
        await cluster.elapse(3)
        let before = try #require(try await cluster.getPod("slow"))
        #expect(before.main?.started == false)
        #expect(before.main?.ready == false)
        #expect(before.main?.restartCount == 0, "liveness waits for the startup probe")

        #expect(FileManager.default.createFile(atPath: started, contents: Data()))
        try await cluster.advance(until: "started and ready") {
            let pod = try await cluster.getPod("slow")
            return pod?.main?.started == true && pod?.main?.ready == true
        }
        #expect(try await cluster.getPod("slow")?.main?.restartCount == 0)
        // Then liveness runs, and fails.
        try await cluster.advance(until: "liveness kills it once it has started") { try await cluster.getPod("slow")?.main?.restartCount == 1 }
        await cluster.stop()
    }

    @Test("httpGet and tcpSocket probes against the container's port")
    func networkProbes() async throws {
        let cluster = try await LocalCluster.start()
        let port = try freePort()
        func server(_ path: String) -> Container {
            var container = Container(
                name: "app", command: ["python3", "-m", "http.server", "$(PORT)", "--bind", "127.0.0.1"],
                env: [EnvVar(name: "PORT", value: "\(port)")], image: "python:3", ports: [ContainerPort(containerPort: port, name: "http")])
            container.readinessProbe = Probe(failureThreshold: 1, httpGet: HTTPGetAction(port: "http", path: path), periodSeconds: 1)
            container.livenessProbe = Probe(failureThreshold: 1000, periodSeconds: 1, tcpSocket: TCPSocketAction(port: .int(port)))
            return container
        }
        try await cluster.pod("web", containers: [server("/")])
        try await cluster.waitForPod("web", "the server runs") { $0.main?.state?.running != nil }
        try await cluster.advance(until: "GET / answers 200: ready", limit: 600) { try await cluster.getPod("web")?.main?.ready == true }
        try await cluster.env.api.delete(Pod.self, namespace: "default", name: "web")
        try await cluster.advance(until: "the first server is gone") { try await cluster.getPod("web") == nil }

        try await cluster.pod("missing", containers: [server("/no-such-page")])
        try await cluster.advance(until: "a 404 is reported", limit: 600) {
            try await cluster.env.api.listAll(Event.self, namespace: "default").contains {
                $0.message == "Readiness probe failed: HTTP probe failed with statuscode: 404"
            }
        }
        let pod = try #require(try await cluster.getPod("missing"))
        #expect(pod.main?.ready == false)
        #expect(pod.main?.restartCount == 0, "the tcpSocket liveness probe passes")
        await cluster.stop()
    }

    @Test("a tcpSocket liveness probe on a closed port fails: connection refused")
    func tcpRefused() async throws {
        let cluster = try await LocalCluster.start()
        let port = try freePort()
        var container = Container(name: "app", command: ["sleep", "1000"], image: "busybox:1.28")
        container.livenessProbe = Probe(failureThreshold: 1, periodSeconds: 1, tcpSocket: TCPSocketAction(port: .int(port)))
        try await cluster.pod("closed", restartPolicy: "Never", containers: [container])
        try await cluster.advance(until: "the container is killed and the pod fails") {
            try await cluster.getPod("closed")?.status.phase == "Failed"
        }
        try await cluster.waitForEvent("connection refused", on: "closed") {
            $0.message == "Liveness probe failed: dial tcp 127.0.0.1:\(port): connect: connection refused"
        }
        // Never: no restart is promised.
        try await cluster.waitForEvent("a Killing event", on: "closed") { $0.message == "Container app failed liveness probe" }
        await cluster.stop()
    }
}
