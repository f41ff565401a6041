import BosunControllers
import BosunKit
import BosunProcesses
import BosunRuntime
import Foundation
import Testing

/// A StatefulSet pod on the local node writes into its claim's directory; its replacement
/// (same name, same claim) finds what it wrote.
@Suite("Processes: StatefulSet volumes")
struct StatefulSetVolumeProcessTests {
    @Test("a file a StatefulSet pod's process writes to its volume is still there for the pod that replaces it")
    func dataSurvivesReplacement() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-sts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let env = try await TestEnvironment.start()
        try LocalProcessRuntime.register(with: env.manager, options: LocalProcessRuntimeOptions(shutdownGracePeriod: .milliseconds(200)))
        try StatefulSetController.register(with: env.manager)
        try LocalVolumeProvisioner.register(with: env.manager, options: LocalVolumeProvisioner.Options(dataDirectory: dataDirectory))
        env.startManager()
        try await LocalProcessRuntime.ensureLocalNode(using: env.api)

        // Each run appends its pod's name to a file in the volume, then waits to be stopped.
        let script = #"echo "$HOSTNAME" >> "$BOSUN_VOLUME_WWW/runs" && exec sleep 1000"#
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "nginx"]),
            spec: PodSpec(
                containers: [Container(
                    name: "web", command: ["sh", "-c", script], image: "busybox:1.28",
                    volumeMounts: [VolumeMount(mountPath: "/usr/share/nginx/html", name: "www")])],
                nodeName: LocalProcessRuntime.localNodeName, terminationGracePeriodSeconds: 1))
        let claimTemplate = PersistentVolumeClaim(
            metadata: ObjectMeta(name: "www"),
            spec: PersistentVolumeClaimSpec(accessModes: ["ReadWriteOnce"], resources: VolumeResourceRequirements(requests: ["storage": "1Gi"])))
        _ = try await env.api.create(StatefulSet(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: StatefulSetSpec(
                selector: LabelSelector(matchLabels: ["app": "nginx"]), serviceName: "nginx", template: template, replicas: 1,
                volumeClaimTemplates: [claimTemplate])))

        try await env.waitUntil("www-web-0 is bound") {
            try await env.api.getIfPresent(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0")?.status.phase == "Bound"
        }
        let claim = try await env.api.get(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0")
        let volume = try await env.api.get(PersistentVolume.self, namespace: nil, name: try #require(claim.spec.volumeName))
        let runs = URL(fileURLWithPath: try #require(volume.spec.hostPath?.path)).appendingPathComponent("runs")
        let lines = { @Sendable () -> [String] in
            ((try? String(contentsOf: runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        // A kubelet that saw web-0 before its claim was bound looks again a second later (as a
        // volume manager polls), on the test's clock: move it while waiting.
        try await env.waitUntil("web-0 wrote into its volume", limit: .seconds(60)) {
            if lines().count == 1 { return true }
            env.clock.advance(by: .milliseconds(100))
            return false
        }
        let first = try await env.api.get(Pod.self, namespace: "default", name: "web-0")

        try await env.api.delete(Pod.self, namespace: "default", name: "web-0")
        try await env.waitUntil("a new web-0 wrote into the same volume", limit: .seconds(60)) { lines().count == 2 }
        #expect(lines() == ["web-0", "web-0"])
        let second = try await env.api.get(Pod.self, namespace: "default", name: "web-0")
        #expect(second.metadata.uid != first.metadata.uid)
        #expect(second.spec.volumes?.first { $0.name == "www" }?.persistentVolumeClaim?.claimName == "www-web-0")
        await env.stop()
    }

    @Test("volume directories reach a container as BOSUN_VOLUME_<NAME>, with the mount's subPath")
    func environmentNames() {
        #expect(PodVolumes.variableName(forVolume: "www") == "BOSUN_VOLUME_WWW")
        #expect(PodVolumes.variableName(forVolume: "my-data.v2") == "BOSUN_VOLUME_MY_DATA_V2")
        let container = Container(name: "c", volumeMounts: [
            VolumeMount(mountPath: "/data", name: "data"), VolumeMount(mountPath: "/logs", name: "logs", subPath: "app"),
            VolumeMount(mountPath: "/cfg", name: "config"),
        ])
        let environment = PodVolumes.environment(of: container, volumes: ["data": "/v/1", "logs": "/var/log"])
        #expect(environment.map(\.0) == ["BOSUN_VOLUME_DATA", "BOSUN_VOLUME_LOGS"])
        #expect(environment.map(\.1) == ["/v/1", "/var/log/app"], "a volume without a directory here gets no variable")
    }

    @Test("a workingDir at or under a mountPath is the same place in the volume's directory, created")
    func workingDirectoryInAMount() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-wd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let volumes = ["www": root + "/www", "logs": root + "/logs"]
        func workingDirectory(_ workingDir: String?) -> String? {
            PodVolumes.workingDirectory(
                of: Container(name: "c", volumeMounts: [
                    VolumeMount(mountPath: "/usr/share/nginx/html/", name: "www"),
                    VolumeMount(mountPath: "/usr/share/nginx/html/logs", name: "logs", subPath: "app"),
                    VolumeMount(mountPath: "/cfg", name: "config"),
                ], workingDir: workingDir),
                volumes: volumes)
        }
        #expect(workingDirectory("/usr/share/nginx/html") == root + "/www")
        #expect(workingDirectory("/usr/share/nginx/html/a/b") == root + "/www/a/b")
        #expect(FileManager.default.fileExists(atPath: root + "/www/a/b"), "created, as a runtime creates a working directory")
        #expect(workingDirectory("/usr/share/nginx/html/logs/x") == root + "/logs/app/x", "the longest mountPath wins, with its subPath")
        #expect(workingDirectory("/usr/share/nginx/htmlx") == "/usr/share/nginx/htmlx", "not under the mount: the host's path")
        #expect(workingDirectory("/cfg") == "/cfg", "a volume without a directory here maps nothing")
        #expect(workingDirectory(nil) == nil)
    }
}
