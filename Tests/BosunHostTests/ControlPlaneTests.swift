import BosunHost
import BosunProcesses
import BosunRuntime
import Foundation
import Testing

/// Waits (yielding, never sleeping a fixed time) until `condition` holds, within a real-time limit
/// that turns a hang into a failure. The control plane runs on real time and real processes.
private func waitUntil(_ what: String, limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        if ContinuousClock.now > deadline {
            Issue.record("timed out waiting until \(what)")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

@Suite("Control plane")
struct ControlPlaneTests {
    @Test("bosun up's assembly: simulated and local nodes, pods scheduled and run, state kept across a restart")
    func upRunAndRestart() async throws {
        let directory = NSTemporaryDirectory() + "bosun-up-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let options = ControlPlaneOptions(dataDirectory: directory, simulatedNodes: 3, localNode: true)
        var plane = try await ControlPlane.start(options)
        await plane.waitUntilReady()
        #expect(FileManager.default.fileExists(atPath: directory + "/store.sqlite"))
        let api = StoreClient(store: plane.store)

        try await waitUntil("four nodes are Ready") {
            let nodes = try await api.listAll(Node.self)
            return nodes.count == 4 && nodes.allSatisfy { $0.status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true }
        }
        _ = try await api.create(Pod(
            metadata: ObjectMeta(name: "simulated", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "web", image: "nginx")],
                          nodeSelector: ["bosun.dev/runtime": "simulated"])))
        _ = try await api.create(Pod(
            metadata: ObjectMeta(name: "real", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "hello", command: ["sh", "-c", "echo hi"], image: "busybox")],
                          nodeSelector: ["bosun.dev/runtime": "process"], restartPolicy: "Never")))
        try await waitUntil("the simulated pod runs on a simulated node") {
            let pod = try await api.get(Pod.self, namespace: "default", name: "simulated")
            return pod.status.phase == "Running" && pod.spec.nodeName?.hasPrefix("sim-node-") == true
        }
        try await waitUntil("the real pod ran on local and succeeded") {
            let pod = try await api.get(Pod.self, namespace: "default", name: "real")
            return pod.status.phase == "Succeeded" && pod.spec.nodeName == "local"
        }
        #expect(plane.local.flatMap { $0.logs(namespace: "default", pod: "real", container: "hello") }
            .map { String(decoding: $0.read(), as: UTF8.self) } == "hi\n")
        #expect(plane.isReady)
        await plane.shutdown()

        // Started again on the same data directory: everything is still there, nothing doubled.
        plane = try await ControlPlane.start(options)
        await plane.waitUntilReady()
        let again = StoreClient(store: plane.store)
        #expect(try await again.listAll(Node.self).count == 4)
        #expect(try await again.get(Pod.self, namespace: "default", name: "real").status.phase == "Succeeded")
        await plane.shutdown()
    }
}
