import BosunKit
import Testing

@testable import BosunManifests

/// Reads `text`, expecting success.
private func read(_ text: String, source: String = "test.yaml", limits: ManifestReader.Limits = .default) throws -> [ManifestDocument] {
    try ManifestReader.read(text, source: source, limits: limits)
}

/// Reads `text`, expecting a failure, and returns it.
private func failure(_ text: String, source: String = "test.yaml", limits: ManifestReader.Limits = .default) -> ManifestError? {
    do {
        let documents = try ManifestReader.read(text, source: source, limits: limits)
        Issue.record("expected an error, read \(documents.count) documents")
        return nil
    } catch {
        return error
    }
}

private func failure(bytes: [UInt8], source: String = "test.yaml") -> ManifestError? {
    do {
        _ = try ManifestReader.read(bytes: bytes, source: source)
        Issue.record("expected an error")
        return nil
    } catch {
        return error
    }
}

private func path(_ components: Any...) -> [JSONDecodingError.PathComponent] {
    components.map { ($0 as? Int).map { .index($0) } ?? .key("\($0)") }
}

// MARK: - Realistic manifests

@Suite struct RealManifests {
    /// The nginx Deployment of the Kubernetes docs and a Service, in one file.
    static let nginx = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx-deployment
          labels:
            app: nginx
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: nginx:1.14.2
                ports:
                - containerPort: 80
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: my-service
        spec:
          selector:
            app.kubernetes.io/name: MyApp
          ports:
            - protocol: TCP
              port: 80
              targetPort: 9376

