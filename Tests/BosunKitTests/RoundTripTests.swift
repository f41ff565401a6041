import Testing

@testable import BosunKit

/// Decode → encode must give back the same JSON, for the docs' manifests and for objects carrying
/// fields BosunKit does not model.
@Suite("API types round-trip through JSON")
struct RoundTripTests {
    static func roundTrip<T: JSONCodable>(_ type: T.Type, _ text: String) throws -> (JSONValue, JSONValue) {
        let original = try JSONParser.parse(text)
        let typed = try T(json: original)
        let again = try JSONParser.parse(typed.jsonBytes())
        return (original, again)
    }

    @Test("nginx Deployment") func deployment() throws {
        let (a, b) = try Self.roundTrip(Deployment.self, Fixtures.nginxDeployment)
        #expect(a == b)
    }

    @Test("StatefulSet with volumeClaimTemplates") func statefulSet() throws {
        let (original, b) = try Self.roundTrip(StatefulSet.self, Fixtures.webStatefulSet)
        var a = original
        // An embedded kind always carries its type meta, as kube-apiserver returns
        // volumeClaimTemplates; everything else is unchanged.
        #expect(b[path: ["spec", "volumeClaimTemplates"]]?.arrayValue?.first?["kind"] == "PersistentVolumeClaim")
        #expect(b[path: ["spec", "volumeClaimTemplates"]]?.arrayValue?.first?["apiVersion"] == "v1")
        if case .array(var templates)? = a[path: ["spec", "volumeClaimTemplates"]] {
            for i in templates.indices {
                templates[i]["apiVersion"] = "v1"
                templates[i]["kind"] = "PersistentVolumeClaim"
            }
            a["spec"]?["volumeClaimTemplates"] = .array(templates)
        }
        #expect(a == b)
        let sts = try StatefulSet(json: original)
        #expect(sts.spec.volumeClaimTemplates?.first?.spec.resources?.requests?["storage"] == Quantity("1Gi"))
    }

    @Test("DaemonSet with tolerations and resources") func daemonSet() throws {
        let (a, b) = try Self.roundTrip(DaemonSet.self, Fixtures.fluentdDaemonSet)
        #expect(a == b)
    }

    @Test("Job") func job() throws {
        let (a, b) = try Self.roundTrip(Job.self, Fixtures.piJob)
        #expect(a == b)
    }

    @Test("CronJob") func cronJob() throws {
        let (a, b) = try Self.roundTrip(CronJob.self, Fixtures.helloCronJob)
        #expect(a == b)
    }

    @Test("CustomResourceDefinition with a recursive schema") func crd() throws {
        let (a, b) = try Self.roundTrip(CustomResourceDefinition.self, Fixtures.crontabCRD)
        #expect(a == b)
        let crd = try CustomResourceDefinition(json: a)
        #expect(crd.spec.versions.first?.schema?.openAPIV3Schema?.properties?["spec"]?.properties?["replicas"]?.type == "integer")
    }

    @Test("a Pod as the API server returns it, status and all") func serverPod() throws {
        let (a, b) = try Self.roundTrip(Pod.self, Fixtures.serverPod)
        #expect(a == b)
    }

    @Test("fields Bosun does not model survive at every level") func unknownFields() throws {
        let (a, b) = try Self.roundTrip(Deployment.self, Fixtures.deploymentWithFutureFields)
        #expect(a == b)
        let d = try Deployment(json: a)
        #expect(d.unknownFields?["topLevelFuture"] == ["x": 1])
        #expect(d.spec.unknownFields?["futureSpecField"] == "kept")
        #expect(d.spec.template.spec?.containers.first?.unknownFields?["sidecarMode"] == true)
    }

    @Test("a PodList, typed and unstructured") func podList() throws {
        let text = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"42\"},\"items\":[\(Fixtures.serverPod)]}"
        let (a, b) = try Self.roundTrip(PodList.self, text)
        #expect(a == b)
        let tree = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.encode(tree)) == tree)
    }
}

@Suite("Typed decoding errors")
struct TypedDecodingErrorTests {
    @Test func namesTheFieldPath() {
        let text = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":"three","template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":"80"}]}]}}}}"#
        do {
            _ = try Deployment(jsonString: text)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"spec.replicas: expected integer, got string "three""#)
        }
    }

    @Test func nestedArrayPath() {
        let text = #"{"spec":{"containers":[{"name":"a"},{"name":"b","ports":[{"containerPort":"80"}]}]}}"#
        do {
            _ = try Pod(jsonString: text)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"spec.containers[1].ports[0].containerPort: expected integer, got string "80""#)
        }
    }

    @Test func wrongKindIsRefused() {
        do {
            _ = try Pod(jsonString: #"{"apiVersion":"v1","kind":"Service"}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"kind: expected "Pod", got "Service""#)
        }
    }

    @Test func int32Overflow() {
        do {
            _ = try DeploymentSpec(jsonString: #"{"replicas": 4294967296}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "replicas: value 4294967296 does not fit in a 32-bit integer")
        }
    }
}

@Suite("Null members")
struct NullMemberTests {
    /// kube-apiserver writes zero timestamps as `null`; Go treats `null` and absence alike for
    /// optional fields, and so does BosunKit: the member is dropped on re-encode.
    @Test func nullOptionalMemberIsAbsent() throws {
        let condition = try PodCondition(jsonString: #"{"type":"Ready","status":"True","lastProbeTime":null}"#)
        #expect(condition.lastProbeTime == nil)
        #expect(condition.jsonString() == #"{"status":"True","type":"Ready"}"#)
    }
}
