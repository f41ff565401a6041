import Testing
@testable import BosunKit

/// Shared fixtures: valid objects that tests break one field at a time.
enum ValidationFixtures {
    static func meta(_ name: String, namespace: String? = "default", labels: [String: String]? = nil) -> ObjectMeta {
        ObjectMeta(labels: labels, name: name, namespace: namespace)
    }

    static func template(_ labels: [String: String] = ["app": "web"], restart: String? = nil) -> PodTemplateSpec {
        PodTemplateSpec(metadata: ObjectMeta(labels: labels),
                        spec: PodSpec(containers: [Container(name: "web", image: "nginx:1.27")], restartPolicy: restart))
    }

    static func pod(_ name: String = "p") -> Pod {
        var pod = Pod(metadata: meta(name), spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))
        BuiltinAdmission.applyDefaults(&pod)
        return pod
    }

    static func deployment(_ name: String = "web") -> Deployment {
        var d = Deployment(metadata: meta(name),
                           spec: DeploymentSpec(selector: LabelSelector(matchLabels: ["app": "web"]), template: template()))
        BuiltinAdmission.applyDefaults(&d)
        return d
    }

    static func messages(_ errors: FieldErrorList) -> [String] { errors.map(\.description) }
}

@Suite struct NameValidationTests {
    @Test func subdomainMessageMatchesKubernetes() {
        #expect(Validation.isDNS1123Subdomain("Foo_bar") == [
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ])
        #expect(Validation.isDNS1123Subdomain("a.b-c.d").isEmpty)
        #expect(Validation.isDNS1123Subdomain("a..b").count == 1)
        #expect(Validation.isDNS1123Subdomain(String(repeating: "a", count: 254)).first == "must be no more than 253 characters")
    }

    @Test func labelAndDNS1035Messages() {
        #expect(Validation.isDNS1123Label("a.b") == [
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ])
        #expect(Validation.isDNS1035Label("1abc").first?.hasPrefix("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character") == true)
        #expect(Validation.isDNS1035Label("abc-1").isEmpty)
    }

    @Test func qualifiedNames() {
        #expect(Validation.isQualifiedName("example.com/MyName").isEmpty)
        #expect(Validation.isQualifiedName("/a") == ["prefix part must be non-empty"])
        #expect(Validation.isQualifiedName("a/b/c").first?.hasPrefix("a qualified name must consist of") == true)
        #expect(Validation.isQualifiedName("bad_").first == "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
        #expect(Validation.isValidLabelValue("").isEmpty)
        #expect(Validation.isValidLabelValue("-x").count == 1)
    }

    @Test func portsPercentsAndKeys() {
        #expect(Validation.isValidPortNumber(0) == ["must be between 1 and 65535, inclusive"])
        #expect(Validation.isValidPortName("http").isEmpty)
        #expect(Validation.isValidPortName("-1-") == ["must contain at least one letter (a-z)", "must not begin or end with a hyphen"])
        #expect(Validation.isValidPercent("25%").isEmpty)
        #expect(Validation.isValidPercent("25").count == 1)
        #expect(Validation.isConfigMapKey("..x") == ["must not start with '..'"])
        #expect(Validation.isConfigMapKey("a b").count == 1)
    }
}

@Suite struct ObjectMetaValidationTests {
    @Test func nameRequiredAndNamespaceScope() {
        var pod = ValidationFixtures.pod()
        pod.metadata.name = nil
        pod.metadata.namespace = nil
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(pod)) == [
            "metadata.name: Required value: name or generateName is required",
            "metadata.namespace: Required value",
        ])
        var ns = Namespace(metadata: ValidationFixtures.meta("team-a"))
        BuiltinAdmission.applyDefaults(&ns)
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(ns)) == ["metadata.namespace: Forbidden: not allowed on this type"])
    }

    @Test func invalidNameReportsKubernetesText() {
        var pod = ValidationFixtures.pod()
        pod.metadata.name = "Foo_bar"
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(pod)) == [
            "metadata.name: Invalid value: \"Foo_bar\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ])
    }

    @Test func serviceAndNamespaceNamesAreLabels() {
        var svc = Service(metadata: ValidationFixtures.meta("a.b"), spec: ServiceSpec(ports: [ServicePort(port: 80)]))
        BuiltinAdmission.applyDefaults(&svc)
        #expect(BuiltinAdmission.validate(svc).map(\.field.description) == ["metadata.name"])
        var ns = Namespace(metadata: ValidationFixtures.meta("a.b", namespace: nil))
        BuiltinAdmission.applyDefaults(&ns)
        #expect(BuiltinAdmission.validate(ns).first?.body.hasPrefix("Invalid value: \"a.b\": a lowercase RFC 1123 label") == true)
    }

    @Test func labelsAnnotationsFinalizersAndOwners() {
        var pod = ValidationFixtures.pod()
        pod.metadata.labels = ["app": "-bad"]
        pod.metadata.annotations = ["big": String(repeating: "x", count: 256 * 1024)]
        pod.metadata.finalizers = ["foo", "example.com/ok"]
        pod.metadata.ownerReferences = [
            OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "1", controller: true),
            OwnerReference(apiVersion: "", kind: "ReplicaSet", name: "b", uid: "", controller: true),
        ]
        let messages = ValidationFixtures.messages(BuiltinAdmission.validate(pod))
        #expect(messages.contains { $0.hasPrefix("metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string") })
        #expect(messages.contains("metadata.annotations: Too long: may not be more than 262144 bytes"))
        #expect(messages.contains("metadata.finalizers[0]: Invalid value: \"foo\": name is neither a standard finalizer name nor is it fully qualified"))
        #expect(messages.contains("metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty"))
        #expect(messages.contains("metadata.ownerReferences.uid: Invalid value: \"\": must not be empty"))
        #expect(messages.contains { $0.hasSuffix("Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/a and ReplicaSet/b") })
    }

    @Test func metadataUpdateImmutability() {
        var old = ValidationFixtures.pod()
        old.metadata.uid = "u1"
        old.metadata.resourceVersion = "5"
        old.metadata.generation = 2
        var new = old
        new.metadata.name = "other"
        new.metadata.uid = "u2"
        new.metadata.generation = 1
        new.metadata.resourceVersion = ""
        let messages = ValidationFixtures.messages(BuiltinAdmission.validateUpdate(new, old: old))
        #expect(messages.contains("metadata.name: Invalid value: \"other\": field is immutable"))
        #expect(messages.contains("metadata.uid: Invalid value: \"u2\": field is immutable"))
        #expect(messages.contains("metadata.generation: Invalid value: 1: must not be decremented"))
        #expect(messages.contains("metadata.resourceVersion: Invalid value: \"\": must be specified for an update"))
    }

    @Test func unknownKindsGetObjectMetaOnly() {
        var lease = Lease(metadata: ValidationFixtures.meta("Bad Name"))
        BuiltinAdmission.applyDefaults(&lease)
        #expect(BuiltinAdmission.validate(lease).map(\.field.description) == ["metadata.name"])
        let event = Event(metadata: ValidationFixtures.meta("e1", namespace: nil))
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(event)) == ["metadata.namespace: Required value"])
    }
}