        """

    @Test func deploymentAndService() throws {
        let docs = try read(Self.nginx, source: "nginx.yaml")
        try #require(docs.count == 2)

        let deployment = docs[0]
        #expect(deployment.index == 0)
        #expect(deployment.listItem == nil)
        #expect(deployment.source == "nginx.yaml")
        #expect(deployment.startLine == 1)
        #expect(deployment.format == .yaml)
        #expect(deployment.apiVersion == "apps/v1")
        #expect(deployment.kind == "Deployment")
        #expect(deployment.name == "nginx-deployment")
        #expect(deployment.namespace == nil)
        #expect(deployment.label == "document 1")
        #expect(deployment.value.objectValue?.keys == ["apiVersion", "kind", "metadata", "spec"])
        #expect(deployment.value[path: ["spec", "replicas"]] == 3)
        let container = deployment.value[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
        #expect(container == ["name": "nginx", "image": "nginx:1.14.2", "ports": [["containerPort": 80]]])

        let image = deployment.location(of: path("spec", "template", "spec", "containers", 0, "image"))
        #expect(image?.line == 19)
        #expect(image?.column == 9)
        #expect(deployment.locations[path("spec", "template", "spec", "containers", 0)] == SourceLocation(line: 18, column: 9))
        #expect(deployment.locations[path("spec", "replicas")] == SourceLocation(line: 8, column: 3))
        #expect(deployment.locations[[]] == SourceLocation(line: 1, column: 1))

        let service = docs[1]
        #expect(service.index == 1)
        #expect(service.startLine == 23)
        #expect(service.kind == "Service")
        let expected: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "my-service"],
            "spec": [
                "selector": ["app.kubernetes.io/name": "MyApp"],
                "ports": [["protocol": "TCP", "port": 80, "targetPort": 9376]],
            ],
        ]
        #expect(service.value == expected)
        #expect(service.location(of: path("spec", "ports", 0, "port"))?.line == 32)
        #expect(service.location(of: path("spec", "ports", 0, "port"))?.column == 7)
        #expect(
            service.value.description
                == #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"my-service"},"spec":{"selector":{"app.kubernetes.io/name":"MyApp"},"ports":[{"protocol":"TCP","port":80,"targetPort":9376}]}}"#
        )
    }

    /// The `web` StatefulSet example of the Kubernetes docs, with its headless Service.
    @Test func webStatefulSet() throws {
        let text = """
            apiVersion: v1
            kind: Service
            metadata:
              name: nginx
              labels:
                app: nginx
            spec:
              ports:
              - port: 80
                name: web
              clusterIP: None
              selector:
                app: nginx
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: web
            spec:
              selector:
                matchLabels:
                  app: nginx # has to match .spec.template.metadata.labels
              serviceName: "nginx"
              replicas: 3 # by default is 1
              minReadySeconds: 10 # by default is 0
              template:
                metadata:
                  labels:
                    app: nginx # has to match .spec.selector.matchLabels
                spec:
                  terminationGracePeriodSeconds: 10
                  containers:
                  - name: nginx
                    image: registry.k8s.io/nginx-slim:0.24
                    ports:
                    - containerPort: 80
                      name: web
                    volumeMounts:
                    - name: www
                      mountPath: /usr/share/nginx/html
              volumeClaimTemplates:
              - metadata:
                  name: www
                spec:
                  accessModes: [ "ReadWriteOnce" ]
                  storageClassName: "my-storage-class"
                  resources:
                    requests:
                      storage: 1Gi
            """
        let docs = try read(text, source: "web.yaml")
        try #require(docs.count == 2)
        #expect(docs.map(\.kind) == ["Service", "StatefulSet"])
        #expect(docs[0].value[path: ["spec", "clusterIP"]] == "None")
        let sts = docs[1]
        #expect(sts.startLine == 15)
        #expect(sts.name == "web")
        #expect(sts.value[path: ["spec", "serviceName"]] == "nginx")
        #expect(sts.value[path: ["spec", "replicas"]] == 3)
        #expect(sts.value[path: ["spec", "minReadySeconds"]] == 10)
        #expect(sts.value[path: ["spec", "selector", "matchLabels"]] == ["app": "nginx"])
        let claim = sts.value[path: ["spec", "volumeClaimTemplates"]]?.arrayValue?.first
        #expect(claim?[path: ["spec", "accessModes"]] == ["ReadWriteOnce"])
        #expect(claim?[path: ["spec", "resources", "requests", "storage"]] == "1Gi")
        #expect(sts.locations[path("spec", "volumeClaimTemplates", 0, "spec", "resources", "requests", "storage")] == SourceLocation(line: 49, column: 11))
        #expect(sts.locations[path("spec", "volumeClaimTemplates", 0, "spec", "accessModes", 0)] == SourceLocation(line: 45, column: 22))
    }

    /// The `hello` CronJob of the Kubernetes docs.
    @Test func cronJob() throws {
        let text = """
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: hello
            spec:
              schedule: "* * * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                      - name: hello
                        image: busybox:1.28
                        imagePullPolicy: IfNotPresent
                        command:
                        - /bin/sh
                        - -c
                        - date; echo Hello from the Kubernetes cluster
                      restartPolicy: OnFailure
            """
        let docs = try read(text, source: "cronjob.yaml")
        try #require(docs.count == 1)
        let podSpec = try #require(docs[0].value[path: ["spec", "jobTemplate", "spec", "template", "spec"]])
        #expect(docs[0].value[path: ["spec", "schedule"]] == "* * * * *")
        #expect(podSpec["restartPolicy"] == "OnFailure")
        #expect(podSpec["containers"]?.arrayValue?.first?["command"] == ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"])
        let command2 = docs[0].location(of: path("spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "command", 2))
        #expect(command2?.line == 18)
        #expect(command2?.column == 15)
    }

    @Test func jsonInput() throws {
        let text = """
            {
              "apiVersion": "v1",
              "kind": "Pod",
              "metadata": {"name": "web", "namespace": "prod"},
              "spec": {
                "containers": [
                  {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}
                ]
              }
            }
            """
        let docs = try read(text, source: "pod.json")
        try #require(docs.count == 1)
        let pod = docs[0]
        #expect(pod.format == .json)
        #expect(pod.kind == "Pod")
        #expect(pod.namespace == "prod")
        #expect(pod.startLine == 1)
        #expect(pod.value[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "nginx")
        #expect(pod.locations[path("spec", "containers", 0, "image")] == SourceLocation(line: 7, column: 23))
        #expect(pod.locations[path("spec", "containers", 0)] == SourceLocation(line: 7, column: 7))
        #expect(pod.locations[path("metadata", "namespace")] == SourceLocation(line: 4, column: 31))
    }

    @Test func jsonWithEscapedKeysAndList() throws {
        let text = #"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a\u0062": "x"}}]}"#
        let docs = try read(text, source: "list.json")
        try #require(docs.count == 1)
        #expect(docs[0].listItem == 0)
        #expect(docs[0].value[path: ["data", "ab"]] == "x")
        #expect(docs[0].locations[path("data", "ab")] == SourceLocation(line: 1, column: 99))
    }
}

// MARK: - YAML resolution

@Suite struct YAMLFeatures {
    private func values(_ body: String) throws -> JSONObject {
        let docs = try read("apiVersion: v1\nkind: Test\nv:\n" + body)
        return try #require(docs.first?.value["v"]?.objectValue)
    }

    @Test func scalarsResolveAsGoYAMLv2() throws {
        let v = try values(
            """
              t1: true
              t2: True
              t3: yes
              t4: On
              t5: y
              t6: YES
              f1: no
              f2: OFF
              f3: n
              f4: False
              n1: null
              n2: ~
              n3:
              n4: Null
              i1: 42
              i2: -17
              i3: 0x1F
              i4: 0o17
              i5: 017
              i6: 0b101
              i7: 1_000
              i8: +7
              i9: 9223372036854775807
              i10: -9223372036854775808
              x1: 1.5
              x2: 1e3
              x3: .5
              x4: -.5e1
              x5: 1.10
              x6: 08
              x7: 18446744073709551615
              s1: "yes"
              s2: 'true'
              s3: "123"
              s4: 2024-01-31
              s5: 1.2.3
              s6: 0x
              s7: "null"
              s8: Yes please
              s9: <<
              s10: 12:30
              s11: yES
              s12: ''
            """)
        let expected: [String: JSONValue] = [
            "t1": true, "t2": true, "t3": true, "t4": true, "t5": true, "t6": true,
            "f1": false, "f2": false, "f3": false, "f4": false,
            "n1": nil, "n2": nil, "n3": nil, "n4": nil,
            "i1": 42, "i2": -17, "i3": 31, "i4": 15, "i5": 15, "i6": 5, "i7": 1000, "i8": 7,
            "i9": .number(.int(.max)), "i10": .number(.int(.min)),
            "x1": 1.5, "x2": 1000, "x3": 0.5, "x4": -5, "x5": 1.1, "x6": 8, "x7": .number(.double(18446744073709551616)),
            "s1": "yes", "s2": "true", "s3": "123", "s4": "2024-01-31", "s5": "1.2.3", "s6": "0x", "s7": "null",
            "s8": "Yes please", "s9": "<<", "s10": "12:30", "s11": "yES", "s12": "",
        ]
        #expect(v.count == expected.count)
        for (key, value) in expected {
            #expect(v[key] == value, "\(key)")
        }
        // Integers stay exact integers; floats are doubles.
        #expect(v["i3"] == .number(.int(31)))
        if case .number(.double(let d))? = v["x6"] { #expect(d == 8) } else { Issue.record("08 is a float in go-yaml v2") }
    }

    @Test func blockScalarsAreStrings() throws {
        let v = try values(
            """
              literal: |
                line one
                line two
              stripped: |-
                no newline
              folded: >
                folded
                text

