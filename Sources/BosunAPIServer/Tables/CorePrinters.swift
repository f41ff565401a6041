import BosunKit

/// Core, storage and coordination kinds, as upstream's `printNode`, `printNamespace`,
/// `printService`, `printConfigMap`, `printSecret`, `printEvent`, `printPersistentVolumeClaim`,
/// `printPersistentVolume`, `printStorageClass` and `printLease` print them.
enum CorePrinters {
    private static func age(_ object: JSONValue, _ now: Time) -> JSONValue { WorkloadPrinters.age(object, now) }
    private static func orNone(_ text: String) -> JSONValue { .string(text.isEmpty ? "<none>" : text) }

    static let node = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Status", type: "string", description: "The status of the node"),
            TableColumn(name: "Roles", type: "string", description: "The roles of the node"),
            .age,
            TableColumn(name: "Version", type: "string", description: "Kubelet Version reported by the node."),
            TableColumn(name: "Internal-IP", type: "string", description: "List of addresses reachable to the node.", priority: 1),
            TableColumn(name: "External-IP", type: "string", description: "List of addresses reachable to the node.", priority: 1),
            TableColumn(name: "OS-Image", type: "string", description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1),
            TableColumn(name: "Kernel-Version", type: "string", description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1),
            TableColumn(name: "Container-Runtime", type: "string", description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1),
        ],
        row: { node, now in
            var states: [String] = []
            if let ready = node.array("status", "conditions").first(where: { $0.string("type") == "Ready" }) {
                states.append(ready.string("status") == "True" ? "Ready" : "NotReady")
            } else {
                states.append("Unknown")
            }
            if node[path: ["spec", "unschedulable"]]?.boolValue == true { states.append("SchedulingDisabled") }
            var roles = Set<String>()
            for label in node.members("metadata", "labels") {
                if label.key.hasPrefix("node-role.kubernetes.io/") {
                    let role = String(label.key.dropFirst("node-role.kubernetes.io/".count))
                    if !role.isEmpty { roles.insert(role) }
                } else if label.key == "kubernetes.io/role", let role = label.value.stringValue, !role.isEmpty {
                    roles.insert(role)
                }
            }
            let addresses = node.array("status", "addresses")
            func address(_ type: String) -> JSONValue { orNone(addresses.first { $0.string("type") == type }?.string("address") ?? "") }
            func info(_ field: String) -> JSONValue {
                let value = node.string("status", "nodeInfo", field)
                return .string(value.isEmpty ? "<unknown>" : value)
            }
            return TableRow(cells: [
                .string(node.name), .string(states.joined(separator: ",")),
                orNone(roles.sorted().joined(separator: ",")), age(node, now),
                .string(node.string("status", "nodeInfo", "kubeletVersion")), address("InternalIP"), address("ExternalIP"),
                info("osImage"), info("kernelVersion"), info("containerRuntimeVersion"),
            ])
        })

    static let namespace = TablePrinter(
        columns: [.name, TableColumn(name: "Status", type: "string", description: "The status of the namespace"), .age],
        row: { ns, now in TableRow(cells: [.string(ns.name), .string(ns.string("status", "phase")), age(ns, now)]) })

    static let service = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Type", type: "string", description: "type determines how the Service is exposed."),
            TableColumn(name: "Cluster-IP", type: "string", description: "clusterIP is the IP address of the service and is usually assigned randomly."),
            TableColumn(name: "External-IP", type: "string", description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
            TableColumn(name: "Port(s)", type: "string", description: "The list of ports that are exposed by this service."),
            .age,
            .selector("Route service traffic to pods with label keys and values matching this selector."),
        ],
        row: { svc, now in
            let type = svc.string("spec", "type").isEmpty ? "ClusterIP" : svc.string("spec", "type")
            let externalIPs = svc.array("spec", "externalIPs").compactMap(\.stringValue)
            let external: String
            switch type {
            case "LoadBalancer":
                let ingress = svc.array("status", "loadBalancer", "ingress").map { $0.string("ip").isEmpty ? $0.string("hostname") : $0.string("ip") }
                let all = ingress.filter { !$0.isEmpty } + externalIPs
                external = all.isEmpty ? "<pending>" : all.joined(separator: ",")
            case "ExternalName": external = svc.string("spec", "externalName")
            default: external = externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
            }
            let ports = svc.array("spec", "ports").map { port -> String in
                let proto = port.string("protocol").isEmpty ? "TCP" : port.string("protocol")
                let node = port.int("nodePort")
                return node == 0 ? "\(port.int("port"))/\(proto)" : "\(port.int("port")):\(node)/\(proto)"
            }
            return TableRow(cells: [
                .string(svc.name), .string(type), orNone(svc.string("spec", "clusterIP")), .string(external),
                orNone(ports.joined(separator: ",")), age(svc, now),
                .string(PrinterHelpers.formatLabels(svc[path: ["spec", "selector"]])),
            ])
        })

    static let configMap = TablePrinter(
        columns: [.name, TableColumn(name: "Data", type: "string", description: "Data contains the configuration data."), .age],
        row: { cm, now in
            let count = cm.members("data").count + cm.members("binaryData").count
            return TableRow(cells: [.string(cm.name), .number(.int(Int64(count))), age(cm, now)])
        })

    static let secret = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Type", type: "string", description: "Used to facilitate programmatic handling of secret data."),
            TableColumn(name: "Data", type: "string", description: "Data contains the secret data."),
            .age,
        ],
        row: { s, now in
            TableRow(cells: [.string(s.name), .string(s.string("type")), .number(.int(Int64(s.members("data").count))), age(s, now)])
        })

    static let event = TablePrinter(
        columns: [
            TableColumn(name: "Last Seen", type: "string", description: "The time at which the most recent occurrence of this event was recorded."),
            TableColumn(name: "Type", type: "string", description: "Type of this event (Normal, Warning), new types could be added in the future"),
            TableColumn(name: "Reason", type: "string", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            TableColumn(name: "Object", type: "string", description: "The object that this event is about."),
            TableColumn(name: "Subobject", type: "string", description: "If the reference is to a portion of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", priority: 1),
            TableColumn(name: "Source", type: "string", description: "The component reporting this event. Should be a short machine understandable string.", priority: 1),
            TableColumn(name: "Message", type: "string", description: "A human-readable description of the status of this operation."),
            TableColumn(name: "First Seen", type: "string", description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", priority: 1),
            TableColumn(name: "Count", type: "string", description: "The number of times this event has occurred.", priority: 1),
            TableColumn(name: "Name", type: "string", format: "name", description: TableColumn.name.description, priority: 1),
        ],
        row: { e, now in
            func since(_ field: String) -> String? {
                let text = e.string(field)
                return text.isEmpty ? nil : HumanDuration.since(.string(text), now: now)
            }
            let first = since("firstTimestamp") ?? since("eventTime") ?? "<unknown>"
            var last = since("lastTimestamp") ?? first
            var count = e.int("count")
            if let series = e["series"], !series.isNull {
                last = HumanDuration.since(series["lastObservedTime"], now: now)
                count = series.int("count")
            } else if count == 0 {
                count = 1
            }
            let kind = e.string("involvedObject", "kind").lowercased()
            let involved = e.string("involvedObject", "name")
            var source = e.string("source", "component").isEmpty ? e.string("reportingComponent") : e.string("source", "component")
            let host = e.string("source", "host").isEmpty ? e.string("reportingInstance") : e.string("source", "host")
            if !host.isEmpty { source += ", " + host }
            return TableRow(cells: [
                .string(last), .string(e.string("type")), .string(e.string("reason")),
                .string(involved.isEmpty ? kind : kind + "/" + involved), .string(e.string("involvedObject", "fieldPath")),
                .string(source), .string(e.string("message").trimmingWhitespace), .string(first), .number(.int(count)), .string(e.name),
            ])
        })

    static let persistentVolumeClaim = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Status", type: "string", description: "phase represents the current phase of PersistentVolumeClaim."),
            TableColumn(name: "Volume", type: "string", description: "volumeName is the binding reference to the PersistentVolume backing this claim."),
            TableColumn(name: "Capacity", type: "string", description: "capacity represents the actual resources of the underlying volume."),
            TableColumn(name: "Access Modes", type: "string", description: "accessModes contains the actual access modes the volume backing the PVC has."),
            TableColumn(name: "StorageClass", type: "string", description: "StorageClass of the pvc"),
            TableColumn(name: "VolumeAttributesClass", type: "string", description: "VolumeAttributesClass of the pvc"),
            .age,
            TableColumn(name: "VolumeMode", type: "string", description: "volumeMode defines what type of volume is required by the claim.", priority: 1),
        ],
        row: { pvc, now in
            let phase = pvc.isDeleting ? "Terminating" : pvc.string("status", "phase")
            let volume = pvc.string("spec", "volumeName")
            let bound = !volume.isEmpty
            let storageClass = pvc[path: ["spec", "storageClassName"]]?.stringValue
                ?? pvc.string("metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
            let attributesClass = pvc.string("spec", "volumeAttributesClassName")
            return TableRow(cells: [
                .string(pvc.name), .string(phase), .string(volume),
                .string(bound ? pvc.string("status", "capacity", "storage") : ""),
                .string(bound ? PrinterHelpers.accessModes(pvc.array("status", "accessModes")) : ""),
                .string(storageClass), .string(attributesClass.isEmpty ? "<unset>" : attributesClass), age(pvc, now),
                .string(pvc[path: ["spec", "volumeMode"]]?.stringValue ?? "<unset>"),
            ])
        })

    static let persistentVolume = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Capacity", type: "string", description: "capacity is the description of the persistent volume's resources and capacity."),
            TableColumn(name: "Access Modes", type: "string", description: "accessModes contains all ways the volume can be mounted."),
            TableColumn(name: "Reclaim Policy", type: "string", description: "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
            TableColumn(name: "Status", type: "string", description: "phase indicates if a volume is available, bound to a claim, or released by a claim."),
            TableColumn(name: "Claim", type: "string", description: "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
            TableColumn(name: "StorageClass", type: "string", description: "StorageClass of the pv"),
            TableColumn(name: "VolumeAttributesClass", type: "string", description: "VolumeAttributesClass of the pv"),
            TableColumn(name: "Reason", type: "string", description: "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
            .age,
            TableColumn(name: "VolumeMode", type: "string", description: "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", priority: 1),
        ],
        row: { pv, now in
            let claim = pv["spec"]?["claimRef"].map { $0.string("namespace") + "/" + $0.string("name") } ?? ""
            let storageClass = pv[path: ["spec", "storageClassName"]]?.stringValue
                ?? pv.string("metadata", "annotations", "volume.beta.kubernetes.io/storage-class")
            let attributesClass = pv.string("spec", "volumeAttributesClassName")
            return TableRow(cells: [
                .string(pv.name), .string(pv.string("spec", "capacity", "storage")),
                .string(PrinterHelpers.accessModes(pv.array("spec", "accessModes"))),
                .string(pv.string("spec", "persistentVolumeReclaimPolicy")),
                .string(pv.isDeleting ? "Terminating" : pv.string("status", "phase")), .string(claim), .string(storageClass),
                .string(attributesClass.isEmpty ? "<unset>" : attributesClass), .string(pv.string("status", "reason")), age(pv, now),
                .string(pv[path: ["spec", "volumeMode"]]?.stringValue ?? "<unset>"),
            ])
        })

    static let storageClass = TablePrinter(
        columns: [
            .name,
            TableColumn(name: "Provisioner", type: "string", description: "provisioner indicates the type of the provisioner."),
            TableColumn(name: "ReclaimPolicy", type: "string", description: "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
            TableColumn(name: "VolumeBindingMode", type: "string", description: "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
            TableColumn(name: "AllowVolumeExpansion", type: "string", description: "allowVolumeExpansion shows whether the storage class allow volume expand."),
            .age,
        ],
        row: { sc, now in
            let annotations = sc["metadata"]?["annotations"]
            let isDefault = annotations?["storageclass.kubernetes.io/is-default-class"]?.stringValue == "true"
                || annotations?["storageclass.beta.kubernetes.io/is-default-class"]?.stringValue == "true"
            let reclaim = sc.string("reclaimPolicy")
            let binding = sc.string("volumeBindingMode")
            return TableRow(cells: [
                .string(isDefault ? sc.name + " (default)" : sc.name), .string(sc.string("provisioner")),
                .string(reclaim.isEmpty ? "Delete" : reclaim), .string(binding.isEmpty ? "Immediate" : binding),
                .bool(sc["allowVolumeExpansion"]?.boolValue ?? false), age(sc, now),
            ])
        })

    static let lease = TablePrinter(
        columns: [.name, TableColumn(name: "Holder", type: "string", description: "HolderIdentity contains the identity of the holder of a current lease."), .age],
        row: { lease, now in TableRow(cells: [.string(lease.name), .string(lease.string("spec", "holderIdentity")), age(lease, now)]) })

    /// Kinds without a printer of their own (and CustomResourceDefinitions): kube-apiserver's
    /// default table convertor, NAME and CREATED AT.
    static let fallback = TablePrinter(
        columns: [.name, TableColumn(name: "Created At", type: "date", description: TableColumn.age.description)],
        row: { object, _ in TableRow(cells: [.string(object.name), .string(object.string("metadata", "creationTimestamp"))]) })
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
