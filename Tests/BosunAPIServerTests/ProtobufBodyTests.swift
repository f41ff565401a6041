@testable import BosunAPIServer
import BosunKit
import NIOHTTP1
import Testing

/// Builds protobuf messages as gogo-protobuf writes Kubernetes objects: value fields written
/// even when empty, pointers only when set.
private struct ProtobufWriter {
    var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func int(_ number: Int, _ value: Int64) {
        varint(UInt64(number << 3))
        varint(UInt64(bitPattern: value))
    }

    mutating func bytes(_ number: Int, _ value: [UInt8]) {
        varint(UInt64(number << 3 | 2))
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ number: Int, _ value: String) { bytes(number, Array(value.utf8)) }

    mutating func message(_ number: Int, _ build: (inout ProtobufWriter) -> Void = { _ in }) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(number, inner.bytes)
    }

    mutating func mapEntry(_ number: Int, _ key: String, _ value: String) {
        message(number) { $0.string(1, key); $0.string(2, value) }
    }

    /// The `k8s\0` envelope around an object's message: a `runtime.Unknown`.
    static func envelope(apiVersion: String, kind: String, _ build: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var object = ProtobufWriter()
        build(&object)
        var unknown = ProtobufWriter()
        unknown.message(1) { $0.string(1, apiVersion); $0.string(2, kind) }
        unknown.bytes(2, object.bytes)
        unknown.string(3, "")
        unknown.string(4, "")
        return [0x6B, 0x38, 0x73, 0x00] + unknown.bytes
    }
}

@Suite("Kubernetes protobuf request bodies")
struct ProtobufBodyTests {
    static let protobuf = "application/vnd.kubernetes.protobuf"

    /// What `kubectl create deployment web --image=nginx --replicas=0` sends.
    static let deployment = ProtobufWriter.envelope(apiVersion: "apps/v1", kind: "Deployment") { d in
        d.message(1) { m in
            m.string(1, "web"); m.string(2, ""); m.string(3, ""); m.int(7, 0)
            m.message(8)
            m.mapEntry(11, "app", "web")
        }
        d.message(2) { spec in
            spec.int(1, 0)  // replicas: a pointer, so its zero is kept
            spec.message(2) { $0.mapEntry(1, "app", "web") }
            spec.message(3) { template in
                template.message(1) { m in m.string(1, ""); m.message(8); m.mapEntry(11, "app", "web") }
                template.message(2) { pod in
                    pod.message(2) { c in
                        c.string(1, "nginx"); c.string(2, "nginx"); c.string(5, "")
                        c.message(8)
                    }
                    pod.string(3, ""); pod.string(6, "")
                    pod.int(4, 30)
                }
            }
            spec.message(4)
            spec.int(5, 0)
        }
        d.message(3)
    }

    @Test("the generated field table is whole: every message a field names is in it")
    func fieldTable() {
        let messages = ProtobufFields.messages
        #expect(messages.count > 300 && messages["k8s.io.api.apps.v1.Deployment"]?[2]?.name == "spec")
        for (name, fields) in messages {
            for field in fields.values {
                var types = [field.type]
                if case .map(let key, let value) = field.type { types = [key, value] }
                for case .message(let target) in types {
                    #expect(messages[target] != nil, "\(name).\(field.name) names \(target)")
                }
            }
        }
        #expect(ProtobufFields.message(apiVersion: "coordination.k8s.io/v1", kind: "Lease") == "k8s.io.api.coordination.v1.Lease")
        #expect(ProtobufFields.message(apiVersion: "apps/v1", kind: "DeleteOptions") == "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions")
        #expect(ProtobufFields.message(apiVersion: "example.com/v1", kind: "Widget") == nil)
    }

