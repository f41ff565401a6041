import Testing

@testable import BosunKit

private func smpJSON(_ text: String) -> JSONValue {
    do { return try JSONParser.parse(text) } catch { fatalError("bad test JSON: \(text): \(error)") }
}

private func smp(_ patch: String, _ document: String, type: String = "Pod") throws(PatchError) -> JSONValue {
    try StrategicMergePatch.apply(smpJSON(patch), to: smpJSON(document), type: type)
}

private func smpFailure(_ patch: String, _ document: String, type: String = "Pod") -> PatchError? {
    do {
        _ = try smp(patch, document, type: type)
        return nil
    } catch {
        return error
    }
}

private let smpPod = #"""
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web","tier":"fe"},"finalizers":["a","b"]},
 "spec":{"containers":[
   {"name":"web","image":"nginx:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
    "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"protocol":"TCP"}]},
   {"name":"sidecar","image":"envoy:1"}],
  "volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"a"}}],
  "tolerations":[{"key":"k","operator":"Exists"}]}}
"""#

private let smpDeployment = #"""
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},
 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},
  "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
  "template":{"metadata":{"labels":{"app":"nginx"}},
   "spec":{"containers":[{"name":"nginx","image":"nginx:1.14.2","ports":[{"containerPort":80}]}]}}}}
