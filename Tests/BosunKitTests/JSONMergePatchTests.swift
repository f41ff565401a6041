import Testing

@testable import BosunKit

private func mpJSON(_ text: String) -> JSONValue {
    do { return try JSONParser.parse(text) } catch { fatalError("bad test JSON: \(text): \(error)") }
}

@Suite("JSON merge patch (RFC 7386)")
struct JSONMergePatchTests {
    /// RFC 7386 Appendix A: (original, patch, result).
    static let appendixA: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test(arguments: 0..<appendixA.count)
    func rfc7386AppendixA(_ index: Int) {
        let (original, patch, result) = Self.appendixA[index]
        #expect(JSONMergePatch.apply(mpJSON(patch), to: mpJSON(original)) == mpJSON(result))
    }

    @Test func keepsKeyOrderAndAppendsNewKeys() {
        let out = JSONMergePatch.apply(mpJSON(#"{"b":2,"c":3}"#), to: mpJSON(#"{"a":1,"b":1}"#))
        #expect(out.objectValue?.keys == ["a", "b", "c"])
    }

    @Test func kubectlScale() {
        let scale = mpJSON(#"{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web"},"spec":{"replicas":2},"status":{"replicas":2}}"#)
        let out = JSONMergePatch.apply(mpJSON(#"{"spec":{"replicas":5}}"#), to: scale)
        #expect(out[path: ["spec", "replicas"]] == 5)
        #expect(out[path: ["status", "replicas"]] == 2)
    }

    @Test func kopfAnnotationsAndCleanup() {
        let obj = mpJSON(#"{"metadata":{"name":"w","annotations":{"keep":"1","kopf.zalando.org/last-handled-configuration":"{}"}}}"#)
        let out = JSONMergePatch.apply(mpJSON(#"{"metadata":{"annotations":{"kopf.zalando.org/last-handled-configuration":null,"kopf.zalando.org/touch-dummy":"x"}}}"#), to: obj)
        #expect(out == mpJSON(#"{"metadata":{"name":"w","annotations":{"keep":"1","kopf.zalando.org/touch-dummy":"x"}}}"#))
    }

    @Test func listsAreReplacedNotMerged() {
        let pod = mpJSON(#"{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}"#)
        let out = JSONMergePatch.apply(mpJSON(#"{"spec":{"containers":[{"name":"a","image":"z"}]}}"#), to: pod)
        #expect(out == mpJSON(#"{"spec":{"containers":[{"name":"a","image":"z"}]}}"#))
    }

    @Test func prunesNullsFromStoredValuesAsEvanphxDoes() {
        // Stored (not merged) values lose their nulls, inside arrays too.
        let out = JSONMergePatch.apply(mpJSON(#"{"a":[{"b":null,"c":1},null],"d":{"e":null}}"#), to: mpJSON(#"{}"#))
        #expect(out == mpJSON(#"{"a":[{"c":1}],"d":{}}"#))
        // An object replaced by an array keeps the array as sent.
        let replaced = JSONMergePatch.apply(mpJSON(#"{"a":[null]}"#), to: mpJSON(#"{"a":{"x":1}}"#))
        #expect(replaced == mpJSON(#"{"a":[null]}"#))
    }

    @Test func deletingAMissingKeyIsANoOp() {
        #expect(JSONMergePatch.apply(mpJSON(#"{"x":null}"#), to: mpJSON(#"{"a":1}"#)) == mpJSON(#"{"a":1}"#))
    }

    @Test func validateRejectsNullAndScalarPatches() {
        for body in ["null", "1", #""s""#, "true"] {
            do {
                try JSONMergePatch.validate(mpJSON(body))
                Issue.record("expected 400 for \(body)")
            } catch {
                #expect(error.code == 400)
                #expect(error.reason == "BadRequest")
                #expect(error.message == "Invalid JSON Patch")
            }
        }
        #expect(throws: Never.self) { try JSONMergePatch.validate(mpJSON("{}")) }
    }

    // MARK: diff

    @Test func diffProducesAddsChangesAndNullsForRemovals() {
        let a = mpJSON(#"{"a":1,"b":{"c":2,"d":3},"e":[1,2],"f":"x"}"#)
        let b = mpJSON(#"{"a":1,"b":{"c":5,"d":3},"e":[1,2,3],"g":true}"#)
        let patch = JSONMergePatch.diff(from: a, to: b)
        #expect(patch == mpJSON(#"{"b":{"c":5},"e":[1,2,3],"g":true,"f":null}"#))
        #expect(JSONMergePatch.apply(patch, to: a) == b)
    }

    @Test func diffOfEqualDocumentsIsEmpty() {
        let a = mpJSON(#"{"a":{"b":[1,{"c":2}]}}"#)
        #expect(JSONMergePatch.diff(from: a, to: a) == mpJSON("{}"))
    }

    @Test func diffReplacesOnTypeChange() {
        let a = mpJSON(#"{"a":{"b":1}}"#)
        let b = mpJSON(#"{"a":[1]}"#)
        #expect(JSONMergePatch.diff(from: a, to: b) == mpJSON(#"{"a":[1]}"#))
        #expect(JSONMergePatch.diff(from: mpJSON("[1]"), to: mpJSON(#"{"x":1}"#)) == mpJSON(#"{"x":1}"#))
    }

    @Test(arguments: 0..<appendixA.count)
    func diffRoundTripsAppendixTargets(_ index: Int) {
        let (original, _, result) = Self.appendixA[index]
        let from = mpJSON(original)
        let to = mpJSON(result)
        // A merge patch cannot express a null member of the target; skip those.
        guard !result.contains("null") else { return }
        #expect(JSONMergePatch.apply(JSONMergePatch.diff(from: from, to: to), to: from) == to)
    }
}
