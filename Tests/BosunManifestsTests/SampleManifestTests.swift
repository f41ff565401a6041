import BosunKit
import Foundation
import Testing

@testable import BosunManifests

/// The Kubernetes docs' example manifests, as shipped in Samples/manifests.
@Suite("Sample manifests")
struct SampleManifestTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/manifests")

    static func documents(_ file: String) throws -> [ManifestDocument] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        return try ManifestReader.read(text, source: file)
    }

    @Test(arguments: ["nginx-deployment.yaml", "web.yaml", "daemonset.yaml", "job.yaml", "cronjob.yaml", "crontab-crd.yaml"])
    func decodesTypedAndRoundTrips(file: String) throws {
        for document in try Self.documents(file) {
            guard case .typed(let object) = try document.decode() else {
                Issue.record("\(file): \(document.kind) did not decode to a typed value")
                continue
            }
            var expected = document.value
            // Embedded kinds gain their type meta, as kube-apiserver returns them.
            if case .array(var templates)? = expected[path: ["spec", "volumeClaimTemplates"]] {
                for i in templates.indices {
                    templates[i]["apiVersion"] = "v1"
                    templates[i]["kind"] = "PersistentVolumeClaim"
                }
                expected["spec"]?["volumeClaimTemplates"] = .array(templates)
            }
            #expect(object.jsonValue() == expected, "\(file): \(document.kind) changed in a round trip")
        }
    }

    @Test(arguments: ["nginx-deployment.yaml", "web.yaml", "daemonset.yaml", "job.yaml", "cronjob.yaml", "crontab-crd.yaml"])
    func defaultsAndValidates(file: String) throws {
        let documents = try Self.documents(file)
        var validator = ManifestValidator()
        validator.learnCustomKinds(from: documents)
        for document in documents {
            guard case .valid(let defaulted, _) = validator.check(document) else {
                Issue.record("\(file): \(document.kind) is reported invalid")
                continue
            }
            #expect(defaulted[path: ["metadata", "uid"]]?.stringValue?.count == 36)
        }
    }

    @Test func deploymentDefaultsAreKubernetes() throws {
        let document = try #require(try Self.documents("nginx-deployment.yaml").first)
        guard case .valid(let object, let label) = ManifestValidator().check(document) else {
            Issue.record("invalid")
            return
        }
        #expect(label == "deployment.apps/nginx-deployment")
        #expect(object[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
        #expect(object[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(object[path: ["spec", "progressDeadlineSeconds"]] == 600)
        #expect(object[path: ["spec", "template", "spec", "restartPolicy"]] == "Always")
        #expect(object[path: ["metadata", "namespace"]] == "default")
    }

    @Test func customResourceNeedsItsDefinition() throws {
        let cr = try Self.documents("crontab.yaml")
        let alone = ManifestValidator().check(cr[0])
        guard case .invalid(let message) = alone else {
            Issue.record("expected the kind to be unknown")
            return
        }
        #expect(message == #"crontab.yaml: document 1: no matches for kind "CronTab" in version "stable.example.com/v1""#)

        var validator = ManifestValidator()
        validator.learnCustomKinds(from: try Self.documents("crontab-crd.yaml"))
        guard case .valid(_, let label) = validator.check(cr[0]) else {
            Issue.record("expected the custom resource to validate once its CRD is known")
            return
        }
        #expect(label == "crontab.stable.example.com/my-new-cron-object")
    }
}

@Suite("Typed manifest errors")
struct TypedManifestErrorTests {
    @Test func wrongTypeNamesDocumentLineAndField() throws {
        let text = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: ok
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: three
            """
        let documents = try ManifestReader.read(text, source: "web.yaml")
        #expect(throws: ManifestError.self) { try documents[1].decode() }
        do {
            _ = try documents[1].decode()
        } catch {
            #expect(error.description == #"web.yaml: document 2, line 11: spec.replicas: expected integer, got string "three""#)
        }
    }

    @Test func validationErrorsAreAllReportedWithLines() throws {
        let text = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: -1
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: other
                spec:
                  containers:
                  - name: web
                    image: nginx
            """
        let document = try #require(try ManifestReader.read(text, source: "d.yaml").first)
        guard case .invalid(let message) = ManifestValidator().check(document) else {
            Issue.record("expected errors")
            return
        }
        #expect(message == """
            d.yaml: document 1: The Deployment "web" is invalid:
            * line 6: spec.replicas: Invalid value: -1: must be greater than or equal to 0
            * line 12: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`
            """)
    }
}
