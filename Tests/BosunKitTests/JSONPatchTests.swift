import Testing

@testable import BosunKit

private func jpJSON(_ text: String) -> JSONValue {
    do { return try JSONParser.parse(text) } catch { fatalError("bad test JSON: \(text): \(error)") }
}

private func jpPatched(_ patch: String, _ document: String) throws(PatchError) -> JSONValue {
    try JSONPatch.apply(jpJSON(patch), to: jpJSON(document))
}

/// The error `patch` raises on `document`, or `nil` when it applies.
private func jpFailure(_ patch: String, _ document: String) -> PatchError? {
    do {
        _ = try jpPatched(patch, document)
        return nil
    } catch {
        return error
    }
}

@Suite("JSON patch (RFC 6902)")
struct JSONPatchTests {
    // MARK: RFC 6902 Appendix A

    @Test func a1AddObjectMember() throws {
        let out = try jpPatched(#"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"foo":"bar"}"#)
        #expect(out == jpJSON(#"{"baz":"qux","foo":"bar"}"#))
        #expect(out.objectValue?.keys == ["foo", "baz"])
    }

    @Test func a2AddArrayElement() throws {
        let out = try jpPatched(#"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","baz"]}"#)
        #expect(out == jpJSON(#"{"foo":["bar","qux","baz"]}"#))
    }

    @Test func a3RemoveObjectMember() throws {
        #expect(try jpPatched(#"[{"op":"remove","path":"/baz"}]"#, #"{"baz":"qux","foo":"bar"}"#) == jpJSON(#"{"foo":"bar"}"#))
    }

    @Test func a4RemoveArrayElement() throws {
        let out = try jpPatched(#"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","qux","baz"]}"#)
        #expect(out == jpJSON(#"{"foo":["bar","baz"]}"#))
    }

    @Test func a5ReplaceValue() throws {
        let out = try jpPatched(#"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"qux","foo":"bar"}"#)
        #expect(out == jpJSON(#"{"baz":"boo","foo":"bar"}"#))
        #expect(out.objectValue?.keys == ["baz", "foo"])
    }

    @Test func a6MoveValue() throws {
        let out = try jpPatched(#"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
                              #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#)
        #expect(out == jpJSON(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#))
    }

    @Test func a7MoveArrayElement() throws {
        let out = try jpPatched(#"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, #"{"foo":["all","grass","cows","eat"]}"#)
        #expect(out == jpJSON(#"{"foo":["all","cows","eat","grass"]}"#))
    }

    @Test func a8TestSucceeds() throws {
        let doc = #"{"baz":"qux","foo":["a",2,"c"]}"#
        let out = try jpPatched(#"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#, doc)
        #expect(out == jpJSON(doc))
    }

    @Test func a9TestFails() {
        let error = jpFailure(#"[{"op":"test","path":"/baz","value":"bar"}]"#, #"{"baz":"qux"}"#)
        #expect(error?.code == 422)
        #expect(error?.reason == "Invalid")
        #expect(error?.message == "testing value /baz failed: test failed")
        #expect(error?.statusMessage == "the server rejected our request due to an error in our request")
    }

    @Test func a10AddNestedMemberObject() throws {
        let out = try jpPatched(#"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar"}"#)
        #expect(out == jpJSON(#"{"foo":"bar","child":{"grandchild":{}}}"#))
    }

    @Test func a11IgnoresUnrecognizedMembers() throws {
        let out = try jpPatched(#"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar"}"#)
        #expect(out == jpJSON(#"{"foo":"bar","baz":"qux"}"#))
    }

    @Test func a12AddToNonexistentTarget() {
        let error = jpFailure(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, #"{"foo":"bar"}"#)
        #expect(error?.code == 422)
        #expect(error?.message == #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#)
    }

    @Test func a14TildeEscapeOrdering() throws {
        let doc = #"{"/":9,"~1":10}"#
        #expect(try jpPatched(#"[{"op":"test","path":"/~01","value":10}]"#, doc) == jpJSON(doc))
    }

    @Test func a15StringsAndNumbersDiffer() {
        let error = jpFailure(#"[{"op":"test","path":"/~01","value":"10"}]"#, #"{"/":9,"~1":10}"#)
        #expect(error?.message == "testing value /~01 failed: test failed")
    }

    @Test func a16AddArrayValue() throws {
        let out = try jpPatched(#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar"]}"#)
        #expect(out == jpJSON(#"{"foo":["bar",["abc","def"]]}"#))
    }

    // MARK: What Kubernetes clients send

    @Test func kopfFinalizerPatchWithResourceVersionTest() throws {
        let pod = #"{"metadata":{"name":"w","resourceVersion":"103"},"spec":{}}"#
        let patch = #"[{"op":"test","path":"/metadata/resourceVersion","value":"103"},{"op":"add","path":"/metadata/finalizers","value":["kopf.zalando.org/KopfFinalizerMarker"]}]"#
        let out = try jpPatched(patch, pod)
        #expect(out[path: ["metadata", "finalizers"]] == ["kopf.zalando.org/KopfFinalizerMarker"])

        let stale = jpFailure(patch, #"{"metadata":{"name":"w","resourceVersion":"104"}}"#)
        #expect(stale?.code == 422)
        #expect(stale?.message == "testing value /metadata/resourceVersion failed: test failed")
    }

    @Test func removeFinalizersRemovesTheWholeList() throws {
        let out = try jpPatched(#"[{"op":"remove","path":"/metadata/finalizers"}]"#, #"{"metadata":{"name":"w","finalizers":["a","b"]}}"#)
        #expect(out == jpJSON(#"{"metadata":{"name":"w"}}"#))
    }

    @Test func rolloutUndoReplacesTemplateAndAnnotations() throws {
        let deployment = #"{"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"2"}},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}"#
        let patch = #"[{"op":"replace","path":"/spec/template","value":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"web","image":"nginx:1","resources":{}}]}}},{"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"1"}}]"#
        let out = try jpPatched(patch, deployment)
        #expect(out[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "nginx:1")
        #expect(out[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == "1")
        #expect(out[path: ["spec", "replicas"]] == 2)
        #expect(out.objectValue?.keys == ["metadata", "spec"])
    }

    @Test func slashInAnnotationKeyIsEscaped() throws {
        let out = try jpPatched(#"[{"op":"add","path":"/metadata/annotations/example.com~1owner","value":"me"}]"#,
                              #"{"metadata":{"annotations":{}}}"#)
        #expect(out[path: ["metadata", "annotations", "example.com/owner"]] == "me")
    }

    @Test func copyDuplicatesAValue() throws {
        let out = try jpPatched(#"[{"op":"copy","from":"/metadata/labels","path":"/spec/selector"}]"#,
                              #"{"metadata":{"labels":{"app":"x"}},"spec":{}}"#)
        #expect(out == jpJSON(#"{"metadata":{"labels":{"app":"x"}},"spec":{"selector":{"app":"x"}}}"#))
    }

    @Test func replaceWholeDocument() throws {
        #expect(try jpPatched(#"[{"op":"replace","path":"","value":{"a":1}}]"#, #"{"b":2}"#) == jpJSON(#"{"a":1}"#))
    }

    @Test func testAgainstWholeDocument() throws {
        #expect(try jpPatched(#"[{"op":"test","path":"","value":{"b":2}}]"#, #"{"b":2}"#) == jpJSON(#"{"b":2}"#))
    }

    @Test func nullAndEmptyPatchesChangeNothing() throws {
        #expect(try jpPatched("null", #"{"a":1}"#) == jpJSON(#"{"a":1}"#))
        #expect(try jpPatched("[]", #"{"a":1}"#) == jpJSON(#"{"a":1}"#))
    }

    // MARK: Array indices as kube-apiserver reads them

    @Test func negativeIndicesCountFromTheEnd() throws {
        #expect(try jpPatched(#"[{"op":"remove","path":"/a/-1"}]"#, #"{"a":[1,2,3]}"#) == jpJSON(#"{"a":[1,2]}"#))
        #expect(try jpPatched(#"[{"op":"replace","path":"/a/-3","value":0}]"#, #"{"a":[1,2,3]}"#) == jpJSON(#"{"a":[0,2,3]}"#))
    }

    @Test func leadingZerosAreAcceptedLikeAtoi() throws {
        #expect(try jpPatched(#"[{"op":"replace","path":"/a/01","value":9}]"#, #"{"a":[1,2,3]}"#) == jpJSON(#"{"a":[1,9,3]}"#))
    }

    @Test func addAtTheEndIndexAppends() throws {
        #expect(try jpPatched(#"[{"op":"add","path":"/a/3","value":4}]"#, #"{"a":[1,2,3]}"#) == jpJSON(#"{"a":[1,2,3,4]}"#))
    }

    @Test func outOfRangeIndices() {
        #expect(jpFailure(#"[{"op":"add","path":"/a/5","value":4}]"#, #"{"a":[1,2,3]}"#)?.message
            == "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced")
        #expect(jpFailure(#"[{"op":"remove","path":"/a/3"}]"#, #"{"a":[1,2,3]}"#)?.message
            == "error in remove for path: '/a/3': Unable to access invalid index: 3: invalid index referenced")
        #expect(jpFailure(#"[{"op":"replace","path":"/a/3","value":0}]"#, #"{"a":[1,2,3]}"#)?.message
            == "replace operation does not apply: doc is missing key: /a/3: missing value")
        #expect(jpFailure(#"[{"op":"test","path":"/a/7","value":0}]"#, #"{"a":[1]}"#)?.message
            == "error in test for path: '/a/7': Unable to access invalid index: 7: invalid index referenced")
    }

    @Test func nonNumericIndex() {
        #expect(jpFailure(#"[{"op":"add","path":"/a/x","value":4}]"#, #"{"a":[]}"#)?.message
            == #"error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#)
        #expect(jpFailure(#"[{"op":"remove","path":"/a/x"}]"#, #"{"a":[1]}"#)?.message
            == #"error in remove for path: '/a/x': strconv.Atoi: parsing "x": invalid syntax"#)
    }

    // MARK: Errors

    @Test func replaceOfMissingKeyFails() {
        let error = jpFailure(#"[{"op":"replace","path":"/spec/foo","value":1}]"#, #"{"spec":{}}"#)
        #expect(error?.code == 422)
        #expect(error?.message == "replace operation does not apply: doc is missing key: /spec/foo: missing value")
        #expect(jpFailure(#"[{"op":"replace","path":"/nope/foo","value":1}]"#, #"{"spec":{}}"#)?.message
            == "replace operation does not apply: doc is missing path: /nope/foo: missing value")
    }

    @Test func removeOfMissingKeyFails() {
        #expect(jpFailure(#"[{"op":"remove","path":"/metadata/labels/x"}]"#, #"{"metadata":{"labels":{}}}"#)?.message
            == "error in remove for path: '/metadata/labels/x': unable to remove nonexistent key: x: missing value")
    }

    @Test func moveAndCopyFromMissingLocations() {
        #expect(jpFailure(#"[{"op":"move","from":"/a/b","path":"/c"}]"#, #"{"a":{}}"#)?.message
            == "error in move for path: 'b': unable to get nonexistent key: b: missing value")
        #expect(jpFailure(#"[{"op":"copy","from":"/x","path":"/c"}]"#, #"{"a":{}}"#)?.message
            == "error in copy for from: '/x': unable to get nonexistent key: x: missing value")
        #expect(jpFailure(#"[{"op":"move","path":"/c"}]"#, #"{"a":{}}"#)?.message
            == "move operation failed to decode from: operation, missing from field: missing value")
    }

    @Test func malformedOperations() {
        #expect(jpFailure(#"[{"op":"frob","path":"/a"}]"#, "{}")?.message == "Unexpected kind: frob")
        #expect(jpFailure(#"[{"path":"/a"}]"#, "{}")?.message == "Unexpected kind: unknown")
        #expect(jpFailure(#"[{"op":"add","value":1}]"#, "{}")?.message == "add operation failed to decode path: missing value")
        #expect(jpFailure(#"[{"op":"replace","value":1}]"#, "{}")?.message
            == "replace operation failed to decode path: operation missing path field: missing value")
        #expect(jpFailure(#"[{"op":"test","path":5}]"#, "{}")?.message
            == "test operation failed to decode path: json: cannot unmarshal number into Go value of type string")
    }

    @Test func malformedPatchDocumentIs400() {
        let notArray = jpFailure(#"{"op":"add"}"#, "{}")
        #expect(notArray?.code == 400)
        #expect(notArray?.reason == "BadRequest")
        #expect(notArray?.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        #expect(jpFailure(#"["add"]"#, "{}")?.message == "json: cannot unmarshal string into Go value of type jsonpatch.Operation")
    }

    @Test func tooManyOperationsIs413() {
        let ops = JSONValue.array(Array(repeating: ["op": "test", "path": "/a", "value": 1], count: JSONPatch.maxOperations + 1))
        do {
            _ = try JSONPatch.apply(ops, to: ["a": 1])
            Issue.record("expected 413")
        } catch {
            #expect(error.code == 413)
            #expect(error.message == "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001")
        }
    }

    @Test func aFailingOperationAbortsTheWholePatch() {
        let doc = jpJSON(#"{"a":1}"#)
        do {
            _ = try JSONPatch.apply(jpJSON(#"[{"op":"replace","path":"/a","value":2},{"op":"remove","path":"/b"}]"#), to: doc)
            Issue.record("expected failure")
        } catch {
            #expect(error.message == "error in remove for path: '/b': unable to remove nonexistent key: b: missing value")
        }
        #expect(doc == jpJSON(#"{"a":1}"#))
    }

    @Test func testOfMissingMemberAgainstNullSucceedsAsUpstream() throws {
        #expect(try jpPatched(#"[{"op":"test","path":"/missing","value":null}]"#, #"{"a":1}"#) == jpJSON(#"{"a":1}"#))
        #expect(jpFailure(#"[{"op":"test","path":"/missing","value":1}]"#, #"{"a":1}"#)?.message == "testing value /missing failed: test failed")
    }
}
