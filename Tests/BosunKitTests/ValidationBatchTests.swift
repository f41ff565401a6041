import Foundation
import Testing
@testable import BosunKit

@Suite struct BatchValidationTests {
    static func job(_ name: String = "pi") -> Job {
        var job = Job(metadata: ObjectMeta(name: name, namespace: "default", uid: "uid-1"),
                      spec: JobSpec(template: ValidationFixtures.template(["app": "pi"], restart: "Never")))
        BuiltinAdmission.applyDefaults(&job)
        return job
    }

    static func cronJob(_ schedule: String = "*/1 * * * *", name: String = "hello") -> CronJob {
        var cj = CronJob(metadata: ValidationFixtures.meta(name),
                         spec: CronJobSpec(jobTemplate: JobTemplateSpec(spec: JobSpec(template: ValidationFixtures.template(restart: "OnFailure"))),
                                           schedule: schedule))
        BuiltinAdmission.applyDefaults(&cj)
        return cj
    }

    @Test func defaultedJobIsValidWithGeneratedSelector() {
        let job = Self.job()
        #expect(job.spec.selector == LabelSelector(matchLabels: ["batch.kubernetes.io/controller-uid": "uid-1"]))
        #expect(BuiltinAdmission.validate(job).isEmpty)
    }

    @Test func jobReportsEveryProblem() {
        var job = Self.job()
        job.spec.template.spec?.restartPolicy = "Always"
        job.spec.parallelism = -1
        job.spec.backoffLimit = -2
        job.spec.completionMode = "Sometimes"
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(job)) == [
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
            "spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0",
            "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"Indexed\", \"NonIndexed\"",
            "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
        ])
    }

    @Test func indexedJobNeedsCompletions() {
        var job = Self.job()
        job.spec.completionMode = "Indexed"
        job.spec.completions = nil
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(job)) == [
            "spec.completions: Required value: when completion mode is Indexed",
        ])
    }

    @Test func jobSelectorAndTemplateAreImmutable() {
        var old = Self.job()
        old.metadata.resourceVersion = "1"
        var new = old
        new.spec.template.spec?.containers[0].image = "perl:2"
        new.spec.completions = 3
        let messages = ValidationFixtures.messages(BuiltinAdmission.validateUpdate(new, old: old))
        #expect(messages == [
            "spec.completions: Invalid value: 3: field is immutable",
            "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable",
        ])
        // A suspended Job that never started may change its scheduling directives.
        old.spec.suspend = true
        new = old
        new.spec.template.spec?.nodeSelector = ["disk": "ssd"]
        #expect(BuiltinAdmission.validateUpdate(new, old: old).isEmpty)
    }

    @Test func cronJobSchedulesAndNames() {
        #expect(BuiltinAdmission.validate(Self.cronJob()).isEmpty)
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(Self.cronJob("x"))) == [
            "spec.schedule: Invalid value: \"x\": expected exactly 5 fields, found 1: [x]",
        ])
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(Self.cronJob("61 * * * *"))) == [
            "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61",
        ])
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(Self.cronJob("TZ=UTC 0 * * * *"))) == [
            "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ])
        let long = String(repeating: "a", count: 53)
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(Self.cronJob(name: long))) == [
            "metadata.name: Invalid value: \"\(long)\": must be no more than 52 characters",
        ])
        var cj = Self.cronJob()
        cj.spec.concurrencyPolicy = "Sometimes"
        cj.spec.startingDeadlineSeconds = -1
        cj.spec.jobTemplate.spec?.template.spec?.restartPolicy = "Always"
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(cj)) == [
            "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
            "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
            "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
        ])
    }

    @Test func cronParserFormsAndErrors() throws {
        for spec in ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually",
                     "0 0 * * MON-FRI", "*/15 9-17 1,15 jan-jun ?", "5/10 * * * sun"] {
            #expect(throws: Never.self) { try CronSchedule(parsing: spec) }
        }
        let cases: [(String, String)] = [
            ("", "empty spec string"),
            ("@sometimes", "unrecognized descriptor: @sometimes"),
            ("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"),
            ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
            ("*/2/3 * * * *", "too many slashes: */2/3"),
            ("a * * * *", "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax"),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("* * * * 7", "end of range (7) above maximum (6): 7"),
        ]
        for (spec, message) in cases {
            #expect(throws: CronSchedule.ParseError(message: message)) { try CronSchedule(parsing: spec) }
        }
    }

    @Test func cronNextActivation() throws {
        let utc = TimeZone(identifier: "UTC")!
        let start = Date(timeIntervalSince1970: 1_700_000_000) // 2023-11-14T22:13:20Z, a Tuesday
        #expect(try CronSchedule(parsing: "*/5 * * * *").next(after: start, in: utc) == Date(timeIntervalSince1970: 1_700_000_100))
        #expect(try CronSchedule(parsing: "@daily").next(after: start, in: utc) == Date(timeIntervalSince1970: 1_700_006_400))
        #expect(try CronSchedule(parsing: "0 0 30 2 *").next(after: start, in: utc) == nil)
    }
}

