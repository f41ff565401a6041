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
}
