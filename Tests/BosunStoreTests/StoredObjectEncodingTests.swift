import BosunKit
@testable import BosunStore
import Testing

@Suite("Stored objects: resourceVersion splicing")
struct StoredObjectEncodingTests {
    func splice(_ json: String, _ version: Int64 = 42) -> String? {
        StoredObject.splice(resourceVersion: version, into: Array(json.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("the version becomes the first member of the top-level metadata")
    func firstMember() {
        #expect(splice(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}"#)
            == #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"42","name":"a"},"data":{"k":"v"}}"#)
        #expect(splice(#"{"metadata":{}}"#) == #"{"metadata":{"resourceVersion":"42"}}"#)
    }

    @Test("nested metadata, keys inside strings and escaped quotes are not the top-level metadata")
    func onlyTopLevel() {
        let tricky = #"{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}},"note":"\"metadata\":{","metadata":{"name":"x"}}"#
        #expect(splice(tricky)
            == #"{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}},"note":"\"metadata\":{","metadata":{"resourceVersion":"42","name":"x"}}"#)
        #expect(splice(#"{"items":[{"metadata":{}}]}"#) == nil)
        #expect(splice(#"{"metadata":"not an object"}"#) == nil)
    }

    @Test("a stored object's bytes parse to the object with its resourceVersion")
    func storedBytesRoundTrip() async throws {
        let store = try await makeStore()
        let created = try await store.create(configMaps, object: configMap("spliced", data: ["k": "v"]))
        let tree = try JSONParser.parse(created.bytes)
        #expect(tree["metadata"]?["resourceVersion"]?.stringValue == String(created.resourceVersion))
        #expect(tree["metadata"]?["name"]?.stringValue == "spliced")
        #expect(tree["data"]?["k"]?.stringValue == "v")
        #expect(try created.decode(as: ConfigMap.self).metadata.resourceVersion == String(created.resourceVersion))
    }

    @Test("bytes, byteCount and appendJSON agree, whether the version went in at commit or is in the JSON")
    func lazyBytesAgree() async throws {
        let store = try await makeStore()
        let typed = try await store.create(ConfigMap(metadata: ObjectMeta(name: "typed", namespace: "default"), data: ["k": "v"]))
        let tree = try await store.create(configMaps, object: configMap("tree"))
        let received = StoredObject(received: configMaps, object: try JSONParser.parse(tree.bytes).objectValue!, bytes: tree.bytes)
        let noMembers = StoredObject(key: ObjectKey(configMaps, namespace: "default", name: "x"), object: [:],
                                     encodedWithoutVersion: Array(#"{"metadata":{}}"#.utf8), resourceVersion: 1234567, kind: "ConfigMap")
        for object in [typed.stored, tree, received, noMembers] {
            var appended: [UInt8] = [UInt8(ascii: "[")]
            object.appendJSON(to: &appended)
            #expect(Array(appended.dropFirst()) == object.bytes)
            #expect(object.byteCount == object.bytes.count)
            let parsed = try JSONParser.parse(object.bytes)
            #expect(parsed["metadata"]?["resourceVersion"]?.stringValue == String(object.resourceVersion))
        }
        #expect(String(decoding: noMembers.bytes, as: UTF8.self) == #"{"metadata":{"resourceVersion":"1234567"}}"#)
    }
}