@Suite struct CoreKindValidationTests {
    @Test func configMapAndSecretKeys() {
        var cm = ConfigMap(metadata: ValidationFixtures.meta("cm"), data: ["ok.key": "1", "bad key": "2"])
        BuiltinAdmission.applyDefaults(&cm)
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(cm)) == [
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ])
        var secret = Secret(metadata: ValidationFixtures.meta("s"), data: ["..x": "eA=="], type: "kubernetes.io/tls")
        BuiltinAdmission.applyDefaults(&secret)
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(secret)) == [
            "data[..x]: Invalid value: \"..x\": must not start with '..'",
            "data[tls.crt]: Required value",
            "data[tls.key]: Required value",
        ])
    }

    @Test func immutableConfigMap() {
        var old = ConfigMap(metadata: ValidationFixtures.meta("cm"), data: ["a": "1"], immutable: true)
        old.metadata.resourceVersion = "1"
        var new = old
        new.data = ["a": "2"]
        #expect(ValidationFixtures.messages(BuiltinAdmission.validateUpdate(new, old: old)) == [
            "data: Forbidden: field is immutable when `immutable` is set",
        ])
    }

    @Test func serviceRules() {
        var svc = Service(metadata: ValidationFixtures.meta("web"), spec: ServiceSpec(ports: [ServicePort(port: 80), ServicePort(port: 0)]))
        BuiltinAdmission.applyDefaults(&svc)
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(svc)) == [
            "spec.ports[0].name: Required value",
            "spec.ports[1].name: Required value",
            "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        ])
    }

    @Test func crdRules() {
        var crd = CustomResourceDefinition(
            metadata: ObjectMeta(name: "widgets.example.com"),
            spec: CustomResourceDefinitionSpec(group: "example.com", names: CustomResourceDefinitionNames(kind: "Widget", plural: "widgets"),
                                               scope: "Namespaced", versions: [CustomResourceDefinitionVersion(name: "v1", served: true, storage: true)]))
        BuiltinAdmission.applyDefaults(&crd)
        #expect(BuiltinAdmission.validate(crd).isEmpty)
        var bad = crd
        bad.metadata.name = "widgets.other.io"
        bad.spec.group = "example"
        bad.spec.scope = "Global"
        bad.spec.versions[0].storage = false
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(bad)) == [
            "metadata.name: Invalid value: \"widgets.other.io\": must be spec.names.plural+\".\"+spec.group",
            "spec.group: Invalid value: \"example\": should be a domain with at least one dot",
            "spec.scope: Invalid value: \"Global\": must be either Namespaced or Cluster",
            "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version",
        ])
        crd.metadata.resourceVersion = "1"
        crd.status.conditions = [CustomResourceDefinitionCondition(status: "True", type: "Established")]
        var changed = crd
        changed.spec.scope = "Cluster"
        #expect(ValidationFixtures.messages(BuiltinAdmission.validateUpdate(changed, old: crd)) == [
            "spec.scope: Invalid value: \"Cluster\": field is immutable",
        ])
    }
}
