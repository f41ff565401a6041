import ArgumentParser
import BosunKit
import BosunRemote
import BosunRuntime
import Foundation

/// `bosun status`: a running control plane in a few lines — readiness and its checks, nodes by
/// condition, pods by phase, workloads by readiness, recent warnings — read over the Kubernetes
/// API with the kubeconfig `bosun up` wrote.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise a running control plane: readiness, nodes, pods, workloads, warnings.",
        discussion: """
            Reads the API server named by DATA-DIR/kubeconfig (or --kubeconfig) as kubectl would. \
            Exits with status 1 if the server cannot be reached or is not ready.
            """
    )

    @Option(help: "The data directory of the `bosun up` to ask.", completion: .directory)
    var dataDir: String = ".bosun"

    @Option(help: "A kubeconfig to use instead of DATA-DIR/kubeconfig.", completion: .file())
    var kubeconfig: String?

    func run() async throws {
        let path = kubeconfig ?? "\(dataDir)/kubeconfig"
        guard FileManager.default.fileExists(atPath: path) else {
            throw StartupFailure("no kubeconfig at \(path): start the control plane with `bosun up` (or pass --data-dir or --kubeconfig)")
        }
        let client: RemoteClient
        do {
            client = try RemoteClient(RemoteConfiguration.kubeconfig(at: path), connectTimeout: .seconds(2), requestTimeout: .seconds(20))
        } catch {
            throw StartupFailure("cannot use \(path): \(error)")
        }
        let server = client.configuration.server
        let report: String
        let ready: Bool
        do {
            let version = try JSONParser.parse(try await client.getRaw("/version"))["gitVersion"]?.stringValue ?? "?"
            (ready, report) = try await readiness(client)
            print(row("API server", "\(server) (Kubernetes \(version)) — \(ready ? "ready" : "NOT READY")"))
        } catch let error as APIError where error.code == 503 {
            try? await client.shutdown()
            throw StartupFailure("no API server answers at \(server) (from \(path)); start it with `bosun up`")
        }
        // Failing checks always; the plugins' checks, which say what is loaded.
        for line in report.split(separator: "\n") where line.hasPrefix("[-]") || line.hasPrefix("[+]plugin/") {
            print(row("", String(line)))
        }
        do {
            try await summarise(client)
        } catch {
            try? await client.shutdown()
            throw StartupFailure("reading \(server) failed: \(error)")
        }
        try? await client.shutdown()
        if !ready { throw ExitCode(1) }
    }

    private func readiness(_ client: RemoteClient) async throws -> (Bool, String) {
        do {
            return (true, String(decoding: try await client.getRaw("/readyz", query: [("verbose", "")]), as: UTF8.self))
        } catch let error as APIError where error.code == 500 {
            return (false, error.message)
        }
    }

    private func summarise(_ client: RemoteClient) async throws {
        let nodes = try await Self.all(Node.self, client)
        let ready = nodes.filter { $0.status.conditions?.first { $0.type == "Ready" }?.status == "True" }.count
        let cordoned = nodes.filter { $0.spec.unschedulable == true }.count
        print(row("nodes", "\(nodes.count): \(ready) Ready" + (nodes.count > ready ? ", \(nodes.count - ready) not Ready" : "")
            + (cordoned > 0 ? ", \(cordoned) cordoned" : "")))

        let pods = try await Self.all(Pod.self, client)
        var phases: [String: Int] = [:]
        for pod in pods { phases[pod.metadata.deletionTimestamp == nil ? pod.status.phase ?? "Pending" : "Terminating", default: 0] += 1 }
        let order = ["Running", "Pending", "Succeeded", "Failed", "Terminating", "Unknown"]
        print(row("pods", "\(pods.count)" + (pods.isEmpty ? "" : ": " + order.compactMap { phase in
            phases[phase].map { "\($0) \(phase)" } }.joined(separator: ", "))))

        var workloads: [String] = []
        let deployments = try await Self.all(Deployment.self, client)
        if !deployments.isEmpty {
            let whole = deployments.filter { ($0.status.readyReplicas ?? 0) >= ($0.spec.replicas ?? 1) }.count
            workloads.append("Deployments \(whole)/\(deployments.count) ready")
        }
        let statefulSets = try await Self.all(StatefulSet.self, client)
        if !statefulSets.isEmpty {
            let whole = statefulSets.filter { ($0.status.readyReplicas ?? 0) >= ($0.spec.replicas ?? 1) }.count
            workloads.append("StatefulSets \(whole)/\(statefulSets.count) ready")
        }
        let daemonSets = try await Self.all(DaemonSet.self, client)
        if !daemonSets.isEmpty {
            let whole = daemonSets.filter { $0.status.numberReady >= $0.status.desiredNumberScheduled }.count
            workloads.append("DaemonSets \(whole)/\(daemonSets.count) ready")
        }
        let jobs = try await Self.all(Job.self, client)
        if !jobs.isEmpty {
            let finished = { (job: Job, type: String) in job.status.conditions?.contains { $0.type == type && $0.status == "True" } == true }
            let complete = jobs.filter { finished($0, "Complete") }.count
            let failed = jobs.filter { finished($0, "Failed") }.count
            workloads.append("Jobs \(complete)/\(jobs.count) complete" + (failed > 0 ? ", \(failed) failed" : ""))
        }
        let cronJobs = try await Self.all(CronJob.self, client)
        if !cronJobs.isEmpty { workloads.append("CronJobs \(cronJobs.count)") }
        print(row("workloads", workloads.isEmpty ? "none" : workloads.joined(separator: ", ")))

        let warnings = try await Self.all(Event.self, client).filter { $0.type == "Warning" }
        var reasons: [String: Int] = [:]
        for event in warnings { reasons[event.reason ?? "", default: 0] += Int(event.count ?? 1) }
        print(row("warnings", warnings.isEmpty ? "none" : reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .prefix(5).map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")))
    }

    /// Every object of a kind, in pages (a thousand nodes' pods make a long list).
    private static func all<T: Resource>(_ type: T.Type, _ client: RemoteClient) async throws -> [T] {
        var items: [T] = []
        var next: String?
        repeat {
            let page = try await client.list(type, namespace: nil, options: ListOptions(limit: 500, continueToken: next))
            items += page.items
            next = page.continueToken
        } while next != nil
        return items
    }

    private func row(_ label: String, _ value: String) -> String {
        label.padding(toLength: 12, withPad: " ", startingAt: 0) + value
    }
}
