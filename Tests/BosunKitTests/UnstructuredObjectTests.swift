import Testing

@testable import BosunKit

@Suite("Unstructured objects")
struct UnstructuredObjectTests {
    @Test func typedToUnstructuredAndBack() throws {
        let deployment = try Deployment(jsonString: Fixtures.nginxDeployment)
        var object = UnstructuredObject(deployment)
        #expect(object.apiVersion == "apps/v1")
        #expect(object.kind == "Deployment")
        #expect(object.name == "nginx-deployment")
        #expect(object[path: "spec", "replicas"] == 3)

        object.labels["tier"] = "web"
        object.namespace = "prod"
        let back = try object.decode(as: Deployment.self)
        #expect(back.metadata.labels?["tier"] == "web")
        #expect(back.metadata.namespace == "prod")
        #expect(back.spec == deployment.spec)
    }

    @Test func decodingIntoTheWrongKindFails() throws {
        let object = UnstructuredObject(try Deployment(jsonString: Fixtures.nginxDeployment))
        #expect(throws: JSONDecodingError.self) { try object.decode(as: StatefulSet.self) }
    }

    @Test func requiresStringTypeMeta() {
        #expect(throws: JSONDecodingError.self) { try UnstructuredObject(json: ["apiVersion": 1, "kind": "X"]) }
        #expect(throws: JSONDecodingError.self) { try UnstructuredObject(json: ["a", "b"]) }
    }

    @Test func registryDecodesBuiltinKinds() throws {
        let object = try UnstructuredObject(json: JSONParser.parse(Fixtures.piJob))
        let typed = try #require(try KindRegistry.shared.decodeTyped(object))
        let job = try #require(typed as? Job)
        #expect(job.spec.backoffLimit == 4)
        #expect(KindRegistry.shared.type(forResourceName: "deploy") == Deployment.self)
        #expect(KindRegistry.shared.type(forResourceName: "cronjobs") == CronJob.self)
    }
}

/// A custom resource written with Codable, embedding a built-in type.
struct Backup: CustomResource {
    static let resource = ResourceDescriptor(
        group: "example.com", version: "v1alpha1", kind: "Backup", plural: "backups", namespaced: true,
        subresources: ["status"])
    var metadata = ObjectMeta()
    var spec = Spec()
    var status: Status?

    struct Spec: Codable, Hashable, Sendable {
        var schedule = ""
        var retain: Int?
        var template: PodTemplateSpec?
    }

    struct Status: Codable, Hashable, Sendable {
        var lastRun: Time?
    }
}

@Suite("Custom resources written with Codable")
struct CustomResourceTests {
    @Test func roundTripsWithTypeMetaAndEmbeddedBuiltins() throws {
        let text = #"""
            {"apiVersion":"example.com/v1alpha1","kind":"Backup","metadata":{"name":"nightly","namespace":"default"},
             "spec":{"schedule":"0 3 * * *","template":{"spec":{"containers":[{"name":"dump","image":"pg:16","resources":{"limits":{"memory":"1Gi"}}}]}}}}
            """#
        let backup = try Backup(jsonString: text)
        #expect(backup.spec.schedule == "0 3 * * *")
        #expect(backup.spec.template?.spec?.containers.first?.resources?.limits?["memory"] == Quantity("1Gi"))
        let again = backup.jsonValue()
        #expect(again == (try JSONParser.parse(text)))
        #expect(again["apiVersion"] == "example.com/v1alpha1")
        #expect(again["kind"] == "Backup")
    }

    @Test func typeErrorsNameTheField() {
        do {
            _ = try Backup(jsonString: #"{"apiVersion":"example.com/v1alpha1","kind":"Backup","metadata":{"name":"b"},"spec":{"schedule":5}}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("spec.schedule: "))
        }
    }

    @Test func wrongKindIsRefused() {
        #expect(throws: JSONError.self) {
            try Backup(jsonString: #"{"apiVersion":"example.com/v1","kind":"Backup"}"#)
        }
    }
}
