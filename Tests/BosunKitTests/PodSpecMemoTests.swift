@testable import BosunKit
import Testing

@Suite("Pod spec memo: admission results reused for specs sharing storage")
struct PodSpecMemoTests {
    let template = PodSpec(containers: [Container(name: "web", image: "nginx:1.27")])

    @Test("a spec sharing the remembered storage hits; a copy written to since does not")
    func identityOfStorage() {
        let memo = PodSpecMemo<Int>()
        memo.remember(7, for: template)
        let shared = template
        #expect(memo.result(for: shared) == 7)
        var changed = template
        changed.containers[0].image = "nginx:1.28"
        #expect(memo.result(for: changed) == nil)
        // Equal in value but built apart: its own storage, so no hit.
        #expect(memo.result(for: PodSpec(containers: [Container(name: "web", image: "nginx:1.27")])) == nil)
    }

    @Test("the oldest entry goes when the memo is full")
    func capacity() {
        let memo = PodSpecMemo<Int>()
        let specs = (0...PodSpecMemo<Int>.capacity).map { PodSpec(containers: [Container(name: "c\($0)", image: "busybox")]) }
        for (i, spec) in specs.enumerated() { memo.remember(i, for: spec) }
        #expect(memo.result(for: specs[0]) == nil)
        #expect(memo.result(for: specs[1]) == 1)
        #expect(memo.result(for: specs.last!) == PodSpecMemo<Int>.capacity)
    }

    @Test("pods from one template are defaulted alike, the second from the memo, and each keeps its own metadata")
    func defaultingFromTheMemo() {
        var first = Pod(metadata: ObjectMeta(name: "a"), spec: template)
        var second = Pod(metadata: ObjectMeta(name: "b"), spec: template)
        Defaulting.pod(&first)
        Defaulting.pod(&second)
        var fresh = Pod(metadata: ObjectMeta(name: "a"), spec: PodSpec(containers: [Container(name: "web", image: "nginx:1.27")]))
        Defaulting.pod(&fresh)
        #expect(first == fresh)
        #expect(second.spec == fresh.spec)
        #expect(second.spec._storage === first.spec._storage)
        #expect(second.metadata.name == "b")
        #expect(second.spec.tolerations?.count == 2)
    }

    @Test("an invalid spec is not remembered: every pod made from it gets its errors")
    func invalidSpecsAreNotRemembered() {
        let bad = PodSpec(containers: [Container(name: "Not_A_Name", image: "busybox")])
        for name in ["a", "b"] {
            let errors = Validation.validatePod(Pod(metadata: ObjectMeta(name: name, namespace: "default"), spec: bad))
            #expect(errors.contains { $0.field.description == "spec.containers[0].name" })
        }
    }

    @Test("a spec's JSON comes from the memo only for the same storage and the same unknown-member rule")
    func encodingFromTheMemo() throws {
        var spec = PodSpec(containers: [Container(name: "web", image: "nginx:1.27")])
        spec.unknownFields = ["extra": .string("kept")]
        let first = JSONWriter.encode(spec)
        #expect(JSONWriter.encode(spec) == first)
        var dropping = JSONWriter()
        dropping.dropsUnknownFields = true
        spec.encode(to: &dropping)
        #expect(String(decoding: first, as: UTF8.self).contains("\"extra\":\"kept\""))
        #expect(!String(decoding: dropping.bytes, as: UTF8.self).contains("extra"))
        var changed = spec
        changed.containers[0].image = "nginx:1.28"
        #expect(String(decoding: JSONWriter.encode(changed), as: UTF8.self).contains("nginx:1.28"))
        // Inside a pod, with the members around it.
        let pod = Pod(metadata: ObjectMeta(name: "p"), spec: spec)
        let tree = try JSONParser.parse(JSONWriter.encode(pod))
        #expect(tree["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue == "nginx:1.27")
        #expect(tree["metadata"]?["name"]?.stringValue == "p")
    }
}