"""#

private func smpNames(_ list: JSONValue?, _ key: String = "name") -> [String] {
    (list?.arrayValue ?? []).map { $0[key]?.stringValue ?? $0[key]?.description ?? "?" }
}

@Suite("Strategic merge patch: apply")
struct StrategicMergePatchApplyTests {
    @Test func mergesContainersByName() throws {
        let out = try smp(#"{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}"#, smpPod)
        let containers = out[path: ["spec", "containers"]]
        #expect(smpNames(containers) == ["web", "sidecar"])
        #expect(containers?.arrayValue?[0]["image"] == "nginx:2")
        #expect(containers?.arrayValue?[0]["env"] == smpJSON(#"[{"name":"A","value":"1"},{"name":"B","value":"2"}]"#))
        #expect(containers?.arrayValue?[1] == smpJSON(#"{"name":"sidecar","image":"envoy:1"}"#))
    }

    @Test func mergesEnvByNameInsideAContainer() throws {
        let out = try smp(#"{"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}"#, smpPod)
        #expect(out[path: ["spec", "containers"]]?.arrayValue?[0]["env"]
            == smpJSON(#"[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]"#))
    }

    @Test func mergesPortsByContainerPortInPatchOrder() throws {
        // Without $setElementOrder, upstream's mergeSortedSlice puts a new item that leads the
        // patch list ahead of the live items.
        let out = try smp(#"{"spec":{"containers":[{"name":"web","ports":[{"containerPort":8080,"name":"alt"},{"containerPort":80,"name":"http"}]}]}}"#, smpPod)
        let ports = out[path: ["spec", "containers"]]?.arrayValue?[0]["ports"]
        #expect(ports == smpJSON(#"[{"containerPort":8080,"name":"alt"},{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":443,"protocol":"TCP"}]"#))
    }

    @Test func finalizersAreUnioned() throws {
        let out = try smp(#"{"metadata":{"finalizers":["b","c"]}}"#, smpPod)
        #expect(out[path: ["metadata", "finalizers"]] == ["a", "b", "c"])
        // A new scalar alone in the patch lands first, as upstream orders it.
        let alone = try smp(#"{"metadata":{"finalizers":["c"]}}"#, smpPod)
        #expect(alone[path: ["metadata", "finalizers"]] == ["c", "a", "b"])
    }

    @Test func deleteFromPrimitiveList() throws {
        let out = try smp(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"#, smpPod)
        #expect(out[path: ["metadata", "finalizers"]] == ["b"])
    }

    @Test func deletesAContainerWithPatchDelete() throws {
        let out = try smp(#"{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}"#, smpPod)
        #expect(smpNames(out[path: ["spec", "containers"]]) == ["web"])
    }

    @Test func deletesAPortByMergeKey() throws {
        let out = try smp(#"{"spec":{"containers":[{"name":"web","ports":[{"$patch":"delete","containerPort":80}]}]}}"#, smpPod)
        #expect(out[path: ["spec", "containers"]]?.arrayValue?[0]["ports"] == smpJSON(#"[{"containerPort":443,"protocol":"TCP"}]"#))
    }

    @Test func replacesAMap() throws {
        let out = try smp(#"{"metadata":{"labels":{"$patch":"replace","x":"y"}}}"#, smpPod)
        #expect(out[path: ["metadata", "labels"]] == smpJSON(#"{"x":"y"}"#))
    }

    @Test func replacesAList() throws {
        let out = try smp(#"{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"busybox"}]}}"#, smpPod)
        #expect(out[path: ["spec", "containers"]] == smpJSON(#"[{"name":"only","image":"busybox"}]"#))
    }

    @Test func deletingAMapLeavesItEmpty() throws {
        let out = try smp(#"{"metadata":{"labels":{"$patch":"delete"}}}"#, smpPod)
        #expect(out[path: ["metadata", "labels"]] == smpJSON("{}"))
    }

    @Test func nullDeletesKeys() throws {
        let out = try smp(#"{"metadata":{"labels":{"tier":null}},"spec":{"containers":[{"name":"web","env":null}]}}"#, smpPod)
        #expect(out[path: ["metadata", "labels"]] == smpJSON(#"{"app":"web"}"#))
        #expect(out[path: ["spec", "containers"]]?.arrayValue?[0]["env"] == nil)
    }

    @Test func listsWithoutMergeStrategyAreReplaced() throws {
        let out = try smp(#"{"spec":{"tolerations":[{"key":"other","operator":"Exists"}]}}"#, smpPod)
        #expect(out[path: ["spec", "tolerations"]] == smpJSON(#"[{"key":"other","operator":"Exists"}]"#))
    }

    @Test func unknownFieldsMergeAsPlainJSON() throws {
        let doc = #"{"spec":{"containers":[],"extra":{"x":1,"list":[1,2]}}}"#
        let out = try smp(#"{"spec":{"extra":{"y":2,"list":[3]},"new":{"a":null,"b":1}}}"#, doc)
        #expect(out[path: ["spec", "extra"]] == smpJSON(#"{"x":1,"list":[3],"y":2}"#))
        #expect(out[path: ["spec", "new"]] == smpJSON(#"{"b":1}"#))
    }

    @Test func newValuesLoseDirectiveMaps() throws {
        // removeDirectives: a new field whose value carries $patch is dropped.
        let out = try smp(#"{"metadata":{"annotations":{"$patch":"replace","a":"b"}}}"#, smpPod)
        #expect(out[path: ["metadata", "annotations"]] == nil)
    }

    @Test func retainKeysSwitchesDeploymentStrategyToRecreate() throws {
        let patch = #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#
        let out = try smp(patch, smpDeployment, type: "Deployment")
        #expect(out[path: ["spec", "strategy"]] == smpJSON(#"{"type":"Recreate"}"#))
        // Without the directive the stale rollingUpdate block survives, as upstream.
        let naive = try smp(#"{"spec":{"strategy":{"type":"Recreate"}}}"#, smpDeployment, type: "Deployment")
        #expect(naive[path: ["spec", "strategy", "rollingUpdate"]] != nil)
    }

    @Test func retainKeysOnAVolumeSwitchesItsSource() throws {
        let patch = #"{"spec":{"$setElementOrder/volumes":[{"name":"data"},{"name":"cfg"}],"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"b"},"emptyDir":null,"name":"data"}]}}"#
        let out = try smp(patch, smpPod)
        #expect(out[path: ["spec", "volumes"]] == smpJSON(#"[{"name":"data","configMap":{"name":"b"}},{"name":"cfg","configMap":{"name":"a"}}]"#))
    }

    @Test func setElementOrderOrdersTheMergedList() throws {
        let doc = #"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}"#
        let out = try smp(#"{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}],"containers":[{"name":"a","image":"x"}]}}"#, doc)
        #expect(out[path: ["spec", "containers"]] == smpJSON(#"[{"name":"c"},{"name":"a","image":"x"},{"name":"b"}]"#))
        // Only the directive: a pure reorder.
        let reordered = try smp(#"{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"},{"name":"c"}]}}"#, doc)
        #expect(smpNames(reordered[path: ["spec", "containers"]]) == ["b", "a", "c"])
    }

    @Test func setElementOrderWithAnItemMissingFromTheList() throws {
        // Upstream: "$setElementOrder contains item that is not present in the list to be merged".
        let doc = #"{"spec":{"containers":[{"name":"web","env":[{"name":"1"},{"name":"3"}]}]}}"#
        let out = try smp(#"{"spec":{"containers":[{"name":"web","$setElementOrder/env":[{"name":"3"},{"name":"2"},{"name":"1"}],"env":[{"name":"3","value":"3"},{"name":"1","value":"1"}]}]}}"#, doc)
        #expect(out[path: ["spec", "containers"]]?.arrayValue?[0]["env"] == smpJSON(#"[{"name":"3","value":"3"},{"name":"1","value":"1"}]"#))
        let ints = try smp(#"{"metadata":{"$setElementOrder/finalizers":["3","2","1"]}}"#, #"{"metadata":{"finalizers":["1","3"]}}"#)
        #expect(ints[path: ["metadata", "finalizers"]] == ["3", "1"])
    }

    @Test func preservesPatchOrderWithoutSetElementOrder() throws {
        // Upstream: "preserve the order from the patch in a merging list 2".
        let doc = #"{"spec":{"containers":[{"name":"web","env":[{"name":"1"},{"name":"2","value":"b"},{"name":"3"}]}]}}"#
        let out = try smp(#"{"spec":{"containers":[{"name":"web","env":[{"name":"3","value":"c"},{"name":"1","value":"a"}]}]}}"#, doc)
        #expect(out[path: ["spec", "containers"]]?.arrayValue?[0]["env"]
            == smpJSON(#"[{"name":"2","value":"b"},{"name":"3","value":"c"},{"name":"1","value":"a"}]"#))
    }

    @Test func mergesStatusConditionsByType() throws {
        let doc = #"{"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False"}]}}"#
        let out = try smp(#"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#, doc)
        #expect(out[path: ["status", "conditions"]] == smpJSON(#"[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"True"}]"#))
        #expect(out[path: ["status", "phase"]] == "Running")
    }

    @Test func mergesOwnerReferencesByUID() throws {
        let doc = #"{"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}}"#
        let out = try smp(#"{"metadata":{"ownerReferences":[{"uid":"2","name":"b"},{"uid":"1","controller":true}]}}"#, doc, type: "ReplicaSet")
        #expect(out[path: ["metadata", "ownerReferences"]] == smpJSON(#"[{"uid":"2","name":"b"},{"uid":"1","name":"a","controller":true}]"#))
    }

    @Test func kubectlApplyPatchAsObserved() throws {
        let patch = #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.16.1","name":"nginx"}]}}}}"#
        let out = try smp(patch, smpDeployment, type: "Deployment")
        #expect(out[path: ["spec", "template", "spec", "containers"]] == smpJSON(#"[{"name":"nginx","image":"nginx:1.16.1","ports":[{"containerPort":80}]}]"#))
        #expect(out.objectValue?.keys == ["apiVersion", "kind", "metadata", "spec"])
    }

    @Test func nullPatchChangesNothing() throws {
        #expect(try smp("null", smpPod) == smpJSON(smpPod))
    }

    // MARK: Errors

    @Test func customResourcesGet415() {
        let error = smpFailure("{}", "{}", type: "Widget")
        #expect(error?.code == 415)
        #expect(error?.reason == "UnsupportedMediaType")
        #expect(error?.message == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        #expect(error == PatchError.unsupportedForCustomResources())
    }

    @Test func nonObjectPatchIs400() {
        let error = smpFailure("[]", smpPod)
        #expect(error?.code == 400)
        #expect(error?.message == "json: cannot unmarshal array into Go value of type map[string]interface {}")
    }

    @Test func patchMergeDirectiveIsRefused() {
        let onMap = smpFailure(#"{"metadata":{"labels":{"$patch":"merge","a":"b"}}}"#, smpPod)
        #expect(onMap?.code == 500)
        #expect(onMap?.reason == "")
        #expect(onMap?.message == "unknown patch type: merge in map: map[$patch:merge a:b]")
        #expect(smpFailure(#"{"spec":{"containers":[{"$patch":"merge","name":"web"}]}}"#, smpPod)?.message
            == "merging lists cannot yet be specified in the patch")
    }

    @Test func missingMergeKey() {
        let error = smpFailure(#"{"spec":{"containers":[{"image":"x"}]}}"#, smpPod)
        #expect(error?.code == 500)
        #expect(error?.message == "map: map[image:x] does not contain declared merge key: name")
    }

    @Test func malformedDirectivesAre400() {
        #expect(smpFailure(#"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1}}}}"#, smpDeployment, type: "Deployment")
            == PatchError.badRequest("invalid patch format of retainKeys"))
        #expect(smpFailure(#"{"spec":{"strategy":{"$retainKeys":"type"}}}"#, smpDeployment, type: "Deployment")?.code == 400)
        #expect(smpFailure(#"{"metadata":{"$deleteFromPrimitiveListX/finalizers":["a"]}}"#, smpPod)?.message
            == "invalid patch format of primitive list")
        #expect(smpFailure(#"{"spec":{"$setElementOrderX/containers":[]}}"#, smpPod)?.message
            == "invalid patch format of setElementOrder list")
    }

    @Test func setElementOrderMustMatchThePatchOrder() {
        let doc = #"{"spec":{"containers":[{"name":"web","env":[{"name":"1"},{"name":"3"}]}]}}"#
        let error = smpFailure(#"{"spec":{"containers":[{"name":"web","$setElementOrder/env":[{"name":"1"},{"name":"3"}],"env":[{"name":"3","value":"x"},{"name":"1","value":"y"}]}]}}"#, doc)
        #expect(error?.code == 500)
        #expect(error?.message == "the order in patch list:\n[map[name:3 value:x] map[name:1 value:y]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:3]]")
    }

    @Test func elementTypeErrors() {
        let lists = smpFailure(#"{"metadata":{"finalizers":[["a"]]}}"#, #"{"metadata":{"finalizers":[]}}"#)
        #expect(lists?.code == 422)
        #expect(lists?.message == "lists of lists are not supported")
        #expect(lists?.statusMessage == PatchError.genericInvalidMessage)
        let mixed = smpFailure(#"{"metadata":{"finalizers":[1]}}"#, #"{"metadata":{"finalizers":["a"]}}"#)
        #expect(mixed?.code == 500)
        #expect(mixed?.message == "list element types are not identical: [[a] [1]]")
    }
}

@Suite("Strategic merge patch: diff")
struct StrategicMergePatchDiffTests {
    private func roundTrip(_ original: String, _ modified: String, type: String = "Pod") throws -> JSONValue {
        let a = smpJSON(original)
        let b = smpJSON(modified)
        let patch = StrategicMergePatch.diff(from: a, to: b, type: type)
        let out = try StrategicMergePatch.apply(patch, to: a, type: type)
        #expect(out == b, "patch \(patch)")
        #expect(smpNames(out[path: ["spec", "containers"]]) == smpNames(b[path: ["spec", "containers"]]))
        return patch
    }

    @Test func imageChangeIsWhatKubectlSends() throws {
        let modified = smpDeployment.smpReplacing("nginx:1.14.2", "nginx:1.16.1")
        let patch = try roundTrip(smpDeployment, modified, type: "Deployment")
        #expect(patch.description == #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.16.1","name":"nginx"}]}}}}"#)
    }

    @Test func removedEnvVarBecomesADeleteDirective() throws {
        let modified = smpPod.smpReplacing(#",{"name":"B","value":"2"}"#, "")
        let patch = try roundTrip(smpPod, modified)
        #expect(patch.description == #"{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"name":"web"}]}}"#)
    }

    @Test func removedFinalizerUsesTheParallelDeletionList() throws {
        let modified = smpPod.smpReplacing(#""finalizers":["a","b"]"#, #""finalizers":["b"]"#)
        let patch = try roundTrip(smpPod, modified)
        #expect(patch == smpJSON(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b"]}}"#))
    }

    @Test func strategySwitchCarriesRetainKeys() throws {
        let modified = smpDeployment.smpReplacing(#"{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}"#, #"{"type":"Recreate"}"#)
        let patch = try roundTrip(smpDeployment, modified, type: "Deployment")
        #expect(patch.description == #"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}"#)
    }

    @Test func volumeSourceSwitchCarriesRetainKeys() throws {
        let modified = smpPod.smpReplacing(#"{"name":"data","emptyDir":{}}"#, #"{"name":"data","hostPath":{"path":"/x"}}"#)
        let patch = try roundTrip(smpPod, modified)
        #expect(patch[path: ["spec", "volumes"]] == smpJSON(#"[{"$retainKeys":["hostPath","name"],"emptyDir":null,"hostPath":{"path":"/x"},"name":"data"}]"#))
    }

    @Test func unchangedObjectsGiveAnEmptyPatch() {
        #expect(StrategicMergePatch.diff(from: smpJSON(smpPod), to: smpJSON(smpPod), type: "Pod") == smpJSON("{}"))
    }

    @Test func reordersAddsAndRemovalsRoundTrip() throws {
        let reordered = #"{"spec":{"containers":[{"name":"sidecar","image":"envoy:1"},{"name":"web","image":"nginx:1"}]}}"#
        let base = #"{"spec":{"containers":[{"name":"web","image":"nginx:1"},{"name":"sidecar","image":"envoy:1"}]}}"#
        let patch = try roundTrip(base, reordered)
        #expect(patch == smpJSON(#"{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"web"}]}}"#))
        _ = try roundTrip(base, #"{"spec":{"containers":[{"name":"web","image":"nginx:1"},{"name":"mid","image":"x"},{"name":"sidecar","image":"envoy:1"}]}}"#)
        _ = try roundTrip(base, #"{"spec":{"containers":[{"name":"sidecar","image":"envoy:2"}]}}"#)
        _ = try roundTrip(smpPod, #"{"metadata":{"name":"p","finalizers":["z","b","a"]},"spec":{"containers":[]}}"#)
        _ = try roundTrip(smpPod, smpPod.smpReplacing(#""tier":"fe""#, #""tier":"be","x":"y""#))
    }

    @Test func unknownTypeDiffsAsPlainJSON() {
        let patch = StrategicMergePatch.diff(from: smpJSON(#"{"spec":{"items":[1,2],"a":1}}"#), to: smpJSON(#"{"spec":{"items":[2]}}"#), type: "Widget")
        #expect(patch == smpJSON(#"{"spec":{"a":null,"items":[2]}}"#))
    }

    @Test func unexpressibleDiffFallsBackToReplace() throws {
        // Containers without their merge key cannot be diffed; the fallback still applies cleanly.
        let a = smpJSON(#"{"spec":{"containers":[{"image":"a"}]}}"#)
        let b = smpJSON(#"{"spec":{"containers":[{"image":"b"}]},"x":1}"#)
        let patch = StrategicMergePatch.diff(from: a, to: b, type: "Pod")
        #expect(patch["$patch"] == "replace")
        #expect(try StrategicMergePatch.apply(patch, to: a, type: "Pod") == b)
    }
}

@Suite("Strategic merge patch: scale")
struct StrategicMergePatchScaleTests {
    private static let count = 5_000

    private static func envList(_ names: [Int], value: String) -> JSONValue {
        .array(names.map { ["name": .string("V\($0)"), "value": .string(value)] })
    }

    @Test func longMergeListsStayLinear() throws {
        let n = Self.count
        let original: JSONValue = ["spec": ["containers": [["name": "web", "env": Self.envList(Array(0..<n), value: "old")]]]]
        // Every existing variable changed in reverse order, plus n new ones.
        let patch: JSONValue = ["spec": ["containers": [["name": "web", "env": Self.envList(Array((0..<(2 * n)).reversed()), value: "new")]]]]
        let clock = ContinuousClock()
        var out: JSONValue = .null
        let applyTime = try clock.measure { out = try StrategicMergePatch.apply(patch, to: original, type: "Pod") }
        let env = out[path: ["spec", "containers"]]?.arrayValue?.first?["env"]?.arrayValue ?? []
        #expect(env.count == 2 * n)
        #expect(env.allSatisfy { $0["value"] == "new" })
        var diff: JSONValue = .null
        let diffTime = clock.measure { diff = StrategicMergePatch.diff(from: original, to: out, type: "Pod") }
        #expect(try StrategicMergePatch.apply(diff, to: original, type: "Pod") == out)
        // Quadratic work on 10k items would take seconds; linear work takes milliseconds.
        #expect(applyTime < .seconds(2))
        #expect(diffTime < .seconds(2))
    }
}

private extension String {
    func smpReplacing(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

/// Cases ported from apimachinery's `strategicpatch/patch_test.go`, over its `MergeItem` test type.
@Suite("Strategic merge patch: upstream cases")
struct StrategicMergePatchUpstreamTests {
    static let table: [String: [String: FieldPatchInfo]] = [
        "MergeItem": [
            "mergingList": FieldPatchInfo(strategy: "merge", mergeKey: "name", elementType: "MergeItem"),
            "nonMergingList": FieldPatchInfo(elementType: "MergeItem"),
            "mergingIntList": FieldPatchInfo(strategy: "merge"),
            "nonMergingIntList": FieldPatchInfo(),
            "mergeItemPtr": FieldPatchInfo(strategy: "merge", mergeKey: "name", elementType: "MergeItem"),
            "replacingItem": FieldPatchInfo(strategy: "replace"),
            "retainKeysMap": FieldPatchInfo(strategy: "retainKeys", elementType: "RetainKeysMergeItem"),
            "retainKeysMergingList": FieldPatchInfo(strategy: "merge,retainKeys", mergeKey: "name", elementType: "MergeItem"),
        ],
        "RetainKeysMergeItem": [
            "mergingIntList": FieldPatchInfo(strategy: "merge"),
            "mergingList": FieldPatchInfo(strategy: "merge", mergeKey: "name", elementType: "MergeItem"),
            "nonMergingList": FieldPatchInfo(elementType: "MergeItem"),
        ],
    ]
    static let schema = StrategicMergePatch.Schema(.type("MergeItem"), table: table)

    struct Case: Sendable, CustomTestStringConvertible {
        var description: String
        var original: String
        var twoWay: String
        var modified: String
        var twoWayResult: String? = nil
        var current: String? = nil
        var threeWay: String? = nil
        var result: String? = nil
        var testDescription: String { description }
    }

    /// `createStrategicMergePatchTestCaseData` and `strategicMergePatchRawTestCases`: the two-way
    /// patch must be what `diff` computes and must yield `modified`; the three-way patch must turn
    /// `current` into `result`.
    static let cases: [Case] = [
        Case(description: "nil original", original: "{}", twoWay: #"{"name":1,"value":1}"#, modified: #"{"name":1,"value":1}"#,
             current: #"{"name":1,"other":"a"}"#, threeWay: #"{"value":1}"#, result: #"{"name":1,"value":1,"other":"a"}"#),
        Case(description: "add field and delete field from map", original: #"{"name":1}"#, twoWay: #"{"name":null,"value":1}"#,
             modified: #"{"value":1}"#, current: #"{"name":1,"other":"a"}"#, threeWay: #"{"name":null,"value":1}"#,
             result: #"{"value":1,"other":"a"}"#),
        Case(description: "delete field from nested map", original: #"{"simpleMap":{"key1":1,"key2":1}}"#,
             twoWay: #"{"simpleMap":{"key2":null}}"#, modified: #"{"simpleMap":{"key1":1}}"#,
             current: #"{"simpleMap":{"key1":1,"key2":1,"other":"a"}}"#, threeWay: #"{"simpleMap":{"key2":null}}"#,
             result: #"{"simpleMap":{"key1":1,"other":"a"}}"#),
        Case(description: "replace list of scalars", original: #"{"nonMergingIntList":[1,2]}"#,
             twoWay: #"{"nonMergingIntList":[2,3]}"#, modified: #"{"nonMergingIntList":[2,3]}"#,
             current: #"{"nonMergingIntList":[1,4]}"#, threeWay: #"{"nonMergingIntList":[2,3]}"#,
             result: #"{"nonMergingIntList":[2,3]}"#),
        Case(description: "delete all maps from merging list", original: #"{"mergingList":[{"name":1},{"name":2}]}"#,
             twoWay: #"{"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"$patch":"delete"}]}"#,
             modified: #"{"mergingList":[]}"#, current: #"{"mergingList":[{"name":1,"other":"a"},{"name":2,"other":"b"}]}"#,
             threeWay: #"{"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"$patch":"delete"}]}"#,
             result: #"{"mergingList":[]}"#),
        Case(description: "merge empty merging lists", original: #"{"mergingList":[]}"#, twoWay: "{}",
             modified: #"{"mergingList":[]}"#),
        Case(description: "defined null values should propagate overwrite current fields", original: #"{"name":2}"#,
             twoWay: #"{"name":1,"value":1,"other":null}"#, modified: #"{"name":1,"value":1,"other":null}"#,
             twoWayResult: #"{"name":1,"value":1}"#, current: #"{"name":"a","other":"a"}"#,
             threeWay: #"{"name":1,"value":1,"other":null}"#, result: #"{"name":1,"value":1}"#),
        Case(description: "nil patch with retainKeys map", original: #"{"name":"a","retainKeysMap":{"name":"foo"}}"#,
             twoWay: "{}", modified: #"{"name":"a","retainKeysMap":{"name":"foo"}}"#),
        Case(description: "retainKeys map with no change should not be present",
             original: #"{"name":"a","retainKeysMap":{"name":"foo"}}"#, twoWay: #"{"value":"b"}"#,
             modified: #"{"name":"a","value":"b","retainKeysMap":{"name":"foo"}}"#),
        Case(description: "delete items in lists of scalars", original: #"{"mergingIntList":[1,2,3]}"#,
             twoWay: #"{"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
             modified: #"{"mergingIntList":[1,2]}"#, current: #"{"mergingIntList":[1,2,3,4]}"#,
             threeWay: #"{"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
             result: #"{"mergingIntList":[1,2,4]}"#),
        Case(description: "delete all duplicate items in lists of scalars", original: #"{"mergingIntList":[1,2,3,3]}"#,
             twoWay: #"{"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
             modified: #"{"mergingIntList":[1,2]}"#, current: #"{"mergingIntList":[1,2,3,3,4]}"#,
             threeWay: #"{"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
             result: #"{"mergingIntList":[1,2,4]}"#),
        Case(description: "add and delete items in lists of scalars", original: #"{"mergingIntList":[1,2,3]}"#,
             twoWay: #"{"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3],"mergingIntList":[4]}"#,
             modified: #"{"mergingIntList":[1,2,4]}"#, current: #"{"mergingIntList":[1,2,3,4]}"#,
             threeWay: #"{"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
             result: #"{"mergingIntList":[1,2,4]}"#),
        Case(description: "merge lists of maps", original: #"{"mergingList":[{"name":1},{"name":2,"value":2}]}"#,
             twoWay: #"{"$setElementOrder/mergingList":[{"name":4},{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":4,"value":4},{"name":3,"value":3}]}"#,
             modified: #"{"mergingList":[{"name":4,"value":4},{"name":1},{"name":2,"value":2},{"name":3,"value":3}]}"#,
             current: #"{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}"#,
             threeWay: #"{"$setElementOrder/mergingList":[{"name":4},{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":4,"value":4},{"name":3,"value":3}]}"#,
             result: #"{"mergingList":[{"name":4,"value":4},{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]}"#),
        Case(description: "merge lists of maps with conflict", original: #"{"mergingList":[{"name":1},{"name":2,"value":2}]}"#,
             twoWay: #"{"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3,"value":3}]}"#,
             modified: #"{"mergingList":[{"name":1},{"name":2,"value":2},{"name":3,"value":3}]}"#,
             current: #"{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":3,"other":"b"}]}"#,
             threeWay: #"{"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":2,"value":2},{"name":3,"value":3}]}"#,
             result: #"{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]}"#),
        Case(description: "add field to map in merging list", original: #"{"mergingList":[{"name":1},{"name":2,"value":2}]}"#,
             twoWay: #"{"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":1}]}"#,
             modified: #"{"mergingList":[{"name":1,"value":1},{"name":2,"value":2}]}"#,
             current: #"{"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}"#,
             threeWay: #"{"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":1}]}"#,
             result: #"{"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}"#),
        Case(description: "retainKeys map switches fields", original: #"{"retainKeysMap":{"name":"foo","value":"a"}}"#,
             twoWay: #"{"retainKeysMap":{"$retainKeys":["name","other"],"other":"b","value":null}}"#,
             modified: #"{"retainKeysMap":{"name":"foo","other":"b"}}"#,
             current: #"{"retainKeysMap":{"name":"foo","value":"a","simpleMap":{"k":"v"}}}"#,
             threeWay: #"{"retainKeysMap":{"$retainKeys":["name","other"],"other":"b","value":null}}"#,
             result: #"{"retainKeysMap":{"name":"foo","other":"b"}}"#),
        Case(description: "retainKeys merging list item switches fields",
             original: #"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]}"#,
             twoWay: #"{"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],"retainKeysMergingList":[{"$retainKeys":["name","other"],"name":"foo","other":"b","value":null}]}"#,
             modified: #"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","other":"b"}]}"#),
        Case(description: "replace strategy sends the whole map", original: #"{"replacingItem":{"a":1,"b":{"c":1}}}"#,
             twoWay: #"{"replacingItem":{"b":{"c":2}}}"#, modified: #"{"replacingItem":{"b":{"c":2}}}"#),
    ]

    @Test(arguments: cases)
    func twoWayAndThreeWay(_ c: Case) throws {
        let original = smpJSON(c.original)
        let modified = smpJSON(c.modified)
        let twoWay = smpJSON(c.twoWay)
        #expect(StrategicMergePatch.diff(from: original, to: modified, schema: Self.schema) == twoWay)
        let applied = try StrategicMergePatch.apply(twoWay, to: original, schema: Self.schema)
        #expect(applied == smpJSON(c.twoWayResult ?? c.modified))
        if let current = c.current, let threeWay = c.threeWay, let result = c.result {
            #expect(try StrategicMergePatch.apply(smpJSON(threeWay), to: smpJSON(current), schema: Self.schema) == smpJSON(result))
        }
    }

    /// `customStrategicMergePatchTestCaseData` and `customStrategicMergePatchRawTestCases`:
    /// patches `diff` never produces, applied to `original`.
    static let custom: [Case] = [
        Case(description: "unique scalars when merging lists", original: #"{"mergingIntList":[1,2]}"#,
             twoWay: #"{"mergingIntList":[2,3]}"#, modified: #"{"mergingIntList":[1,2,3]}"#),
        Case(description: "delete map from nested map", original: #"{"simpleMap":{"key1":1,"key2":1}}"#,
             twoWay: #"{"simpleMap":{"$patch":"delete"}}"#, modified: #"{"simpleMap":{}}"#),
        Case(description: "delete all items from merging list", original: #"{"mergingList":[{"name":1},{"name":2}]}"#,
             twoWay: #"{"mergingList":[{"$patch":"replace"}]}"#, modified: #"{"mergingList":[]}"#),
        Case(description: "merge empty merging lists", original: #"{"mergingList":[]}"#, twoWay: #"{"mergingList":[]}"#,
             modified: #"{"mergingList":[]}"#),
        Case(description: "delete all keys from map", original: #"{"name":1,"value":1}"#, twoWay: #"{"$patch":"replace"}"#,
             modified: "{}"),
        Case(description: "add key and delete all keys from map", original: #"{"name":1,"value":1}"#,
             twoWay: #"{"other":"a","$patch":"replace"}"#, modified: #"{"other":"a"}"#),
        Case(description: "delete all duplicate entries in a merging list",
             original: #"{"mergingList":[{"name":1},{"name":1},{"name":2,"value":"a"},{"name":3},{"name":3}]}"#,
             twoWay: #"{"mergingList":[{"name":1,"$patch":"delete"},{"name":1,"$patch":"delete"},{"name":3,"$patch":"delete"},{"name":3,"$patch":"delete"}]}"#,
             modified: #"{"mergingList":[{"name":2,"value":"a"}]}"#),
        Case(description: "retainKeys map can add a field when no retainKeys directive present",
             original: #"{"retainKeysMap":{"name":"foo"}}"#, twoWay: #"{"retainKeysMap":{"value":"bar"}}"#,
             modified: #"{"retainKeysMap":{"name":"foo","value":"bar"}}"#),
        Case(description: "retainKeys map can delete a field when no retainKeys directive present",
             original: #"{"retainKeysMap":{"name":"foo","value":"a"}}"#, twoWay: #"{"retainKeysMap":{"value":null}}"#,
             modified: #"{"retainKeysMap":{"name":"foo"}}"#),
        Case(description: "retainKeys map merge an empty map", original: #"{"retainKeysMap":{"name":"foo","value":"a"}}"#,
             twoWay: #"{"retainKeysMap":{}}"#, modified: #"{"retainKeysMap":{"name":"foo","value":"a"}}"#),
        Case(description: "retainKeys list can change a field when no retainKeys directive present",
             original: #"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]}"#,
             twoWay: #"{"retainKeysMergingList":[{"name":"foo","value":"b"}]}"#,
             modified: #"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"b"}]}"#),
        Case(description: "preserve the order from the patch in a merging list",
             original: #"{"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]}"#,
             twoWay: #"{"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"other":"x"}]}"#,
             modified: #"{"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"value":"b","other":"x"}]}"#),
        Case(description: "preserve the order from the patch in a merging int list", original: #"{"mergingIntList":[1,2,3]}"#,
             twoWay: #"{"mergingIntList":[3,1,2]}"#, modified: #"{"mergingIntList":[3,1,2]}"#),
        Case(description: "preserve the order from the patch in a merging int list 2", original: #"{"mergingIntList":[1,2,3]}"#,
             twoWay: #"{"mergingIntList":[3,1]}"#, modified: #"{"mergingIntList":[2,3,1]}"#),
        Case(description: "$setElementOrder contains item that is not present in the list to be merged",
             original: #"{"mergingList":[{"name":1},{"name":3}]}"#,
             twoWay: #"{"$setElementOrder/mergingList":[{"name":3},{"name":2},{"name":1}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}"#,
             modified: #"{"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}"#),
    ]

    @Test(arguments: custom)
    func customPatches(_ c: Case) throws {
        #expect(try StrategicMergePatch.apply(smpJSON(c.twoWay), to: smpJSON(c.original), schema: Self.schema) == smpJSON(c.modified))
    }

    @Test func upstreamErrorCases() {
        func failure(_ patch: String, _ original: String) -> PatchError? {
            do {
                _ = try StrategicMergePatch.apply(smpJSON(patch), to: smpJSON(original), schema: Self.schema)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(#"{"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}"#,
                        #"{"mergingList":[{"name":1},{"name":3},{"name":2}]}"#)?.message.contains("doesn't match") == true)
        #expect(failure(#"{"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3,1]}"#,
                        #"{"mergingIntList":[1,3,2]}"#)?.message.contains("doesn't match") == true)
        #expect(failure(#"{"mergingList":[{"value":"b"}]}"#, #"{"mergingList":[{"name":1,"value":"a"}]}"#)?.message
            == "map: map[value:b] does not contain declared merge key: name")
    }
}

@Suite("Go value formatting in patch messages")
struct GoValueFormatTests {
    @Test func floatsPrintLikeGoPercentV() {
        let cases: [(Double, String)] = [
            (1.5, "1.5"), (1e6, "1e+06"), (123456, "123456"), (1234567, "1.234567e+06"), (0.0001, "0.0001"),
            (0.00001, "1e-05"), (-2.5, "-2.5"), (100, "100"), (1e21, "1e+21"), (0.1, "0.1"),
        ]
        for (value, text) in cases {
            #expect(GoValueFormat.float(value) == text, "\(value)")
        }
    }

    @Test func mapsPrintSortedWithNil() {
        #expect(GoValueFormat.v(smpJSON(#"{"b":[1,"x",null],"a":{"d":true,"c":2.5}}"#)) == "map[a:map[c:2.5 d:true] b:[1 x <nil>]]")
    }
}
