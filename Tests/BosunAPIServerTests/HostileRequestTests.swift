import BosunKit
import BosunRuntime
import BosunStore
import Foundation
import NIOHTTP1
import Testing

/// Malformed and hostile requests, one table: each gets its status code and a Status that says
/// what is wrong, the server keeps serving, and the store is unchanged.
@Suite("Hostile requests")
struct HostileRequestTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var method: HTTPMethod
        var path: String
        var body: [UInt8]?
        var contentType: String? = "application/json"
        var code: Int
        /// A part of the Status message that says what was wrong.
        var says: String

        init(_ description: String, _ method: HTTPMethod, _ path: String, _ body: String? = nil,
             contentType: String? = "application/json", code: Int, says: String) {
            self.init(description, method, path, bytes: body.map { Array($0.utf8) }, contentType: contentType, code: code, says: says)
        }

        init(_ description: String, _ method: HTTPMethod, _ path: String, bytes: [UInt8]?,
             contentType: String? = "application/json", code: Int, says: String) {
            self.description = description
            self.method = method
            self.path = path
            self.body = bytes
            self.contentType = contentType
            self.code = code
            self.says = says
        }
    }

    static let cm = "/api/v1/namespaces/default/configmaps"
    static let deploy = "/apis/apps/v1/namespaces/default/deployments"
    static let pods = "/api/v1/namespaces/default/pods"
    static let cronjobs = "/apis/batch/v1/namespaces/default/cronjobs"

    static func deployment(replicas: String = "1", name: String = "web", selector: String = #"{"matchLabels":{"app":"web"}}"#) -> String {
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)"},"spec":{"replicas":\#(replicas),"selector":\#(selector),"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}"#
    }

    static func configMap(name: String = "x", data: String = #"{"k":"v"}"#) -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":\#(data)}"#
    }

    static func pod(cpu: String) -> String {
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"\#(cpu)"}}}]}}"#
    }

    static func cronJob(schedule: String) -> String {
        #"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"schedule":"\#(schedule)","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}}"#
    }

    static let cases: [Case] = [
        // Bodies that are not the object.
        Case("truncated JSON", .POST, cm, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"na"#, code: 400, says: ""),
        Case("an empty body", .POST, cm, "", code: 400, says: ""),
        Case("a JSON array", .POST, cm, "[1,2,3]", code: 400, says: ""),
        Case("a JSON string", .POST, cm, #""configmap""#, code: 400, says: ""),
        Case("JSON then garbage", .POST, cm, configMap() + "}}}", code: 400, says: ""),
        Case("invalid UTF-8 in a string", .POST, cm, bytes: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":""#.utf8) + [0xff, 0xfe] + Array(#""}}"#.utf8), code: 400, says: ""),
        Case("100,000-deep nesting", .POST, cm, String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), code: 400, says: ""),
        Case("a 10 MB body", .POST, cm, configMap(data: #"{"k":""# + String(repeating: "x", count: 10 * 1024 * 1024) + #""}"#), code: 413, says: "too large"),
        Case("YAML that does not parse", .POST, cm, "apiVersion: v1\nkind: [ConfigMap\n", contentType: "application/yaml", code: 400, says: ""),
        Case("an unsupported content type", .POST, cm, configMap(), contentType: "text/csv", code: 415, says: ""),
        Case("protobuf for a custom resource", .POST, "/apis/example.com/v1/namespaces/default/widgets", configMap(), contentType: "application/vnd.kubernetes.protobuf", code: 404, says: ""),
        // Wrong types and values.
        Case("data as a string", .POST, cm, configMap(data: #""text""#), code: 400, says: "data"),
        Case("a name that is a number", .POST, cm, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":5}}"#, code: 400, says: "name"),
        Case("labels as a list", .POST, cm, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":["a"]}}"#, code: 400, says: "labels"),
        Case("a kind that is not the resource's", .POST, cm, #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#, code: 400, says: "Secret"),
        Case("an apiVersion that is not the resource's", .POST, cm, #"{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}"#, code: 400, says: "apps/v1"),
        Case("replicas beyond any number", .POST, deploy, deployment(replicas: "1e400"), code: 400, says: ""),
        Case("replicas beyond int32", .POST, deploy, deployment(replicas: "3000000000"), code: 400, says: ""),
        Case("replicas as a fraction", .POST, deploy, deployment(replicas: "1.5"), code: 400, says: ""),
        Case("replicas as a string", .POST, deploy, deployment(replicas: #""three""#), code: 400, says: ""),
        Case("negative replicas", .POST, deploy, deployment(replicas: "-1"), code: 422, says: "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        Case("a selector that does not match the template", .POST, deploy, deployment(selector: #"{"matchLabels":{"app":"other"}}"#), code: 422, says: "spec.template.metadata.labels"),
        Case("an empty selector", .POST, deploy, deployment(selector: "{}"), code: 422, says: "spec.selector"),
        Case("a selector with a bad operator", .POST, deploy, deployment(selector: #"{"matchExpressions":[{"key":"app","operator":"Near","values":["web"]}]}"#), code: 422, says: "operator"),
        // Names.
        Case("an upper-case name", .POST, cm, configMap(name: "Bad_Name"), code: 422, says: "metadata.name: Invalid value: \"Bad_Name\""),
        Case("a name with a slash", .POST, cm, configMap(name: "a/b"), code: 422, says: "metadata.name"),
        Case("a name of 300 characters", .POST, cm, configMap(name: String(repeating: "a", count: 300)), code: 422, says: "metadata.name"),
        Case("a name of dots", .POST, cm, configMap(name: ".."), code: 422, says: "metadata.name"),
        Case("no name and no generateName", .POST, cm, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#, code: 422, says: "metadata.name: Required value"),
        Case("a path-traversal name in the URL", .GET, cm + "/..%2F..%2Fetc%2Fpasswd", code: 404, says: ""),
        Case("a path-traversal namespace in the URL", .GET, "/api/v1/namespaces/..%2F..%2Fsecret/configmaps", code: 404, says: ""),
        Case("a name in the URL that is not the body's", .PUT, cm + "/other", configMap(name: "x"), code: 400, says: "name"),
        Case("an invalid label key", .POST, cm, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"-bad-":"v"}}}"#, code: 422, says: "metadata.labels"),
        Case("a label value of 64 characters", .POST, cm, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"k":"\#(String(repeating: "v", count: 64))"}}}"#, code: 422, says: "metadata.labels"),
        // Resources that do not exist.
        Case("an unknown resource", .GET, "/api/v1/namespaces/default/widgets", code: 404, says: ""),
        Case("an unknown group", .GET, "/apis/nowhere.example.com/v1/things", code: 404, says: ""),
        Case("an unknown version", .GET, "/apis/apps/v9/deployments", code: 404, says: ""),
        Case("an unknown subresource", .GET, cm + "/x/frobnicate", code: 404, says: ""),
        Case("a namespace that does not exist", .POST, "/api/v1/namespaces/nowhere/configmaps", configMap(), code: 404, says: "nowhere"),
        Case("a cluster-scoped kind under a namespace", .GET, "/api/v1/namespaces/default/nodes", code: 404, says: ""),
        Case("an object that does not exist", .GET, cm + "/missing", code: 404, says: "missing"),
        Case("a method the resource does not allow", .PUT, cm, configMap(), code: 405, says: ""),
        // Patches.
        Case("a JSON patch that is not a list", .PATCH, cm + "/present", #"{"op":"add"}"#, contentType: "application/json-patch+json", code: 400, says: ""),
        Case("a JSON patch with an unknown op", .PATCH, cm + "/present", #"[{"op":"frob","path":"/data/k"}]"#, contentType: "application/json-patch+json", code: 422, says: ""),
        Case("a JSON patch removing a missing path", .PATCH, cm + "/present", #"[{"op":"remove","path":"/data/nope"}]"#, contentType: "application/json-patch+json", code: 422, says: ""),
        Case("a JSON patch test that fails", .PATCH, cm + "/present", #"[{"op":"test","path":"/data/k","value":"other"}]"#, contentType: "application/json-patch+json", code: 422, says: ""),
        Case("a merge patch that is not an object", .PATCH, cm + "/present", "[1]", contentType: "application/merge-patch+json", code: 400, says: ""),
        Case("a strategic patch with a bad directive", .PATCH, cm + "/present", #"{"$patch":"explode"}"#, contentType: "application/strategic-merge-patch+json", code: 500, says: "unknown patch type: explode"),
        Case("a patch with no content type", .PATCH, cm + "/present", #"{"data":{"k":"w"}}"#, contentType: nil, code: 415, says: ""),
        Case("a patch turning data into a number", .PATCH, cm + "/present", #"{"data":7}"#, contentType: "application/merge-patch+json", code: 400, says: ""),
        Case("an apply patch without fieldManager", .PATCH, cm + "/present", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: present}\n", contentType: "application/apply-patch+yaml", code: 422, says: "fieldManager"),
        // Selectors, quantities, schedules, query parameters.
        Case("a label selector that does not parse", .GET, cm + "?labelSelector=app%20in%20(web", code: 400, says: ""),
        Case("a label selector with a bad operator", .GET, cm + "?labelSelector=app%3E%3E%3Eweb", code: 400, says: ""),
        Case("a field selector on an unknown field", .GET, pods + "?fieldSelector=spec.color%3Dblue", code: 400, says: "spec.color"),
        Case("a field selector of one empty term", .GET, pods + "?fieldSelector=%3D%3D", code: 200, says: ""),
        Case("a negative limit", .GET, cm + "?limit=-5", code: 200, says: ""),
        Case("a continue token that is not one", .GET, cm + "?limit=1&continue=garbage", code: 400, says: "continue"),
        Case("a bad timeoutSeconds", .GET, cm + "?watch=1&timeoutSeconds=soon", code: 400, says: ""),
        Case("a quantity that does not parse", .POST, pods, pod(cpu: "lots"), code: 400, says: ""),
        Case("a negative quantity", .POST, pods, pod(cpu: "-1"), code: 422, says: "cpu"),
        Case("a cron schedule that does not parse", .POST, cronjobs, cronJob(schedule: "every day"), code: 422, says: "spec.schedule"),
        Case("a cron schedule out of range", .POST, cronjobs, cronJob(schedule: "61 * * * *"), code: 422, says: "spec.schedule"),
        Case("a dryRun value that is not All", .POST, cm + "?dryRun=Some", configMap(), code: 422, says: "dryRun"),
        Case("an unknown fieldValidation", .POST, cm + "?fieldValidation=Maybe", configMap(), code: 422, says: "fieldValidation"),
        Case("an unknown field under Strict validation", .POST, cm + "?fieldValidation=Strict", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"color":"blue"}"#, code: 400, says: #"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "color""#),
        Case("a misspelt field deep in a pod template under Strict validation", .POST, deploy + "?fieldValidation=Strict", deployment().replacingOccurrences(of: #""image":"nginx""#, with: #""image":"nginx","imagePullPolcy":"Always""#), code: 400, says: #"unknown field "spec.template.spec.containers[0].imagePullPolcy""#),
        Case("a delete body that is not DeleteOptions", .DELETE, cm + "/present", #"{"propagationPolicy":"Sideways"}"#, code: 422, says: "propagationPolicy"),
    ]

    @Test("every hostile request gets its code and a Status; the server keeps serving; the store is unchanged")
    func table() async throws {
        #expect(Self.cases.count >= 50)
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        #expect(try await client.request(.POST, Self.cm, body: Array(Self.configMap(name: "present").utf8)).status == 201)
        let before = try server.store.list(GroupResource(group: "", resource: "configmaps")).resourceVersion

        for c in Self.cases {
            // A fresh connection each: some refusals close theirs (an oversized body).
            let attacker = try await server.client()
            let response = try await attacker.request(c.method, c.path, body: c.body, contentType: c.contentType)
            await attacker.close()
            #expect(response.status == c.code, "\(c): got \(response.status) \(response.text.prefix(300))")
            if c.code >= 400 {
                #expect(response.json["kind"] == "Status" && response.json["code"]?.int64Value == Int64(c.code), "\(c): not a Status: \(response.text.prefix(300))")
                let message = response.json["message"]?.stringValue ?? ""
                #expect(c.says.isEmpty || message.contains(c.says), "\(c): message \(message.prefix(300))")
            }
            #expect(try await client.request(.GET, "/api").status == 200, "\(c): the server stopped serving")
        }
        let after = try server.store.list(GroupResource(group: "", resource: "configmaps")).resourceVersion
        #expect(before == after, "a refused request changed the store")
        #expect(try server.store.list(Deployment.resource.resourceKey).items.isEmpty)
        #expect(try server.store.list(Pod.resource.resourceKey).items.isEmpty)
        #expect(try server.store.list(GroupResource(group: "batch", resource: "cronjobs")).items.isEmpty)
        await client.close()
        await server.stop()
    }
}

@Suite("Field validation")
struct FieldValidationTests {
    @Test("members a built-in kind does not define are dropped: Warn says so in Warning headers, Strict refuses as upstream's decoder does, Ignore says nothing")
    func unknownFields() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let cm = HostileRequestTests.cm
        let body = Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","colour":"red"},"data":{"k":"v"},"color":"blue"}"#.utf8)
        for (validation, warned) in [("", true), ("?fieldValidation=Warn", true), ("?fieldValidation=Ignore", false)] {
            let created = try await client.request(.POST, cm + validation, body: body)
            #expect(created.status == 201, "\(validation): \(created.text)")
            #expect(created.json["color"] == nil && created.json["metadata"]?["colour"] == nil && created.json["data"]?["k"] == "v")
            #expect(created.headers["Warning"] == (warned ? [#"299 - "unknown field \"metadata.colour\"""#, #"299 - "unknown field \"color\"""#] : []),
                    "\(validation)")
            let stored = try await client.request(.GET, cm + "/x")
            #expect(stored.json["color"] == nil, "the unknown member was stored")
            #expect(stored.headers["Warning"].isEmpty)
            let replaced = try await client.request(.PUT, cm + "/x" + validation, body: body)
            #expect(replaced.status == 200 && replaced.headers["Warning"].count == (warned ? 2 : 0), "\(validation): \(replaced.text)")
            #expect(try await client.request(.DELETE, cm + "/x").status == 200)
        }
        let refused = try await client.request(.POST, cm + "?fieldValidation=Strict", body: body)
        #expect(refused.status == 400)
        #expect(refused.json["message"]?.stringValue
            == #"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.colour", unknown field "color""#)
        #expect(try await client.request(.GET, cm + "/x").status == 404, "a refused create stored something")

        #expect(try await client.request(.POST, cm + "?fieldValidation=Strict",
                                         body: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y"},"data":{"k":"v"}}"#.utf8)).status == 201)
        // A patch is decoded after it is applied: upstream refuses it as an invalid `patch`.
        let patched = try await client.request(.PATCH, cm + "/y?fieldValidation=Strict", body: Array(#"{"dta":{"k":"w"}}"#.utf8),
                                               contentType: "application/merge-patch+json")
        #expect(patched.status == 422)
        let message = patched.json["message"]?.stringValue ?? ""
        #expect(message.hasPrefix(#" "" is invalid: patch: Invalid value: "{"#) && message.hasSuffix(#"}": strict decoding error: unknown field "dta""#),
                "\(message)")
        #expect(patched.json["details"]?["causes"]?.arrayValue?.first?["field"] == "patch")
        let loose = try await client.request(.PATCH, cm + "/y", body: Array(#"{"dta":{"k":"w"}}"#.utf8), contentType: "application/merge-patch+json")
        #expect(loose.status == 200 && loose.json["dta"] == nil)
        #expect(loose.headers["Warning"] == [#"299 - "unknown field \"dta\"""#])
        await client.close()
        await server.stop()
    }

    @Test("custom resources: the members their schema prunes are warned of, or refused under Strict")
    func unknownFieldsOfCustomResources() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        #expect(try await client.request(.POST, crds, json: Fixtures.widgetCRD).status == 201)
        let widgets = "/apis/example.com/v1/namespaces/default/widgets"
        let body = Array(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":3,"colour":"red"},"status":{"free":"form"}}"#.utf8)
        let refused = try await client.request(.POST, widgets + "?fieldValidation=Strict", body: body)
        #expect(refused.status == 400)
        #expect(refused.json["message"]?.stringValue
            == #"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour""#)
        let created = try await client.request(.POST, widgets, body: body)
        #expect(created.status == 201 && created.json["spec"]?["colour"] == nil && created.json["spec"]?["size"] == 3)
        #expect(created.headers["Warning"] == [#"299 - "unknown field \"spec.colour\"""#], "status preserves unknown fields: no warning for it")
        await client.close()
        await server.stop()
    }
}

/// A mutating hook on ConfigMaps that labels them: admission then takes its JSON path.
private struct LabelingHook: MutatingAdmissionHook {
    let name = "labeling.test"
    func appliesTo(_ request: AdmissionRequest) -> Bool { request.resource.resource == "configmaps" }
    func mutate(_ object: inout UnstructuredObject, request: AdmissionRequest) async throws(AdmissionDenied) {
        var metadata = object.object["metadata"]?.objectValue ?? [:]
        metadata["labels"] = ["labelled": "yes"]
        object.object["metadata"] = .object(metadata)
        object.object["addedByHook"] = "unknown to ConfigMap"
    }
}

extension FieldValidationTests {
    @Test("with a mutating hook on the kind: Strict still refuses, and what the hook adds that the kind does not define is dropped")
    func unknownFieldsWithHooks() async throws {
        let server = try await TestAPIServer.start()
        try server.store.register(mutating: LabelingHook())
        let client = try await server.client()
        let cm = HostileRequestTests.cm
        let refused = try await client.request(.POST, cm + "?fieldValidation=Strict",
                                               body: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"color":"blue"}"#.utf8))
        #expect(refused.status == 400 && refused.json["message"]?.stringValue == #"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "color""#)
        let created = try await client.request(.POST, cm, body: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"color":"blue"}"#.utf8))
        #expect(created.status == 201)
        #expect(created.json["metadata"]?["labels"]?["labelled"] == "yes")
        #expect(created.json["color"] == nil && created.json["addedByHook"] == nil)
        await client.close()
        await server.stop()
    }
}
