import BosunKit
import BosunStore
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: StoreClock {
    private let seconds = Mutex<Int64>(1_700_000_000)
    func now() -> Time { Time(secondsSinceEpoch: seconds.withLock { $0 }) }
    func advance(_ by: Int64) { seconds.withLock { $0 += by } }
}

let pods = GroupResource(group: "", resource: "pods")
let configMaps = GroupResource(group: "", resource: "configmaps")
let deployments = GroupResource(group: "apps", resource: "deployments")
let jobs = GroupResource(group: "batch", resource: "jobs")
let namespaces = GroupResource(group: "", resource: "namespaces")

func makeStore(clock: ManualClock = ManualClock(), history: Int = 100_000, watchBuffer: Int = 10_000,
               backend: MemoryBackend = MemoryBackend()) async throws -> ObjectStore {
    try await ObjectStore.open(backend: backend, clock: clock, historyCapacity: history, watchBufferSize: watchBuffer)
}

func object(_ json: String) throws -> UnstructuredObject {
    try UnstructuredObject(json: JSONParser.parse(json))
}

func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:], labels: [String: String] = [:]) -> UnstructuredObject {
    UnstructuredObject(ConfigMap(
        metadata: ObjectMeta(labels: labels.isEmpty ? nil : labels, name: name, namespace: namespace),
        data: data.isEmpty ? nil : data))
}

func deployment(_ name: String, replicas: Int32 = 1, image: String = "nginx:1.14.2") -> UnstructuredObject {
    let labels = ["app": name]
    return UnstructuredObject(Deployment(
        metadata: ObjectMeta(name: name, namespace: "default"),
        spec: DeploymentSpec(
            selector: LabelSelector(matchLabels: labels),
            template: PodTemplateSpec(
                metadata: ObjectMeta(labels: labels),
                spec: PodSpec(containers: [Container(name: "main", image: image)])),
            replicas: replicas)))
}

func pod(_ name: String, nodeName: String? = nil, labels: [String: String] = [:]) -> UnstructuredObject {
    UnstructuredObject(Pod(
        metadata: ObjectMeta(labels: labels.isEmpty ? nil : labels, name: name, namespace: "default"),
        spec: PodSpec(containers: [Container(name: "main", image: "busybox")], nodeName: nodeName)))
}

extension StoredObject {
    var meta: JSONObject { unstructured().object["metadata"]?.objectValue ?? JSONObject() }
}

/// Collects `n` events from a watch.
func take(_ n: Int, from stream: WatchStream) async throws -> [StoreEvent] {
    var events: [StoreEvent] = []
    for try await event in stream {
        events.append(event)
        if events.count == n { break }
    }
    return events
}