                para
              kept: |+
                keep

              number: |
                42
              after: x
            """)
        #expect(v["literal"] == "line one\nline two\n")
        #expect(v["stripped"] == "no newline")
        #expect(v["folded"] == "folded text\npara\n")
        #expect(v["kept"] == "keep\n\n")
        #expect(v["number"] == "42\n")
        #expect(v["after"] == "x")
    }

    @Test func explicitTags() throws {
        let v = try values(
            """
              a: !!str 123
              b: !!int "42"
              c: !!float 3
              d: !custom thing
              e: !!bool "yes"
              f: !!null ""
              g: !!timestamp 2024-01-31
            """)
        #expect(v["a"] == "123")
        #expect(v["b"] == 42)
        #expect(v["c"] == .number(.double(3)))
        #expect(v["d"] == "thing")
        #expect(v["e"] == true)
        #expect(v["f"] == .null)
        #expect(v["g"] == "2024-01-31")

        let mismatch = failure("apiVersion: v1\nkind: Test\nspec:\n  x: !!int abc\n")
        #expect(mismatch?.description == "test.yaml: document 1, line 4, column 6: cannot decode !!str `abc` as a !!int")
        #expect(mismatch?.reason == .unsupportedValue)
        let binary = failure("apiVersion: v1\nkind: Test\ndata: !!binary aGVsbG8=\n")
        #expect(binary?.message == "!!binary values are not supported: write the base64 text as a plain string")
    }

    @Test func infinityAndNaNAreErrors() {
        let inf = failure("apiVersion: v1\nkind: Test\nspec:\n  x: .inf\n")
        #expect(inf?.reason == .unsupportedValue)
        #expect(
            inf?.description
                == "test.yaml: document 1, line 4, column 6: .inf cannot be represented in JSON (it has no infinities, NaN or numbers that large); quote it to make it a string"
        )
        #expect(failure("apiVersion: v1\nkind: Test\nx: -.Inf\n")?.line == 3)
        #expect(failure("apiVersion: v1\nkind: Test\nx: [1, .NaN]\n")?.column == 8)
        #expect((try? read("apiVersion: v1\nkind: Test\nx: \".inf\"\n"))?.first?.value["x"] == ".inf")
    }

    @Test func anchorsAndAliases() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: &labels
                app: web
            spec:
              containers:
              - name: a
                env: &env
                - name: MODE
                  value: prod
              - name: b
                env: *env
              nodeSelector: *labels
              hostname: &host web-0
              subdomain: *host
            """
        let doc = try #require(try read(text).first)
        let containers = try #require(doc.value[path: ["spec", "containers"]]?.arrayValue)
        #expect(containers[1]["env"] == [["name": "MODE", "value": "prod"]])
        #expect(containers[1]["env"] == containers[0]["env"])
        #expect(doc.value[path: ["spec", "nodeSelector"]] == ["app": "web"])
        #expect(doc.value[path: ["spec", "subdomain"]] == "web-0")
        // The member holding the alias is located at the alias; what it expands to, at the anchor.
        #expect(doc.locations[path("spec", "containers", 1, "env")] == SourceLocation(line: 14, column: 5))
        #expect(doc.locations[path("spec", "containers", 1, "env", 0, "value")] == SourceLocation(line: 12, column: 7))
        #expect(doc.locations[path("spec", "nodeSelector", "app")] == SourceLocation(line: 6, column: 5))
    }

    @Test func aliasErrors() {
        #expect(failure("apiVersion: v1\nkind: Pod\nspec:\n  x: *nope\n")?.description == "test.yaml: document 1, line 4, column 6: unknown anchor \"nope\" referenced")
        #expect(failure("apiVersion: v1\nkind: Pod\nspec: &x\n  self: *x\n")?.message == "anchor \"x\" value contains itself")
    }

    @Test func mergeKeys() throws {
        let text = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: merged
            x-defaults:
              one: &one
                a: "1"
                b: "1"
              two: &two
                b: "2"
                c: "2"
            data:
              <<: [*one, *two]
              c: "3"
              d: "3"
            single:
              <<: *two
              c: "4"
            before:
              b: explicit
              <<: *one
            inline:
              <<: {z: 1}
              "<<": not a merge
            """
        let doc = try #require(try read(text).first)
        let data = try #require(doc.value["data"]?.objectValue)
        #expect(data.keys == ["a", "b", "c", "d"])
        #expect(doc.value["data"] == ["a": "1", "b": "1", "c": "3", "d": "3"])
        #expect(doc.value["single"] == ["b": "2", "c": "4"])
        // Keys written in the mapping win over merged ones, wherever the << is.
        #expect(doc.value["before"] == ["b": "explicit", "a": "1"])
        #expect(doc.value["inline"] == ["z": 1, "<<": "not a merge"])
        #expect(doc.locations[path("data", "a")] == SourceLocation(line: 7, column: 5))
        #expect(doc.locations[path("data", "c")] == SourceLocation(line: 14, column: 3))

        let bad = failure("apiVersion: v1\nkind: Test\nspec:\n  <<: 5\n")
        #expect(bad?.description == "test.yaml: document 1, line 4, column 7: map merge requires map or sequence of maps as the value")
        #expect(failure("apiVersion: v1\nkind: Test\na: &a [1]\nspec:\n  <<: [*a]\n")?.line == 5)
    }

    @Test func nonStringKeysBecomeStrings() throws {
        let v = try values(
            """
              1: int
              0x10: hex
              2.5: float
              1e6: exp
              on: push
              -3: negative
            """)
        #expect(v.keys == ["1", "16", "2.5", "1e+06", "true", "-3"])

        let null = failure("apiVersion: v1\nkind: Test\nspec:\n  ~: x\n")
        #expect(null?.description == "test.yaml: document 1, line 4, column 3: invalid map key: null")
        let sequence = failure("apiVersion: v1\nkind: Test\nspec:\n  ? [a, b]\n  : x\n")
        #expect(sequence?.description == "test.yaml: document 1, line 4, column 5: invalid map key: a sequence cannot be a key")
    }

    @Test func goFloatKeyFormatting() {
        #expect(YAMLScalars.goFormatFloat32(1e6) == "1e+06")
        #expect(YAMLScalars.goFormatFloat32(123456) == "123456")
        #expect(YAMLScalars.goFormatFloat32(1234567) == "1.234567e+06")
        #expect(YAMLScalars.goFormatFloat32(0.1) == "0.1")
        #expect(YAMLScalars.goFormatFloat32(0.0001) == "0.0001")
        #expect(YAMLScalars.goFormatFloat32(0.00001) == "1e-05")
        #expect(YAMLScalars.goFormatFloat32(-2.5) == "-2.5")
        #expect(YAMLScalars.goFormatFloat32(123456789) == "1.2345679e+08")
        #expect(YAMLScalars.goFormatFloat32(.infinity) == ".inf")
        #expect(YAMLScalars.goFormatFloat32(0) == "0")
    }

    @Test func duplicateKeys() {
        let text = """
            apiVersion: v1
            kind: Pod
            spec:
              containers:
              - name: a
                image: nginx
                image: httpd
            """
        let error = failure(text, source: "pod.yaml")
        #expect(error?.reason == .duplicateKey)
        #expect(error?.description == "pod.yaml: document 1, line 7, column 5: duplicate key \"image\" (first defined at line 6)")
        // Keys are compared as the JSON keys they become.
        #expect(failure("apiVersion: v1\nkind: Test\nx:\n  1: a\n  \"1\": b\n")?.message == "duplicate key \"1\" (first defined at line 4)")
        #expect(failure("apiVersion: v1\nkind: Test\nx:\n  yes: a\n  true: b\n")?.line == 5)
        #expect(failure("apiVersion: v1\nkind: Test\nkind: Pod\n")?.line == 3)
    }

    @Test func streamStructure() throws {
        let text = """
            # leading comment
            ---
            ---
            # only a comment
            ---
            ~
            ---
            apiVersion: v1
            kind: A
            ---
            null
            ...
            ---
            apiVersion: v1
            kind: B
            ...
            ---

            """
        let docs = try read(text)
        #expect(docs.map(\.kind) == ["A", "B"])
        #expect(docs.map(\.index) == [0, 1])
        #expect(docs.map(\.startLine) == [8, 14])

        // Numbering in errors counts the same way.
        let error = failure("# header\n---\napiVersion: v1\nkind: A\n---\n# nothing\n---\napiVersion: v1\nkind: B\nspec: [\n")
        #expect(error?.documentIndex == 1)
        #expect(error?.description.hasPrefix("test.yaml: document 2, line 11, column 1: ") == true)

        #expect(try read("").isEmpty)
        #expect(try read("  \n\n").isEmpty)
        #expect(try read("# just a comment\n---\n# another\n").isEmpty)
    }

    @Test func lineEndingsMarkersAndDirectives() throws {
        let crlf = try read("apiVersion: v1\r\nkind: Pod\r\n---\r\napiVersion: v1\r\nkind: Service\r\n")
        #expect(crlf.map(\.kind) == ["Pod", "Service"])
        #expect(crlf[1].startLine == 4)
        #expect(crlf[0].value["apiVersion"] == "v1")

        let directive = try read("%YAML 1.1\n---\napiVersion: v1\nkind: Pod\n")
        #expect(directive.first?.startLine == 3)

        let bom = try read("\u{FEFF}apiVersion: v1\nkind: Pod\nx: 1\n")
        #expect(bom.first?.locations[path("x")] == SourceLocation(line: 3, column: 1))

        let separator = failure("apiVersion: v1\nkind: Pod\n--- {a: 1}\n")
        #expect(separator?.description == "test.yaml: line 3, column 5: invalid document separator: only a comment may follow \"---\" on its line")
        #expect(try read("apiVersion: v1\nkind: A\n--- # next\napiVersion: v1\nkind: B\n").count == 2)
    }

    @Test func listsExpand() throws {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: one
            - apiVersion: v1
              kind: Secret
              metadata:
                name: two
            ---
            apiVersion: v1
            kind: Pod
            """
        let docs = try read(text)
        #expect(docs.map(\.kind) == ["ConfigMap", "Secret", "Pod"])
        #expect(docs.map(\.index) == [0, 0, 1])
        #expect(docs.map(\.listItem) == [0, 1, nil])
        #expect(docs.map(\.startLine) == [4, 8, 13])
        #expect(docs[1].label == "document 1, item 2")
        #expect(docs[1].location(of: path("metadata", "name"))?.line == 11)
        #expect(docs[1].locations[[]] == SourceLocation(line: 8, column: 3))

        let typed = try read("apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n")
        #expect(typed.map(\.kind) == ["Pod"])
        #expect(try read("apiVersion: v1\nkind: List\nitems: []\n").isEmpty)
        #expect(try read("apiVersion: v1\nkind: List\n").isEmpty)

        let missing = failure("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: A\n- apiVersion: v1\n  metadata: {}\n", source: "list.yaml")
        #expect(missing?.description == "list.yaml: document 1, item 2, line 6: missing field \"kind\"")
        #expect(missing?.listItem == 1)
        let notList = failure("apiVersion: v1\nkind: List\nitems: {}\n")
        #expect(notList?.description == "test.yaml: document 1, line 3: \"items\" of a List must be a sequence, got a mapping")
    }
}

