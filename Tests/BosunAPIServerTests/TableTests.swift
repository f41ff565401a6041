@testable import BosunAPIServer
import BosunKit
import BosunRuntime
import NIOHTTP1
import Testing

@Suite("API server: Tables")
struct TableTests {
    static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
    static let pods = "/api/v1/namespaces/default/pods"
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static func columnNames(_ table: JSONValue) -> [String] {
        (table["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    static func cells(_ table: JSONValue, row: Int = 0) -> [JSONValue] {
        table["rows"]?.arrayValue?[row]["cells"]?.arrayValue ?? []
    }

    static func pod(_ name: String, node: String? = nil) -> JSONValue {
        var spec: JSONObject = ["containers": [["name": "c", "image": "busybox"]]]
        if let node { spec["nodeName"] = .string(node) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    @Test("kubectl's Accept gets a meta.k8s.io/v1 Table of pods with upstream's columns, ages on the server's clock")
    func podList() async throws {
        let server = try await TestAPIServer.start(storeOnManualClock: true)
        let client = try await server.client()
        _ = try await client.request(.POST, Self.pods, json: Self.pod("web", node: "n1"))
        server.clock.advance(by: .seconds(150))
        let response = try await client.request(.GET, Self.pods, accept: Self.tableAccept)
        #expect(response.status == 200)
        #expect(response.headers.first(name: "content-type") == "application/json;as=Table;v=v1;g=meta.k8s.io")
        let table = response.json
        #expect(table["kind"]?.stringValue == "Table" && table["apiVersion"]?.stringValue == "meta.k8s.io/v1")
        #expect(Self.columnNames(table) == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        let priorities = (table["columnDefinitions"]?.arrayValue ?? []).map { $0["priority"]?.int64Value ?? -1 }
        #expect(priorities == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(Self.cells(table) == ["web", "0/1", "Pending", "0", "2m30s", "<none>", "n1", "<none>", "<none>"])
        #expect(table[path: ["metadata", "resourceVersion"]]?.stringValue != nil)
        // The default row object is the metadata only.
        let object = table["rows"]?.arrayValue?.first?["object"]
        #expect(object?["kind"]?.stringValue == "PartialObjectMetadata" && object?[path: ["metadata", "name"]]?.stringValue == "web")
        #expect(object?["spec"] == nil)
        await client.close()
        await server.stop()
    }

    @Test("includeObject: Object embeds the object, None leaves it out, anything else is 400")
    func includeObject() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.deployments, json: Fixtures.deployment("web", replicas: 3))
        let full = try await client.request(.GET, Self.deployments + "?includeObject=Object", accept: Self.tableAccept).json
        #expect(full["rows"]?.arrayValue?.first?[path: ["object", "kind"]]?.stringValue == "Deployment")
        #expect(full["rows"]?.arrayValue?.first?[path: ["object", "spec", "replicas"]] == 3)
        let bare = try await client.request(.GET, Self.deployments + "?includeObject=None", accept: Self.tableAccept).json
        #expect(bare["rows"]?.arrayValue?.first?["object"] == nil)
        #expect(try await client.request(.GET, Self.deployments + "?includeObject=All", accept: Self.tableAccept).status == 400)
        await client.close()
        await server.stop()
    }

    @Test("deployments print READY UP-TO-DATE AVAILABLE, and CONTAINERS IMAGES SELECTOR for -o wide; one object's GET is a Table too")
    func deployment() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, Self.deployments, json: Fixtures.deployment("web", replicas: 3))
        _ = try await client.request(.PATCH, Self.deployments + "/web/status",
                                     json: ["status": ["replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2]],
                                     contentType: "application/merge-patch+json")
        let table = try await client.request(.GET, Self.deployments + "/web",
                                             accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io").json
        #expect(table["apiVersion"]?.stringValue == "meta.k8s.io/v1beta1")
        #expect(Self.columnNames(table) == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        let cells = Self.cells(table)
        #expect(Array(cells.prefix(4)) == ["web", "2/3", 3, 2])
        #expect(Array(cells.suffix(3)) == ["web", "nginx:1.25", "app=web"])
        await client.close()
        await server.stop()
    }

    @Test("a Table-only Accept is served for reads and refused (406) for writes; plain JSON stays the default")
    func negotiation() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let tableOnly = "application/json;as=Table;v=v1;g=meta.k8s.io"
        #expect(try await client.request(.GET, "/api/v1/namespaces", accept: tableOnly).json["kind"]?.stringValue == "Table")
        #expect(try await client.request(.GET, "/api/v1/namespaces").json["kind"]?.stringValue == "NamespaceList")
        let post = try await client.request(.POST, "/api/v1/namespaces/default/configmaps", body: JSONWriter.encode(Fixtures.configMap("a")),
                                            accept: tableOnly)
        #expect(post.status == 406)
        await client.close()
        await server.stop()
    }

    @Test("custom resources print their additionalPrinterColumns (JSONPath, dates as ages), AGE when none; lists page in Table form")
    func customResources() async throws {
        let server = try await TestAPIServer.start(storeOnManualClock: true)
        let client = try await server.client()
        var crd = Fixtures.widgetCRD
        var spec = try #require(crd["spec"])
        spec["versions"] = [[
            "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
            "schema": Fixtures.widgetCRD[path: ["spec", "versions"]]!.arrayValue![0]["schema"]!,
            "additionalPrinterColumns": [
                ["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
                ["name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"],
                ["name": "Missing", "type": "string", "jsonPath": ".status.nothing", "priority": 1],
                ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
            ],
        ]]
        crd["spec"] = spec
        #expect(try await client.request(.POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json: crd).status == 201)
        let widgets = "/apis/example.com/v1/namespaces/default/widgets"
        for name in ["a", "b"] {
            let widget: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": ["size": 4]]
            #expect(try await client.request(.POST, widgets, json: widget).status == 201)
        }
        _ = try await client.request(.PATCH, widgets + "/a/status",
                                     json: ["status": ["conditions": [["type": "Synced", "status": "False"], ["type": "Ready", "status": "True"]]]],
                                     contentType: "application/merge-patch+json")
        server.clock.advance(by: .seconds(3 * 3600 + 600))
        let page = try await client.request(.GET, widgets + "?limit=1", accept: Self.tableAccept).json
        #expect(Self.columnNames(page) == ["Name", "Size", "Ready", "Missing", "Age"])
        #expect(Self.cells(page) == ["a", 4, "True", nil, "3h10m"])
        let next = try #require(page[path: ["metadata", "continue"]]?.stringValue)
        let rest = try await client.request(.GET, widgets + "?limit=1&continue=\(next)", accept: Self.tableAccept).json
        #expect(Self.cells(rest).first == "b" && Self.cells(rest)[2] == nil)

        let crds = try await client.request(.GET, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", accept: Self.tableAccept).json
        #expect(Self.columnNames(crds) == ["Name", "Created At"])
        await client.close()
        await server.stop()
    }

    @Test("a watch asked for as a Table streams one-row Tables")
    func watch() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        _ = try await client.request(.POST, "/api/v1/namespaces/default/configmaps", json: Fixtures.configMap("a", data: ["x": "1", "y": "2"]))
        let watcher = try await server.client()
        let head = try await watcher.open(.GET, "/api/v1/namespaces/default/configmaps?watch=1",
                                          accept: Self.tableAccept)
        #expect(head.status == 200 && head.headers.first(name: "content-type") == "application/json;as=Table;v=v1;g=meta.k8s.io")
        var events = WatchReader(watcher)
        let added = try #require(try await events.next())
        #expect(added["type"]?.stringValue == "ADDED" && added[path: ["object", "kind"]]?.stringValue == "Table")
        #expect(Self.columnNames(added["object"]!) == ["Name", "Data", "Age"])
        #expect(Array(Self.cells(added["object"]!).prefix(2)) == ["a", 2])
        _ = try await client.request(.DELETE, "/api/v1/namespaces/default/configmaps/a")
        let deleted = try #require(try await events.next())
        #expect(deleted["type"]?.stringValue == "DELETED" && Self.cells(deleted["object"]!).first == "a")
        await client.close()
        await watcher.close()
        await server.stop()
    }
}

@Suite("Tables: printers")
struct PrinterTests {
    static let now = Time(secondsSinceEpoch: 1_767_225_600)
    static func stamp(_ secondsAgo: Int64) -> JSONValue { .string(Time(secondsSinceEpoch: 1_767_225_600 - secondsAgo).rfc3339) }

    @Test("ages read as kubectl's: two units while they say something, one after")
    func ages() {
        let cases: [(Int64, String)] = [(0, "0s"), (119, "119s"), (150, "2m30s"), (600, "10m"), (3 * 3600, "3h"),
                                        (5 * 3600 + 120, "5h2m"), (30 * 3600, "30h"), (3 * 86400 + 3600, "3d1h"),
                                        (40 * 86400, "40d"), (3 * 365 * 86400 + 86400, "3y1d"), (10 * 365 * 86400, "10y")]
        for (seconds, text) in cases { #expect(HumanDuration.format(.seconds(seconds)) == text) }
        #expect(HumanDuration.format(.seconds(-5)) == "<invalid>")
        #expect(HumanDuration.since(nil, now: Self.now) == "<unknown>")
    }

    func podStatus(_ status: JSONValue, spec: JSONValue = ["containers": [["name": "c"]]], deleting: Bool = false) -> [JSONValue] {
        var meta: JSONObject = ["name": "p", "creationTimestamp": Self.stamp(60)]
        if deleting { meta["deletionTimestamp"] = Self.stamp(1) }
        return PodPrinter.row(["metadata": .object(meta), "spec": spec, "status": status], now: Self.now).cells
    }

    @Test("pod STATUS and READY: running, waiting reasons, init progress, terminating, restarts with their age")
    func podStatuses() {
        let running = podStatus(["phase": "Running", "podIPs": [["ip": "10.0.0.7"]], "containerStatuses": [
            ["name": "c", "ready": true, "restartCount": 2, "state": ["running": [:]],
             "lastState": ["terminated": ["exitCode": 1, "finishedAt": Self.stamp(300)]]],
        ]])
        #expect(Array(running.prefix(6)) == ["p", "1/1", "Running", "2 (5m ago)", "60s", "10.0.0.7"])
        let crashing = podStatus(["phase": "Running", "containerStatuses": [
            ["name": "c", "ready": false, "restartCount": 0, "state": ["waiting": ["reason": "CrashLoopBackOff"]]],
        ]])
        #expect(crashing[1] == "0/1" && crashing[2] == "CrashLoopBackOff")
        let initializing = podStatus(
            ["phase": "Pending", "initContainerStatuses": [["name": "i", "state": ["running": [:]]]]],
            spec: ["initContainers": [["name": "i"]], "containers": [["name": "c"]]])
        #expect(initializing[2] == "Init:0/1")
        let exited = podStatus(["phase": "Failed", "containerStatuses": [
            ["name": "c", "state": ["terminated": ["exitCode": 3]]],
        ]])
        #expect(exited[2] == "ExitCode:3")
        #expect(podStatus(["phase": "Running"], deleting: true)[2] == "Terminating")
        let done = PodPrinter.row(["metadata": ["name": "p"], "status": ["phase": "Succeeded"]], now: Self.now)
        #expect(done.conditions.first?["type"] == "Completed")
    }

    @Test("jobs, nodes, services and events print as upstream")
    func otherKinds() {
        let job: JSONValue = ["metadata": ["name": "j", "creationTimestamp": Self.stamp(100)],
                              "spec": ["completions": 3, "template": ["spec": ["containers": [["name": "c", "image": "i"]]]]],
                              "status": ["succeeded": 3, "startTime": Self.stamp(90), "completionTime": Self.stamp(30),
                                         "conditions": [["type": "Complete", "status": "True"]]]]
        #expect(Array(WorkloadPrinters.job.row(job, Self.now).cells.prefix(4)) == ["j", "Complete", "3/3", "60s"])
        let node: JSONValue = ["metadata": ["name": "n", "labels": ["node-role.kubernetes.io/control-plane": ""]],
                               "spec": ["unschedulable": true],
                               "status": ["conditions": [["type": "Ready", "status": "True"]], "nodeInfo": ["kubeletVersion": "v1.32.0"]]]
        let nodeCells = CorePrinters.node.row(node, Self.now).cells
        #expect(nodeCells[1] == "Ready,SchedulingDisabled" && nodeCells[2] == "control-plane" && nodeCells[4] == "v1.32.0")
        let service: JSONValue = ["metadata": ["name": "s"], "spec": ["type": "NodePort", "clusterIP": "10.96.0.5",
                                  "ports": [["port": 80, "nodePort": 30080, "protocol": "TCP"]], "selector": ["app": "web"]]]
        let serviceCells = CorePrinters.service.row(service, Self.now).cells
        #expect(Array(serviceCells.prefix(5)) == ["s", "NodePort", "10.96.0.5", "<none>", "80:30080/TCP"] && serviceCells[6] == "app=web")
        let event: JSONValue = ["metadata": ["name": "e"], "type": "Normal", "reason": "ScalingReplicaSet",
                                "involvedObject": ["kind": "Deployment", "name": "web"], "message": "Scaled up ",
                                "source": ["component": "deployment-controller"],
                                "firstTimestamp": Self.stamp(120), "lastTimestamp": Self.stamp(10), "count": 2]
        let eventCells = CorePrinters.event.row(event, Self.now).cells
        #expect(eventCells == ["10s", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller", "Scaled up",
                               "2m", 2, "e"])
    }

    @Test("printer-column JSONPaths: fields, indexes, wildcards, filters; anything else is refused")
    func jsonPath() throws {
        let object: JSONValue = ["spec": ["items": [["n": 1], ["n": 2]]], "status": ["conditions": [["type": "A", "status": "x"], ["type": "B", "status": "y"]]]]
        #expect(try #require(SimpleJSONPath(".spec.items[1].n")).results(in: object) == [2])
        #expect(try #require(SimpleJSONPath(".spec.items[*].n")).results(in: object) == [1, 2])
        #expect(try #require(SimpleJSONPath(".status.conditions[?(@.type=='B')].status")).results(in: object) == ["y"])
        #expect(SimpleJSONPath("spec") == nil && SimpleJSONPath(".spec[") == nil)
    }
}
