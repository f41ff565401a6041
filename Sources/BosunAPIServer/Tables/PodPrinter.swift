import BosunKit

/// Pods as kube-apiserver prints them (`printPod`): READY counts ready containers (and started,
/// ready sidecars), STATUS is the most telling reason among the phase, the init containers and the
/// containers, RESTARTS notes how long ago the last one was.
enum PodPrinter {
    static let printer = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn(name: "Status", type: "string", description: "The aggregate status of the containers in this pod."),
            TableColumn(name: "Restarts", type: "string",
                        description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            .age,
            TableColumn(name: "IP", type: "string", description: "podIP is the IP address allocated to the pod.", priority: 1),
            TableColumn(name: "Node", type: "string", description: "NodeName indicates in which node this pod is scheduled.", priority: 1),
            TableColumn(name: "Nominated Node", type: "string",
                        description: "nominatedNodeName is set only when this pod preempts other pods on the node.", priority: 1),
            TableColumn(name: "Readiness Gates", type: "string", description: "If specified, all readiness gates will be evaluated for pod readiness.", priority: 1),
        ],
        row: { row($0, now: $1) })

    static func row(_ pod: JSONValue, now: Time) -> TableRow {
        let spec = pod["spec"] ?? .null
        let status = pod["status"] ?? .null
        let phase = status.string("phase")
        var reason = status.string("reason").isEmpty ? phase : status.string("reason")
        if status.array("conditions").contains(where: { $0.string("type") == "PodScheduled" && $0.string("reason") == "SchedulingGated" }) {
            reason = "SchedulingGated"
        }
        var conditions: [JSONValue] = []
        switch phase {
        case "Succeeded": conditions = [condition("Succeeded", "The pod has completed successfully.")]
        case "Failed": conditions = [condition("Failed", "The pod failed.")]
        default: break
        }

        let initSpecs = spec.array("initContainers")
        let sidecars = Set(initSpecs.filter { $0.string("restartPolicy") == "Always" }.map { $0.string("name") })
        let total = spec.array("containers").count + sidecars.count
        var ready = 0
        var restarts: Int64 = 0
        var sidecarRestarts: Int64 = 0
        var lastRestart: Time?
        var lastSidecarRestart: Time?
        var initializing = false
        for (index, container) in status.array("initContainerStatuses").enumerated() {
            restarts += container.int("restartCount")
            let finished = finishedAt(container)
            lastRestart = later(lastRestart, finished)
            if sidecars.contains(container.string("name")) {
                sidecarRestarts += container.int("restartCount")
                lastSidecarRestart = later(lastSidecarRestart, finished)
                if container["started"]?.boolValue == true && container["ready"]?.boolValue == true { ready += 1 }
                continue
            }
            let terminated = container[path: ["state", "terminated"]]
            let waiting = container[path: ["state", "waiting"]]
            if let terminated, terminated.int("exitCode") == 0 { continue }
            if let terminated {
                if terminated.string("reason").isEmpty {
                    reason = terminated.int("signal") != 0 ? "Init:Signal:\(terminated.int("signal"))"
                        : "Init:ExitCode:\(terminated.int("exitCode"))"
                } else {
                    reason = "Init:" + terminated.string("reason")
                }
            } else if let waiting, !waiting.string("reason").isEmpty, waiting.string("reason") != "PodInitializing" {
                reason = "Init:" + waiting.string("reason")
            } else {
                reason = "Init:\(index)/\(initSpecs.count)"
            }
            initializing = true
            break
        }
        let initialized = status.array("conditions").contains { $0.string("type") == "Initialized" && $0.string("status") == "True" }
        if !initializing || initialized {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for container in status.array("containerStatuses").reversed() {
                restarts += container.int("restartCount")
                lastRestart = later(lastRestart, finishedAt(container))
                let waiting = container[path: ["state", "waiting"]]
                let terminated = container[path: ["state", "terminated"]]
                if let waiting, !waiting.string("reason").isEmpty {
                    reason = waiting.string("reason")
                } else if let terminated, !terminated.string("reason").isEmpty {
                    reason = terminated.string("reason")
                } else if let terminated {
                    reason = terminated.int("signal") != 0 ? "Signal:\(terminated.int("signal"))" : "ExitCode:\(terminated.int("exitCode"))"
                } else if container["ready"]?.boolValue == true, container[path: ["state", "running"]] != nil {
                    hasRunning = true
                    ready += 1
                }
            }
            if reason == "Completed" && hasRunning {
                reason = status.array("conditions").contains { $0.string("type") == "Ready" && $0.string("status") == "True" }
                    ? "Running" : "NotReady"
            }
        }
        if pod.isDeleting && status.string("reason") == "NodeLost" {
            reason = "Unknown"
        } else if pod.isDeleting && phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating"
        }
        var restartsText = String(restarts)
        if restarts != 0, let lastRestart {
            restartsText = "\(restarts) (\(HumanDuration.format(lastRestart.duration(to: now))) ago)"
        }

        let podIP = status.array("podIPs").first?.string("ip") ?? ""
        let nodeName = spec.string("nodeName")
        let nominated = status.string("nominatedNodeName")
        var gates = "<none>"
        let readinessGates = spec.array("readinessGates")
        if !readinessGates.isEmpty {
            let met = readinessGates.filter { gate in
                status.array("conditions").first { $0.string("type") == gate.string("conditionType") }?.string("status") == "True"
            }.count
            gates = "\(met)/\(readinessGates.count)"
        }
        return TableRow(cells: [
            .string(pod.name), .string("\(ready)/\(total)"), .string(reason), .string(restartsText),
            .string(HumanDuration.since(pod[path: ["metadata", "creationTimestamp"]], now: now)),
            .string(podIP.isEmpty ? "<none>" : podIP), .string(nodeName.isEmpty ? "<none>" : nodeName),
            .string(nominated.isEmpty ? "<none>" : nominated), .string(gates),
        ], conditions: conditions)
    }

    private static func condition(_ reason: String, _ message: String) -> JSONValue {
        .object(["type": "Completed", "status": "True", "reason": .string(reason), "message": .string(message)])
    }

    private static func finishedAt(_ container: JSONValue) -> Time? {
        guard let text = container[path: ["lastState", "terminated", "finishedAt"]]?.stringValue else { return nil }
        return try? Time(rfc3339: text)
    }

    private static func later(_ a: Time?, _ b: Time?) -> Time? {
        guard let b else { return a }
        guard let a else { return b }
        return a.secondsSinceEpoch >= b.secondsSinceEpoch ? a : b
    }
}
