import BosunKit

/// Decode and encode throughput of a PodList JSON document, typed and unstructured.
///
/// The list holds realistic pods — the shape kube-apiserver returns for a Deployment's pods, with
/// status, conditions and owner references — so the figures reflect what a `kubectl get pods`
/// or an informer's relist costs.
public struct CodecBenchmark: Sendable {
    public var pods: Int
    public var iterations: Int

    public init(pods: Int = 10_000, iterations: Int = 5) {
        self.pods = pods
        self.iterations = iterations
    }

    public func run() throws -> BenchmarkReport {
        let list = PodList(items: (0..<pods).map(Self.samplePod))
        let bytes = list.jsonBytes()
        let megabytes = Double(bytes.count) / 1_000_000

        var report = BenchmarkReport(name: "codec")
        report.record("pods", pods)
        report.record("documentBytes", bytes.count)

        var best = [String: Double]()
        func keep(_ key: String, _ seconds: Double) { best[key] = min(best[key] ?? .infinity, seconds) }

        for _ in 0..<iterations {
            let (tree, parseSeconds) = try Stopwatch.measure { try JSONParser.parse(bytes) }
            keep("unstructuredDecode", parseSeconds)
            let (typed, typedSeconds) = try Stopwatch.measure { try PodList(json: JSONParser.parse(bytes)) }
            keep("typedDecode", typedSeconds)
            let (typedOut, typedEncodeSeconds) = Stopwatch.measure { typed.jsonBytes() }
            keep("typedEncode", typedEncodeSeconds)
            let (treeOut, treeEncodeSeconds) = Stopwatch.measure { JSONWriter.encode(tree) }
            keep("unstructuredEncode", treeEncodeSeconds)
            guard typedOut.count == bytes.count, treeOut.count == bytes.count else {
                throw BenchmarkError("round trip changed the document size")
            }
        }
        for key in ["typedDecode", "typedEncode", "unstructuredDecode", "unstructuredEncode"] {
            report.record(key + "MBps", megabytes / best[key]!)
        }
        return report
    }

    static func samplePod(_ i: Int) -> Pod {
        let name = "web-7d4b9c8f5d-\(String(i, radix: 36))"
        let started = Time(secondsSinceEpoch: 1_700_000_000 + Int64(i % 1000))
        return Pod(
            metadata: ObjectMeta(
                creationTimestamp: started,
                generateName: "web-7d4b9c8f5d-",
                labels: ["app": "web", "pod-template-hash": "7d4b9c8f5d"],
                name: name,
                namespace: "default",
                ownerReferences: [OwnerReference(
                    apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d4b9c8f5d",
                    uid: "5f0c8a2e-1b7d-4c3e-9a6f-0d2b4e6f8a1c", blockOwnerDeletion: true, controller: true)],
                resourceVersion: String(100_000 + i),
                uid: "a1b2c3d4-0000-4000-8000-\(zeroPadded12(i))"),
            spec: PodSpec(
                containers: [Container(
                    name: "nginx", image: "nginx:1.14.2", imagePullPolicy: "IfNotPresent",
                    ports: [ContainerPort(containerPort: 80, protocol: "TCP")],
                    resources: ResourceRequirements(
                        limits: ["cpu": Quantity("500m"), "memory": Quantity("128Mi")],
                        requests: ["cpu": Quantity("250m"), "memory": Quantity("64Mi")]),
                    terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File")],
                dnsPolicy: "ClusterFirst", nodeName: "sim-\(i % 1000)", restartPolicy: "Always",
                schedulerName: "default-scheduler", terminationGracePeriodSeconds: 30,
                tolerations: [
                    Toleration(effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300),
                    Toleration(effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300),
                ]),
            status: PodStatus(
                conditions: [
                    PodCondition(status: "True", type: "Initialized", lastTransitionTime: started),
                    PodCondition(status: "True", type: "Ready", lastTransitionTime: started),
                    PodCondition(status: "True", type: "ContainersReady", lastTransitionTime: started),
                    PodCondition(status: "True", type: "PodScheduled", lastTransitionTime: started),
                ],
                containerStatuses: [ContainerStatus(
                    image: "nginx:1.14.2", imageID: "", name: "nginx", ready: true, restartCount: 0,
                    started: true, state: ContainerState(running: ContainerStateRunning(startedAt: started)))],
                hostIP: "10.0.\(i % 250).1", phase: "Running", podIP: "10.244.\(i % 250).\(i % 200 + 2)",
                qosClass: "Burstable", startTime: started))
    }
}

/// `i` zero-padded to 12 digits, for UUID-shaped test ids.
func zeroPadded12(_ i: Int) -> String {
    let digits = String(i)
    return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
}