// MARK: - Errors

@Suite struct Errors {
    @Test func syntaxErrorNamesDocumentLineAndColumn() {
        let text = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: a
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: b: c
            """
        let error = failure(text, source: "nginx.yaml")
        #expect(error?.reason == .syntax)
        #expect(error?.description == "nginx.yaml: document 2, line 9, column 10: mapping values are not allowed in this context")
        #expect(error?.documentIndex == 1)
        #expect(error?.line == 9)
        #expect(error?.column == 10)
    }

    @Test func notAnObject() {
        #expect(failure("- a\n- b\n")?.description == "test.yaml: document 1, line 1: not a Kubernetes object: expected a mapping at the top level, got a sequence")
        #expect(failure("hello\n")?.description == "test.yaml: document 1, line 1: not a Kubernetes object: expected a mapping at the top level, got the string \"hello\"")
        #expect(failure("apiVersion: v1\nkind: A\n---\n42\n")?.description == "test.yaml: document 2, line 4: not a Kubernetes object: expected a mapping at the top level, got the number 42")
        // A missing space after the colon makes a string, not a mapping.
        #expect(failure("apiVersion:v1\n")?.reason == .notAnObject)
        #expect(failure("[1, 2]")?.description == "test.yaml: document 1, line 1: not a Kubernetes object: expected an object at the top level, got an array")
    }

    @Test func missingAndInvalidTypeFields() {
        #expect(failure("# a comment\n\nmetadata:\n  name: x\napiVersion: v1\n")?.description == "test.yaml: document 1, line 3: missing field \"kind\"")
        #expect(failure("kind: Pod\n")?.description == "test.yaml: document 1, line 1: missing field \"apiVersion\"")
        #expect(failure("metadata: {}\n")?.description == "test.yaml: document 1, line 1: missing fields \"apiVersion\" and \"kind\"")
        #expect(failure("kind: Pod\napiVersion: 1\n")?.description == "test.yaml: document 1, line 2: \"apiVersion\" must be a string, got the number 1")
        #expect(failure("apiVersion: v1\nkind:\n")?.description == "test.yaml: document 1, line 2: \"kind\" must be a string, got null")
        #expect(failure("apiVersion: v1\nkind: [Pod]\n")?.description == "test.yaml: document 1, line 2: \"kind\" must be a string, got a sequence")
        #expect(failure("apiVersion: v1\nkind: \"\"\n")?.description == "test.yaml: document 1, line 2: \"kind\" must not be empty")
        #expect(failure("apiVersion: v1\nkind: true\n")?.reason == .invalidField)
        #expect(failure(#"{"apiVersion": "v1", "kind": 3}"#)?.description == "test.yaml: document 1, line 1: \"kind\" must be a string, got the number 3")
    }

    @Test func malformedYAML() {
        let truncated = failure("apiVersion: v1\nkind: Pod\nspec:\n  containers: [a, b\n")
        #expect(truncated?.description == "test.yaml: document 1, line 5, column 1: did not find expected ',' or ']' (while parsing a flow sequence starting at line 4, column 15)")

        let tab = failure("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
        #expect(tab?.description == "test.yaml: document 1, line 4, column 1: found character that cannot start any token (a tab: YAML does not allow tabs for indentation)")

        let quote = failure("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"abc\n  labels: {}\n")
        #expect(quote?.description == "test.yaml: document 1, line 6, column 1: found unexpected end of stream (while scanning a quoted scalar starting at line 4, column 9)")

        let single = failure("apiVersion: v1\nkind: Pod\nmetadata:\n  name: 'abc\n")
        #expect(single?.reason == .syntax)
        #expect(single?.message.contains("while scanning a quoted scalar starting at line 4, column 9") == true)

        let indentation = failure("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n labels: {}\n")
        #expect(indentation?.reason == .syntax)
        #expect(indentation?.line == 5)
    }

    @Test func encodingProblems() {
        let invalid = failure(bytes: Array("apiVersion: v1\nkind: Pod\nname: caf".utf8) + [0xFF, 0x0A])
        #expect(invalid?.reason == .encoding)
        #expect(invalid?.description == "test.yaml: line 3, column 10: invalid UTF-8 (byte 0xFF)")
        #expect(failure(bytes: Array("kind: Pod\nname: \u{E9}".utf8.dropLast()) + [0x41])?.line == 2)
        #expect(failure(bytes: [0xFF, 0xFE, 0x61, 0x00])?.message == "UTF-16 text is not supported: save the file as UTF-8")

        let control = failure("apiVersion: v1\nkind: Pod\nx: \u{1}\n")
        #expect(control?.description == "test.yaml: document 1, line 3, column 4: control characters are not allowed (U+0001)")
        #expect(control?.reason == .encoding)
    }

    @Test func sizeLimits() {
        let limits = ManifestReader.Limits(maxInputBytes: 100, maxDocumentBytes: 40)
        let big = "apiVersion: v1\nkind: Pod\n" + String(repeating: "#", count: 200)
        #expect(failure(big, limits: limits)?.description == "test.yaml: input is 225 bytes; the limit is 100 bytes")
        let secondTooBig = "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\nx: \(String(repeating: "y", count: 30))\n"
        let error = failure(secondTooBig, limits: limits)
        #expect(error?.reason == .tooLarge)
        #expect(error?.description == "test.yaml: document 2, line 4: document is 61 bytes; the limit is 40 bytes")
        #expect(failure(#"{"apiVersion": "v1", "kind": "Pod", "x": "0123456789"}"#, limits: limits)?.reason == .tooLarge)

        #expect(ManifestReader.Limits.default.maxInputBytes == 64 << 20)
        #expect(ManifestReader.Limits.default.maxDocumentBytes == 3 << 20)
        #expect(ManifestReader.formatSize(3 << 20) == "3 MiB")
        #expect(ManifestReader.formatSize(3 << 20 + 400 << 10) == "3.4 MiB")

        let huge = String(repeating: "a", count: (64 << 20) + 1)
        #expect(failure(huge)?.description == "test.yaml: input is 64.0 MiB; the limit is 64 MiB")
    }

    @Test func deepNestingFailsCleanly() {
        let json = failure(String(repeating: "[", count: 100_000), source: "deep.json")
        #expect(json?.reason == .tooDeep)
        #expect(json?.description == "deep.json: document 1, line 1, column 1001: invalid JSON: nesting deeper than 1000 levels")
        let jsonObjects = failure(String(repeating: #"{"a":"#, count: 100_000))
        #expect(jsonObjects?.reason == .tooDeep)

        let flow = failure("apiVersion: v1\nkind: Pod\nx: " + String(repeating: "[", count: 100_000))
        #expect(flow?.reason == .tooDeep)
        #expect(flow?.description == "test.yaml: document 1, line 3: nesting deeper than 1000 levels")
        let block = failure(String(repeating: "- ", count: 100_000) + "x\n")
        #expect(block?.reason == .tooDeep)
        var indented = "apiVersion: v1\nkind: Pod\n"
        for depth in 0..<1_500 { indented += String(repeating: " ", count: depth) + "k:\n" }
        #expect(failure(indented)?.reason == .tooDeep)

        // Within libyaml's limit, ours applies, aliases included.
        let aliased = "apiVersion: v1\nkind: Pod\na: &a [[1]]\nb: &b [*a]\nc: [*b]\n"
        #expect(throws: Never.self) { try read(aliased, limits: .init(maxDepth: 5)) }
        let tooDeep = failure(aliased, limits: .init(maxDepth: 4))
        #expect(tooDeep?.description == "test.yaml: document 1, line 5, column 5: nesting deeper than 4 levels")
    }

    @Test func aliasBombsFailFast() {
        func bomb(levels: Int) -> String {
            var text = "apiVersion: v1\nkind: ConfigMap\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            for i in 1...levels {
                let previous = "*a\(i - 1)"
                text += "a\(i): &a\(i) [\(Array(repeating: previous, count: 9).joined(separator: ", "))]\n"
            }
            return text
        }
        let error = failure(bomb(levels: 9))
        #expect(error?.reason == .excessiveAliasing)
        #expect(error?.message == "document contains excessive aliasing")
        #expect(error?.line == 6)

        // As a key it is refused before anything looks inside it (Yams' composer would hash it).
        let keyBomb = failure(bomb(levels: 2) + "? *a2\n: v\n")
        #expect(keyBomb?.description == "test.yaml: document 1, line 6, column 3: invalid map key: a sequence cannot be a key")

        // Modest reuse is fine.
        var modest = "apiVersion: v1\nkind: ConfigMap\nbase: &base {a: 1, b: 2}\n"
        for i in 0..<200 { modest += "c\(i): *base\n" }
        #expect(throws: Never.self) { try read(modest) }
    }

    @Test func standardInputIsNamed() {
        #expect(failure("- a\n", source: "-")?.description.hasPrefix("<stdin>: document 1, line 1: ") == true)
    }

    @Test func jsonErrors() {
        let syntax = failure("{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\" \"a\": 1}", source: "pod.json")
        #expect(syntax?.reason == .syntax)
        #expect(syntax?.description == "pod.json: document 1, line 2, column 16: invalid JSON: expected ',' or '}' in object")
        let duplicate = failure("{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"kind\": \"Service\"}", source: "pod.json")
        #expect(duplicate?.description == "pod.json: document 1, line 2, column 2: duplicate key \"kind\" (first defined at line 1)")
        // Concatenated JSON documents are not a stream.
        #expect(failure("{\"apiVersion\": \"v1\", \"kind\": \"A\"}\n{\"apiVersion\": \"v1\", \"kind\": \"B\"}")?.line == 2)
    }
}

// MARK: - Locating typed-decoding failures

@Suite struct Describe {
    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            app: web
          annotations:
            a: b
            c: d
            e: f
        spec:
          replicas: three
          template:
            spec:
              containers:
              - name: web
        """

    @Test func typeMismatchIsLocated() throws {
        let doc = try #require(try read(Self.deployment, source: "deploy.yaml").first)
        let error = JSONDecodingError.typeMismatch(expected: "integer", got: .string("three"))
            .prefixed(.key("replicas")).prefixed(.key("spec"))
        #expect(ManifestReader.describe(error, in: doc) == "deploy.yaml: document 1, line 12: spec.replicas: expected integer, got string \"three\"")
        let wrapped = ManifestError(error, in: doc)
        #expect(wrapped.reason == .decoding)
        #expect(wrapped.path == error.path)
        #expect(wrapped.line == 12)
        #expect(wrapped.column == nil)
    }

    @Test func missingFieldUsesNearestAncestor() throws {
        let doc = try #require(try read(Self.deployment, source: "deploy.yaml").first)
        let missing = JSONDecodingError("missing required field \"image\"", path: path("spec", "template", "spec", "containers", 0))
        #expect(ManifestReader.describe(missing, in: doc) == "deploy.yaml: document 1, line 16: spec.template.spec.containers[0]: missing required field \"image\"")
        let deeper = doc.location(of: path("spec", "template", "spec", "containers", 0, "image"))
        #expect(deeper?.line == 16)
        #expect(doc.locations[path("spec", "template", "spec", "containers", 0, "image")] == nil)
        let nearest = doc.locations.nearest(to: path("spec", "selector", "matchLabels"))
        #expect(nearest?.location == SourceLocation(line: 11, column: 1))
        #expect(nearest?.matchedComponents == 1)
        #expect(doc.location(of: path("spec", "template", "spec", "containers", 7))?.line == 15)
        let root = JSONDecodingError("bad object")
        #expect(ManifestReader.describe(root, in: doc) == "deploy.yaml: document 1, line 1: bad object")
    }

    @Test func listItemsAndDocumentsBuiltInCode() throws {
        let docs = try read("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    x: 1\n", source: "list.yaml")
        let error = JSONDecodingError("unknown field").prefixed(.key("x")).prefixed(.key("spec"))
        #expect(ManifestReader.describe(error, in: docs[0]) == "list.yaml: document 1, item 1, line 7: spec.x: unknown field")

        let built = ManifestDocument(index: 2, source: "-", startLine: 1, value: ["apiVersion": "v1", "kind": "Pod"])
        #expect(built.location(of: path("spec")) == nil)
        #expect(ManifestReader.describe(error, in: built) == "<stdin>: document 3: spec.x: unknown field")
    }
}

// MARK: - Writing YAML back

@Suite struct WritingYAML {
    /// Found by the YAMLManifest fuzz target: a key that YAML 1.1 resolves to another type (`n`
    /// is false, `1` is 1, `null`) or a key `<<` (a merge key), written plain, read back as
    /// something else. Values were quoted already; keys now are too.
    @Test func keysThatWouldResolveToAnotherTypeOrMergeAreQuotedAndReadBack() throws {
        let data: JSONValue = ["n": "i", "yes": "a", "1": "b", "null": "c", "~": "d", "<<": "e", "0x1F": "f", "plain": "g"]
        let value: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "keys"], "data": data]
        let yaml = try YAMLWriter.string(for: value)
        #expect(yaml.contains("\"n\": i"))
        #expect(yaml.contains("\"<<\": e"))
        #expect(yaml.contains("plain: g"))
        let again = try read(yaml)
        #expect(again.map(\.value) == [value])
    }
}
