import BosunKit
import BosunNodes
import Foundation

/// Facts about this machine that a node reports, read once.
struct MachineInfo: Sendable {
    var cores: Int
    var memoryBytes: UInt64
    var ephemeralStorageBytes: UInt64?
    var hostname: String
    var kernelVersion: String
    var osImage: String
    var architecture: String
    var machineID: String
    var bootID: String

    static func current() -> MachineInfo {
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let storage = (try? FileManager.default.attributesOfFileSystem(forPath: "/"))?[.systemSize] as? NSNumber
        #if arch(x86_64)
            let architecture = "amd64"
        #elseif arch(arm64)
            let architecture = "arm64"
        #else
            let architecture = "unknown"
        #endif
        return MachineInfo(
            cores: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: ProcessInfo.processInfo.physicalMemory,
            ephemeralStorageBytes: storage?.uint64Value, hostname: ProcessInfo.processInfo.hostName, kernelVersion: release,
            osImage: osRelease() ?? "Linux", architecture: architecture,
            machineID: firstLine("/etc/machine-id") ?? "", bootID: firstLine("/proc/sys/kernel/random/boot_id") ?? "")
    }

    /// `PRETTY_NAME` from os-release, as the kubelet reports `osImage`.
    private static func osRelease() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func firstLine(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.map(String.init)
    }
}

/// The status the local kubelet reports for its node: this machine's capacity (allocatable the
/// same: nothing is reserved), addresses, nodeInfo, and the kubelet's conditions — the three
/// pressure conditions False and Ready True.
struct LocalNodeStatus {
    var machine: MachineInfo
    var options: LocalProcessRuntimeOptions

    /// `node`'s status as it should be, keeping the existing heartbeat times.
    func desired(for node: Node, now: Time) -> NodeStatus {
        var status = node.status
        var machineCapacity: [String: Quantity] = [
            "cpu": Quantity(Int64(machine.cores)),
            "memory": Quantity(Int64(machine.memoryBytes / 1024) * 1024, format: .binarySI),
            "pods": Quantity(options.maxPods),
        ]
        if let storage = machine.ephemeralStorageBytes {
            machineCapacity["ephemeral-storage"] = Quantity(Int64(storage / 1024) * 1024, format: .binarySI)
        }
        // The machine is what it is: its own figures win over what the Node object says.
        var capacity = status.capacity ?? [:]
        capacity.merge(machineCapacity) { _, machine in machine }
        status.capacity = capacity
        var allocatable = status.allocatable ?? [:]
        allocatable.merge(machineCapacity) { _, machine in machine }
        status.allocatable = allocatable
        status.addresses = [
            NodeAddress(address: LocalProcessRuntime.loopback, type: "InternalIP"),
            NodeAddress(address: machine.hostname, type: "Hostname"),
        ]
        status.nodeInfo = NodeSystemInfo(
            architecture: machine.architecture, bootID: machine.bootID, containerRuntimeVersion: "process://1.0",
            kernelVersion: machine.kernelVersion, kubeletVersion: options.kubeletVersion, machineID: machine.machineID,
            operatingSystem: "linux", osImage: machine.osImage, systemUUID: machine.machineID)
        status.conditions = KubeletNodeHeartbeat.conditions(status.conditions, now: now)
        return status
    }
}
