import Testing
@testable import BosunKit

@Suite struct PodSpecValidationTests {
    @Test func defaultedPodIsValid() {
        #expect(BuiltinAdmission.validate(ValidationFixtures.pod()).isEmpty)
    }

    @Test func podWithSeveralProblemsReportsAllOfThem() {
        var pod = ValidationFixtures.pod()
        pod.spec.containers.append(Container(name: "c", image: ""))
        pod.spec.containers[0].ports = [ContainerPort(containerPort: 70000, protocol: "ICMP")]
        pod.spec.containers[0].volumeMounts = [VolumeMount(mountPath: "/data", name: "missing")]
        pod.spec.restartPolicy = "Sometimes"
        pod.spec.activeDeadlineSeconds = 0
        pod.spec.tolerations = [Toleration(effect: "NoSchedule", operator: "Equal")]
        pod.spec.topologySpreadConstraints = [TopologySpreadConstraint(maxSkew: 0, topologyKey: "", whenUnsatisfiable: "Maybe")]
        BuiltinAdmission.applyDefaults(&pod)
        let messages = ValidationFixtures.messages(BuiltinAdmission.validate(pod))
        #expect(messages == [
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
            "spec.containers[1].image: Required value",
            "spec.containers[1].name: Duplicate value: \"c\"",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
            "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
            "spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: \"Maybe\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"",
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
            "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
        ])
    }

    @Test func resourcesRequestsMustNotExceedLimits() {
        var pod = ValidationFixtures.pod()
        pod.spec.containers[0].resources = ResourceRequirements(limits: ["cpu": "1"], requests: ["cpu": "2", "memory": "-1"])
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(pod)) == [
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            "spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be greater than or equal to 0",
        ])
    }

    @Test func volumesAndProbes() {
        var pod = ValidationFixtures.pod()
        pod.spec.volumes = [Volume(name: "a", configMap: ConfigMapVolumeSource(), emptyDir: EmptyDirVolumeSource()),
                            Volume(name: "b"), Volume(name: "b")]
        pod.spec.containers[0].livenessProbe = Probe(successThreshold: 2)
        BuiltinAdmission.applyDefaults(&pod)
        let messages = ValidationFixtures.messages(BuiltinAdmission.validate(pod))
        #expect(messages.contains("spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"))
        #expect(messages.contains("spec.volumes[0].configMap.name: Required value"))
        #expect(messages.contains("spec.volumes[2].name: Duplicate value: \"b\""))
        #expect(messages.contains("spec.containers[0].livenessProbe: Required value: must specify a handler type"))
        #expect(messages.contains("spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"))
    }

    @Test func podUpdateMayOnlyChangeImagesAndFriends() {
        var old = ValidationFixtures.pod()
        old.metadata.resourceVersion = "1"
        var new = old
        new.spec.containers[0].image = "busybox:2"
        #expect(BuiltinAdmission.validateUpdate(new, old: old).isEmpty)
        new.spec.restartPolicy = "Never"
        let errors = BuiltinAdmission.validateUpdate(new, old: old)
        #expect(errors.count == 1)
        #expect(errors[0].description.hasPrefix("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"))
    }
}

@Suite struct AppsValidationTests {
    @Test func deploymentDefaultsValidate() {
        #expect(BuiltinAdmission.validate(ValidationFixtures.deployment()).isEmpty)
    }

    @Test func deploymentReportsEveryProblem() {
        var d = ValidationFixtures.deployment()
        d.spec.replicas = -1
        d.spec.template.metadata?.labels = ["app": "x"]
        d.spec.template.spec?.restartPolicy = "Never"
        d.spec.strategy = DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxSurge: .int(0), maxUnavailable: .string("0%")),
                                             type: "RollingUpdate")
        d.spec.minReadySeconds = 700
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(d)) == [
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`",
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when `maxSurge` is 0",
            "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds",
        ])
    }

    @Test func strategyRules() {
        var d = ValidationFixtures.deployment()
        d.spec.strategy = DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxSurge: .string("x"), maxUnavailable: .string("150%")),
                                             type: "RollingUpdate")
        let messages = ValidationFixtures.messages(BuiltinAdmission.validate(d))
        #expect(messages.contains { $0.hasPrefix("spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x\"}: a valid percent string must be a numeric string followed by an ending '%'") })
        #expect(messages.contains("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%"))
        d.spec.strategy = DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(), type: "Recreate")
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(d)) == [
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
        ])
    }

    @Test func selectorRequiredNonEmptyAndImmutable() {
        var d = ValidationFixtures.deployment()
        d.spec.selector = LabelSelector()
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(d)) == [
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
        ])
        var old = ValidationFixtures.deployment()
        old.metadata.resourceVersion = "3"
        var new = old
        new.spec.selector = LabelSelector(matchLabels: ["app": "web", "tier": "x"])
        new.spec.template.metadata?.labels = ["app": "web", "tier": "x"]
        #expect(ValidationFixtures.messages(BuiltinAdmission.validateUpdate(new, old: old)) == [
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"x\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
        ])
    }

    @Test func statefulSetRulesAndUpdate() {
        var sts = StatefulSet(metadata: ValidationFixtures.meta("db"),
                              spec: StatefulSetSpec(selector: LabelSelector(matchLabels: ["app": "web"]), serviceName: "db", template: ValidationFixtures.template()))
        BuiltinAdmission.applyDefaults(&sts)
        #expect(BuiltinAdmission.validate(sts).isEmpty)
        var bad = sts
        bad.spec.podManagementPolicy = "Random"
        bad.spec.persistentVolumeClaimRetentionPolicy?.whenScaled = "Keep"
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(bad)) == [
            "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
            "spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\"",
        ])
        sts.metadata.resourceVersion = "1"
        var new = sts
        new.spec.replicas = 5
        #expect(BuiltinAdmission.validateUpdate(new, old: sts).isEmpty)
        new.spec.serviceName = "other"
        #expect(ValidationFixtures.messages(BuiltinAdmission.validateUpdate(new, old: sts)) == [
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ])
    }

    @Test func daemonSetStrategy() {
        var ds = DaemonSet(metadata: ValidationFixtures.meta("agent"),
                           spec: DaemonSetSpec(selector: LabelSelector(matchLabels: ["app": "web"]), template: ValidationFixtures.template()))
        BuiltinAdmission.applyDefaults(&ds)
        #expect(BuiltinAdmission.validate(ds).isEmpty)
        ds.spec.updateStrategy?.rollingUpdate = RollingUpdateDaemonSet(maxSurge: .int(0), maxUnavailable: .int(0))
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(ds)) == [
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
        ])
    }

    @Test func replicationControllerTemplateMustRestartAlways() {
        var rc = ReplicationController(metadata: ValidationFixtures.meta("rc"), spec: ReplicationControllerSpec(template: ValidationFixtures.template(restart: "OnFailure")))
        BuiltinAdmission.applyDefaults(&rc)
        #expect(rc.spec.selector == ["app": "web"])
        #expect(ValidationFixtures.messages(BuiltinAdmission.validate(rc)) == [
            "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
        ])
    }
}
