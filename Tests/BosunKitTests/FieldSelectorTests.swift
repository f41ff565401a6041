import Testing

@testable import BosunKit

// Cases follow upstream k8s.io/apimachinery/pkg/fields/selector_test.go, plus the per-kind
// selectable fields of the API server's registries.

@Suite("Field selectors")
struct FieldSelectorTests {
    private func parseError(_ s: String) -> String? {
        do {
            _ = try FieldSelector.parse(s)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func splitTerms() {
        let cases: [String: [String]] = [
            "a": ["a"],
            "a=avalue": ["a=avalue"],
            "a=avalue,b=bvalue": ["a=avalue", "b=bvalue"],
            "a=avalue,b==bvalue,c!=cvalue": ["a=avalue", "b==bvalue", "c!=cvalue"],
            "": [],
            "a=a,": ["a=a", ""],
            ",a=a": ["", "a=a"],
            #"k=\,,k2=v2"#: [#"k=\,"#, "k2=v2"],
            #"k=\\,k2=v2"#: [#"k=\\"#, "k2=v2"],
            #"k=\\\,,k2=v2"#: [#"k=\\\,"#, "k2=v2"],
            #"k=\a\b\"#: [#"k=\a\b\"#],
            #"k=\"#: [#"k=\"#],
            "함=수,목=록": ["함=수", "목=록"],
        ]
        for (selector, terms) in cases {
            #expect(FieldSelector.splitTerms(selector) == terms, "\(selector)")
        }
    }

    @Test func splitTerm() {
        func split(_ s: String) -> [String]? {
            FieldSelector.splitTerm(s).map { [$0.0, $0.1.rawValue, $0.2] }
        }
        #expect(split("a=value") == ["a", "=", "value"])
        #expect(split("b==value") == ["b", "=", "value"])
        #expect(split("c!=value") == ["c", "!=", "value"])
        #expect(split("") == nil)
        #expect(split("a") == nil)
        #expect(split(#"k=\,"#) == ["k", "=", #"\,"#])
        #expect(split(#"k=\="#) == ["k", "=", #"\="#])
        #expect(split(#"k=\\\a\b\=\,\"#) == ["k", "=", #"\\\a\b\=\,\"#])
        #expect(split("함=수") == ["함", "=", "수"])
        #expect(split("a=b!=c") == ["a", "=", "b!=c"])
    }

    @Test func escapeValue() throws {
        let cases: [String: String] = [
            "": "",
            "a": "a",
            "=": #"\="#,
            ",": #"\,"#,
            #"\"#: #"\\"#,
            #"\=\,\"#: #"\\\=\\\,\\"#,
            "!": "!",
        ]
        for (raw, escaped) in cases {
            #expect(FieldSelector.escapeValue(raw) == escaped)
            #expect(try FieldSelector.unescapeValue(escaped) == raw)
        }
        for invalid in [#"\"#, #"\\\"#, #"\a"#] {
            do {
                _ = try FieldSelector.unescapeValue(invalid)
                Issue.record("\(invalid) should not unescape")
            } catch {
                #expect(error.message.contains("invalid escape sequence"))
            }
        }
        #expect(throws: SelectorError(#"invalid field selector: invalid escape sequence: \a"#)) {
            try FieldSelector.unescapeValue(#"\a"#)
        }
        #expect(throws: SelectorError("invalid field selector: unescaped character in value: ','")) {
            try FieldSelector.unescapeValue("a,b")
        }
    }

    @Test("good strings round-trip", arguments: ["x=a,y=b,z=c", "", "x!=a,y=b", #"x=a||y\=b"#, #"x=a\=\=b"#])
    func goodStrings(_ input: String) throws {
        #expect(try FieldSelector.parse(input).description == input)
    }

    @Test("bad strings are rejected", arguments: ["x=a||y=b", "x==a==b", "x=a,b", "x in (a)", "x in (a,b,c)", "x"])
    func badStrings(_ input: String) {
        #expect(parseError(input) != nil)
    }

    @Test func errorMessages() {
        #expect(parseError("x=a,b") == "invalid selector: 'x=a,b'; can't understand 'b'")
        #expect(parseError("x==a==b") == "invalid field selector: unescaped character in value: '='")
        #expect(parseError(#"x=a\"#) == #"invalid field selector: invalid escape sequence: \"#)
    }

    @Test func parsedShape() throws {
        let selector = try FieldSelector.parse("status.phase!=Running,metadata.name==foo,,spec.nodeName=")
        #expect(selector.requirements == [
            FieldRequirement(field: "metadata.name", operator: .equals, value: "foo"),
            FieldRequirement(field: "spec.nodeName", operator: .equals, value: ""),
            FieldRequirement(field: "status.phase", operator: .notEquals, value: "Running"),
        ])
        #expect(selector.description == "metadata.name=foo,spec.nodeName=,status.phase!=Running")
        // A term with neither field nor value is dropped, as upstream's Transform drops it.
        #expect(try FieldSelector.parse("=").isEmpty)
        #expect(try FieldSelector.parse("a=b,!=").requirements.count == 1)
    }

    @Test func deterministicParse() throws {
        #expect(try FieldSelector.parse("x=a,a=x").description == FieldSelector.parse("a=x,x=a").description)
    }

    @Test func everything() throws {
        #expect(FieldSelector.everything.matches(["x": "y"]))
        #expect(FieldSelector.everything.isEmpty)
        #expect(try FieldSelector.parse("") == .everything)
    }

    @Test func selectorMatches() throws {
        let cases: [(String, [String: String], Bool)] = [
            ("", ["x": "y"], true),
            ("x=y", ["x": "y"], true),
            ("x=y,z=w", ["x": "y", "z": "w"], true),
            ("x!=y,z!=w", ["x": "z", "z": "a"], true),
            ("notin=in", ["notin": "in"], true),
            ("x=y", ["x": "z"], false),
            ("x=y,z=w", ["x": "w", "z": "w"], false),
            ("x!=y,z!=w", ["x": "z", "z": "w"], false),
            ("x=", [:], true),
            ("x!=", [:], false),
            ("x!=y", [:], true),
        ]
        for (selector, fields, expected) in cases {
            #expect(try FieldSelector.parse(selector).matches(fields) == expected, "\(selector) against \(fields)")
        }
        let fieldset = ["foo": "bar", "baz": "blah", "complex": #"=value\,\"#]
        #expect(try FieldSelector.parse("foo=bar").matches(fieldset))
        #expect(try FieldSelector.parse("baz=blah").matches(fieldset))
        #expect(try FieldSelector.parse("foo=bar,baz=blah").matches(fieldset))
        #expect(try FieldSelector.parse(#"foo=bar,baz=blah,complex=\=value\\\,\\"#).matches(fieldset))
        #expect(try !FieldSelector.parse("foo=blah").matches(fieldset))
        #expect(try !FieldSelector.parse("baz=bar").matches(fieldset))
        #expect(try !FieldSelector.parse("foo=bar,foobar=bar,baz=blah").matches(fieldset))
    }

    @Test func oneTermAndSet() {
        #expect(FieldSelector.oneTermEqual("x", "y").matches(["x": "y"]))
        #expect(!FieldSelector.oneTermEqual("x", "y").matches(["x": "z"]))
        let labelset = ["foo": "bar", "baz": "blah"]
        #expect(FieldSelector(set: [:]).matches(labelset))
        #expect(FieldSelector(set: ["foo": "bar", "baz": "blah"]).matches(labelset))
        #expect(!FieldSelector(set: ["foo": "=blah"]).matches(labelset))
        #expect(FieldSelector(set: ["b": "1", "a": "x,y"]).description == #"a=x\,y,b=1"#)
    }

    @Test func requiresExactMatch() throws {
        #expect(FieldSelector.everything.requiresExactMatch("test") == nil)
        #expect(FieldSelector.oneTermEqual("a", "b").requiresExactMatch("test") == nil)
        #expect(FieldSelector.oneTermEqual("test", "b").requiresExactMatch("test") == "b")
        #expect(FieldSelector.oneTermEqual("test", "").requiresExactMatch("test") == "")
        #expect(try FieldSelector.parse("test!=b").requiresExactMatch("test") == nil)
        #expect(try FieldSelector.parse("a=x,spec.nodeName=n1").requiresExactMatch("spec.nodeName") == "n1")
    }

    // MARK: Kinds

    @Test func validateForKind() throws {
        try FieldSelector.parse("metadata.name=foo,status.phase!=Running,spec.nodeName=n1").validate(forKind: "Pod")
        #expect(throws: SelectorError("field label not supported: spec.foo")) {
            try FieldSelector.parse("spec.foo=bar").validate(forKind: "Pod")
        }
        #expect(throws: SelectorError("field label not supported: metadata.namespace")) {
            try FieldSelector.parse("metadata.namespace=x").validate(forKind: "Node")
        }
        try FieldSelector.parse("spec.unschedulable=false").validate(forKind: "Node")
        try FieldSelector.parse("involvedObject.kind=Pod,reason=Started,source=kubelet").validate(forKind: "Event")
        try FieldSelector.parse("type=kubernetes.io/tls").validate(forKind: "Secret")
        try FieldSelector.parse("status.phase=Active,metadata.name=default").validate(forKind: "Namespace")
        try FieldSelector.parse("status.replicas=0").validate(forKind: "ReplicaSet")
        try FieldSelector.parse("status.replicas=0").validate(forKind: "ReplicationController")
        try FieldSelector.parse("status.successful=1").validate(forKind: "Job")
        try FieldSelector.parse("metadata.name=a,metadata.namespace=b").validate(forKind: "Deployment")
        #expect(throws: SelectorError("field label not supported: status.replicas")) {
            try FieldSelector.parse("status.replicas=1").validate(forKind: "Deployment")
        }
        try FieldSelector.parse("spec.color=red").validate(supportedFields: ["metadata.name", "spec.color"])
        // The legacy Pod field spec.host is converted to spec.nodeName.
        #expect(try FieldSelector.parse("spec.host=n1").validated(forKind: "Pod").description == "spec.nodeName=n1")
    }

    private let pod: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": "web-0", "namespace": "prod"],
        "spec": ["nodeName": "n1", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                 "serviceAccountName": "default", "hostNetwork": true],
        "status": ["phase": "Running", "podIP": "10.0.0.9", "podIPs": [["ip": "10.0.0.9"], ["ip": "fd00::9"]],
                   "nominatedNodeName": "n2"],
    ]

    @Test func podFields() throws {
        let fields = FieldSelector.fields(of: pod, kind: "Pod")
        #expect(fields == [
            "metadata.name": "web-0", "metadata.namespace": "prod", "spec.nodeName": "n1",
            "spec.restartPolicy": "Always", "spec.schedulerName": "default-scheduler",
            "spec.serviceAccountName": "default", "spec.hostNetwork": "true", "status.phase": "Running",
            "status.podIP": "10.0.0.9", "status.nominatedNodeName": "n2",
        ])
        let bare: JSONValue = ["metadata": ["name": "p"], "status": ["podIP": "1.2.3.4"]]
        let bareFields = FieldSelector.fields(of: bare, kind: "Pod")
        #expect(bareFields["spec.hostNetwork"] == "false")
        #expect(bareFields["spec.nodeName"] == "")
        #expect(bareFields["metadata.namespace"] == "")
        #expect(bareFields["status.podIP"] == "1.2.3.4")

        let selector = try FieldSelector.parse("spec.nodeName=n1,status.phase!=Succeeded")
        #expect(selector.matches(fields))
        #expect(selector.matches(pod, kind: "Pod"))
        #expect(try !FieldSelector.parse("spec.nodeName=").matches(pod, kind: "Pod"))
        #expect(try FieldSelector.parse("spec.nodeName=").matches(bare, kind: "Pod"))
        #expect(try FieldSelector.parse("spec.hostNetwork=true,metadata.namespace=prod").matches(pod, kind: "Pod"))
    }

    @Test func eventFields() {
        let event: JSONValue = [
            "metadata": ["name": "web-0.17a", "namespace": "prod"],
            "involvedObject": ["kind": "Pod", "namespace": "prod", "name": "web-0", "uid": "u1",
                               "apiVersion": "v1", "resourceVersion": "42", "fieldPath": "spec.containers{app}"],
            "reason": "Started", "type": "Normal", "reportingComponent": "kubelet",
        ]
        let fields = FieldSelector.fields(of: event, kind: "Event")
        #expect(fields == [
            "metadata.name": "web-0.17a", "metadata.namespace": "prod",
            "involvedObject.kind": "Pod", "involvedObject.namespace": "prod", "involvedObject.name": "web-0",
            "involvedObject.uid": "u1", "involvedObject.apiVersion": "v1", "involvedObject.resourceVersion": "42",
            "involvedObject.fieldPath": "spec.containers{app}", "reason": "Started",
            "reportingComponent": "kubelet", "source": "kubelet", "type": "Normal",
        ])
        var withSource = event
        withSource["source"] = ["component": "scheduler"]
        #expect(FieldSelector.fields(of: withSource, kind: "Event")["source"] == "scheduler")
    }

    @Test func otherKindsFields() {
        let node: JSONValue = ["metadata": ["name": "n1"], "spec": ["unschedulable": true]]
        #expect(FieldSelector.fields(of: node, kind: "Node") == [
            "metadata.name": "n1", "metadata.namespace": "", "spec.unschedulable": "true",
        ])
        let namespace: JSONValue = ["metadata": ["name": "prod"], "status": ["phase": "Terminating"]]
        #expect(FieldSelector.fields(of: namespace, kind: "Namespace")["status.phase"] == "Terminating")
        let secret: JSONValue = ["metadata": ["name": "s", "namespace": "a"], "type": "Opaque"]
        #expect(FieldSelector.fields(of: secret, kind: "Secret") == [
            "metadata.name": "s", "metadata.namespace": "a", "type": "Opaque",
        ])
        let rs: JSONValue = ["metadata": ["name": "r"], "status": ["replicas": 3]]
        #expect(FieldSelector.fields(of: rs, kind: "ReplicaSet")["status.replicas"] == "3")
        #expect(FieldSelector.fields(of: ["metadata": ["name": "rc"]], kind: "ReplicationController")["status.replicas"] == "0")
        let job: JSONValue = ["metadata": ["name": "j"], "status": ["succeeded": 2]]
        #expect(FieldSelector.fields(of: job, kind: "Job")["status.successful"] == "2")
        let service: JSONValue = ["metadata": ["name": "svc"], "spec": ["clusterIP": "10.96.0.1", "type": "ClusterIP"]]
        #expect(FieldSelector.fields(of: service, kind: "Service")["spec.clusterIP"] == "10.96.0.1")
        #expect(FieldSelector.fields(of: ["metadata": ["name": "d", "namespace": "x"]], kind: "Deployment") == [
            "metadata.name": "d", "metadata.namespace": "x",
        ])
    }
}