    @Test("a Deployment in protobuf is created as its JSON would be: zero values omitted, pointers kept")
    func createDeployment() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let created = try await client.request(.POST, "/apis/apps/v1/namespaces/default/deployments", body: Self.deployment,
                                               contentType: Self.protobuf, accept: Self.protobuf + ", application/json")
        #expect(created.status == 201, "\(created.text)")
        let object = created.json
        #expect(object["kind"] == "Deployment" && object[path: ["metadata", "name"]] == "web")
        #expect(object[path: ["metadata", "labels"]] == ["app": "web"])
        #expect(object[path: ["spec", "replicas"]] == 0, "an explicit zero replicas survives")
        #expect(object[path: ["spec", "selector", "matchLabels"]] == ["app": "web"])
        let pod = object[path: ["spec", "template", "spec"]]
        #expect(pod?["containers"]?.arrayValue?.first?["image"] == "nginx")
        #expect(pod?["containers"]?.arrayValue?.first?["workingDir"] == nil, "an empty value string is omitted")
        #expect(pod?["terminationGracePeriodSeconds"] == 30)
        #expect(pod?["restartPolicy"] == "Always" && pod?["dnsPolicy"] == "ClusterFirst", "defaulted, not left empty")
        #expect(object[path: ["spec", "strategy", "type"]] == "RollingUpdate")
        await client.close()
        await server.stop()
    }

    @Test("secrets' bytes, config maps, namespaces and delete options decode; custom resources and bad bodies do not")
    func otherBodies() async throws {
        let server = try await TestAPIServer.start()
        let client = try await server.client()
        let secret = ProtobufWriter.envelope(apiVersion: "v1", kind: "Secret") { s in
            s.message(1) { $0.string(1, "creds") }
            s.message(2) { $0.string(1, "password"); $0.bytes(2, [0x00, 0xFF, 0x41]) }
            s.string(3, "Opaque")
        }
        let madeSecret = try await client.request(.POST, "/api/v1/namespaces/default/secrets", body: secret, contentType: Self.protobuf)
        #expect(madeSecret.status == 201, "\(madeSecret.text)")
        #expect(madeSecret.json[path: ["data", "password"]] == "AP9B" && madeSecret.json["type"] == "Opaque")

        let namespace = ProtobufWriter.envelope(apiVersion: "v1", kind: "Namespace") { n in
            n.message(1) { $0.string(1, "team") }
            n.message(2)
            n.message(3)
        }
        let madeNamespace = try await client.request(.POST, "/api/v1/namespaces", body: namespace, contentType: Self.protobuf)
        #expect(madeNamespace.status == 201 && madeNamespace.json[path: ["status", "phase"]] == "Active", "\(madeNamespace.text)")

        let configMap = ProtobufWriter.envelope(apiVersion: "v1", kind: "ConfigMap") { c in
            c.message(1) { $0.string(1, "settings") }
            c.mapEntry(2, "mode", "fast")
        }
        let madeConfigMap = try await client.request(.POST, "/api/v1/namespaces/default/configmaps", body: configMap, contentType: Self.protobuf)
        #expect(madeConfigMap.status == 201 && madeConfigMap.json["data"] == ["mode": "fast"])

        // client-go's typed deletes send their DeleteOptions as protobuf too.
        let options = ProtobufWriter.envelope(apiVersion: "v1", kind: "DeleteOptions") { o in
            o.string(4, "Orphan")
            o.message(2) { $0.string(1, "not-the-uid") }
        }
        let refused = try await client.request(.DELETE, "/api/v1/namespaces/default/configmaps/settings", body: options, contentType: Self.protobuf)
        #expect(refused.status == 409, "the uid precondition was read: \(refused.text)")

        // Custom resources take no protobuf, as in kube-apiserver.
        #expect(try await client.request(.POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json: Fixtures.widgetCRD).status == 201)
        let widget = ProtobufWriter.envelope(apiVersion: "example.com/v1", kind: "Widget") { $0.message(1) { $0.string(1, "w") } }
        let custom = try await client.request(.POST, "/apis/example.com/v1/namespaces/default/widgets", body: widget, contentType: Self.protobuf)
        #expect(custom.status == 415 && custom.json["reason"] == "UnsupportedMediaType")

        let truncated = Array(Self.deployment.dropLast(5))
        let bad = try await client.request(.POST, "/apis/apps/v1/namespaces/default/deployments", body: truncated, contentType: Self.protobuf)
        #expect(bad.status == 400 && bad.json["reason"] == "BadRequest")
        let noMagic = try await client.request(.POST, "/api/v1/namespaces/default/configmaps", body: Array("{}".utf8), contentType: Self.protobuf)
        #expect(noMagic.status == 400)
        let unknownKind = ProtobufWriter.envelope(apiVersion: "v1", kind: "Gadget") { $0.message(1) }
        #expect(try await client.request(.POST, "/api/v1/namespaces/default/configmaps", body: unknownKind, contentType: Self.protobuf).status == 400)
        await client.close()
        await server.stop()
    }
}
