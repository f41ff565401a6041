import Testing
@testable import BosunKit

@Suite struct DefaultingTests {
    @Test func podAndContainerDefaults() {
        var pod = Pod(metadata: ValidationFixtures.meta("p"), spec: PodSpec(containers: [
            Container(name: "a", image: "nginx", ports: [ContainerPort(containerPort: 80)],
                      readinessProbe: Probe(httpGet: HTTPGetAction(port: .int(80))),
                      resources: ResourceRequirements(limits: ["cpu": "500m"])),
            Container(name: "b", image: "nginx:1.27"),
            Container(name: "c", image: "repo/app@sha256:abc"),
        ], volumes: [Volume(name: "scratch"), Volume(name: "cfg", configMap: ConfigMapVolumeSource(name: "cfg"))]))
        BuiltinAdmission.applyDefaults(&pod)
        let spec = pod.spec
        #expect(spec.restartPolicy == "Always")
        #expect(spec.dnsPolicy == "ClusterFirst")
        #expect(spec.schedulerName == "default-scheduler")
        #expect(spec.terminationGracePeriodSeconds == 30)
        #expect(spec.securityContext == PodSecurityContext())
        #expect(spec.enableServiceLinks == true)
        #expect(spec.containers.map(\.imagePullPolicy) == ["Always", "IfNotPresent", "IfNotPresent"])
        #expect(spec.containers[0].terminationMessagePath == "/dev/termination-log")
        #expect(spec.containers[0].terminationMessagePolicy == "File")
        #expect(spec.containers[0].ports?[0].protocol == "TCP")
        #expect(spec.containers[0].resources?.requests == ["cpu": "500m"])
        let probe = spec.containers[0].readinessProbe
        #expect(probe?.timeoutSeconds == 1 && probe?.periodSeconds == 10 && probe?.successThreshold == 1 && probe?.failureThreshold == 3)
        #expect(probe?.httpGet?.path == "/" && probe?.httpGet?.scheme == "HTTP")
        #expect(spec.volumes?[0].emptyDir == EmptyDirVolumeSource())
        #expect(spec.volumes?[1].configMap?.defaultMode == 420)
    }

    @Test("pods tolerate not-ready and unreachable for 300 s unless they say otherwise (DefaultTolerationSeconds)")
    func defaultTolerationSeconds() {
        var pod = Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: [Container(name: "c", image: "nginx")]))
        BuiltinAdmission.applyDefaults(&pod)
        #expect(pod.spec.tolerations == [
            Toleration(effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300),
            Toleration(effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300),
        ])
        let again = pod
        BuiltinAdmission.applyDefaults(&pod)
        #expect(pod == again)

        // A pod's own toleration for a taint replaces the default for it; a tolerate-everything
        // toleration replaces both.
        var own = Pod(metadata: ObjectMeta(name: "q"), spec: PodSpec(containers: [Container(name: "c", image: "nginx")], tolerations: [
            Toleration(effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 10),
        ]))
        BuiltinAdmission.applyDefaults(&own)
        #expect(own.spec.tolerations?.map(\.key) == ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"])
        #expect(own.spec.tolerations?.first?.tolerationSeconds == 10)
        var everything = Pod(metadata: ObjectMeta(name: "r"), spec: PodSpec(containers: [Container(name: "c", image: "nginx")],
                                                                          tolerations: [Toleration(operator: "Exists")]))
        BuiltinAdmission.applyDefaults(&everything)
        #expect(everything.spec.tolerations == [Toleration(operator: "Exists")])
    }

    @Test func templatesDoNotGetPodOnlyDefaults() {
        let d = ValidationFixtures.deployment()
        #expect(d.spec.template.spec?.enableServiceLinks == nil)
        #expect(d.spec.template.spec?.restartPolicy == "Always")
        #expect(d.spec.template.spec?.containers[0].imagePullPolicy == "IfNotPresent")
    }

    @Test func deploymentDefaults() {
        let d = ValidationFixtures.deployment()
        #expect(d.spec.replicas == 1)
        #expect(d.spec.strategy == DeploymentStrategy(rollingUpdate: RollingUpdateDeployment(maxSurge: .string("25%"), maxUnavailable: .string("25%")),
                                                      type: "RollingUpdate"))
        #expect(d.spec.revisionHistoryLimit == 10)
        #expect(d.spec.progressDeadlineSeconds == 600)
        var recreate = Deployment(spec: DeploymentSpec(strategy: DeploymentStrategy(type: "Recreate")))
        BuiltinAdmission.applyDefaults(&recreate)
        #expect(recreate.spec.strategy?.rollingUpdate == nil)
    }

    @Test func replicaSetAndReplicationControllerDefaults() {
        var rs = ReplicaSet(spec: ReplicaSetSpec(selector: LabelSelector(), template: ValidationFixtures.template()))
        BuiltinAdmission.applyDefaults(&rs)
        #expect(rs.spec.replicas == 1)
        var rc = ReplicationController(metadata: ObjectMeta(name: "rc"), spec: ReplicationControllerSpec(template: ValidationFixtures.template(["a": "b"])))
        BuiltinAdmission.applyDefaults(&rc)
        #expect(rc.spec.replicas == 1 && rc.spec.selector == ["a": "b"] && rc.metadata.labels == ["a": "b"])
    }

    @Test func statefulSetDefaults() {
        var sts = StatefulSet(spec: StatefulSetSpec(template: ValidationFixtures.template(),
                                                    volumeClaimTemplates: [PersistentVolumeClaim(metadata: ObjectMeta(name: "www"))]))
        BuiltinAdmission.applyDefaults(&sts)
        #expect(sts.spec.replicas == 1)
        #expect(sts.spec.podManagementPolicy == "OrderedReady")
        #expect(sts.spec.updateStrategy == StatefulSetUpdateStrategy(rollingUpdate: RollingUpdateStatefulSetStrategy(partition: 0), type: "RollingUpdate"))
        #expect(sts.spec.revisionHistoryLimit == 10)
        #expect(sts.spec.persistentVolumeClaimRetentionPolicy == StatefulSetPersistentVolumeClaimRetentionPolicy(whenDeleted: "Retain", whenScaled: "Retain"))
        #expect(sts.spec.volumeClaimTemplates?[0].spec.volumeMode == "Filesystem")
        #expect(sts.spec.volumeClaimTemplates?[0].status.phase == "Pending")
    }

    @Test func daemonSetDefaults() {
        var ds = DaemonSet(spec: DaemonSetSpec(template: ValidationFixtures.template()))
        BuiltinAdmission.applyDefaults(&ds)
        #expect(ds.spec.updateStrategy == DaemonSetUpdateStrategy(rollingUpdate: RollingUpdateDaemonSet(maxSurge: .int(0), maxUnavailable: .int(1)),
                                                                type: "RollingUpdate"))
        #expect(ds.spec.revisionHistoryLimit == 10)
    }

    @Test func jobDefaults() {
        var job = Job(metadata: ObjectMeta(name: "pi", uid: "u"), spec: JobSpec(template: ValidationFixtures.template(["app": "pi"])))
        BuiltinAdmission.applyDefaults(&job)
        #expect(job.spec.parallelism == 1 && job.spec.completions == 1)
        #expect(job.spec.backoffLimit == 6)
        #expect(job.spec.completionMode == "NonIndexed")
        #expect(job.spec.suspend == false && job.spec.manualSelector == false)
        #expect(job.spec.podReplacementPolicy == "TerminatingOrFailed")
        #expect(job.metadata.labels == ["app": "pi"])
        #expect(job.spec.template.metadata?.labels?["batch.kubernetes.io/job-name"] == "pi")
        #expect(job.spec.template.metadata?.labels?["controller-uid"] == "u")
        var parallel = Job(spec: JobSpec(template: ValidationFixtures.template(), parallelism: 3))
        BuiltinAdmission.applyDefaults(&parallel)
        #expect(parallel.spec.completions == nil && parallel.spec.parallelism == 3)
        #expect(parallel.spec.selector == nil) // no uid yet: nothing to generate
        var perIndex = Job(spec: JobSpec(template: ValidationFixtures.template(), backoffLimitPerIndex: 1))
        BuiltinAdmission.applyDefaults(&perIndex)
        #expect(perIndex.spec.backoffLimit == Int32.max)
    }

    @Test func cronJobDefaults() {
        var cj = CronJob(spec: CronJobSpec(jobTemplate: JobTemplateSpec(spec: JobSpec(template: ValidationFixtures.template())), schedule: "@hourly"))
        BuiltinAdmission.applyDefaults(&cj)
        #expect(cj.spec.concurrencyPolicy == "Allow")
        #expect(cj.spec.suspend == false)
        #expect(cj.spec.successfulJobsHistoryLimit == 3 && cj.spec.failedJobsHistoryLimit == 1)
        #expect(cj.spec.jobTemplate.spec?.template.spec?.restartPolicy == "Always")
        #expect(cj.spec.jobTemplate.spec?.backoffLimit == nil)
    }

    @Test func serviceDefaults() {
        var svc = Service(spec: ServiceSpec(ports: [ServicePort(port: 80), ServicePort(port: 443, protocol: "UDP", targetPort: .string("https"))]))
        BuiltinAdmission.applyDefaults(&svc)
        #expect(svc.spec.type == "ClusterIP")
        #expect(svc.spec.sessionAffinity == "None")
        #expect(svc.spec.internalTrafficPolicy == "Cluster")
        #expect(svc.spec.ports?[0].protocol == "TCP" && svc.spec.ports?[0].targetPort == .int(80))
        #expect(svc.spec.ports?[1].protocol == "UDP" && svc.spec.ports?[1].targetPort == .string("https"))
        var lb = Service(spec: ServiceSpec(type: "LoadBalancer"))
        BuiltinAdmission.applyDefaults(&lb)
        #expect(lb.spec.externalTrafficPolicy == "Cluster" && lb.spec.allocateLoadBalancerNodePorts == true)
    }

    @Test func namespaceClaimSecretAndCRDDefaults() {
        var ns = Namespace(metadata: ObjectMeta(name: "team"))
        BuiltinAdmission.applyDefaults(&ns)
        #expect(ns.metadata.labels == ["kubernetes.io/metadata.name": "team"])
        #expect(ns.spec.finalizers == nil, "the kubernetes finalizer is added on create, not by defaulting (which runs on every write)")
        #expect(ns.status.phase == "Active")
        var claim = PersistentVolumeClaim()
        BuiltinAdmission.applyDefaults(&claim)
        #expect(claim.spec.volumeMode == "Filesystem" && claim.status.phase == "Pending")
        var secret = Secret()
        BuiltinAdmission.applyDefaults(&secret)
        #expect(secret.type == "Opaque")
        var crd = CustomResourceDefinition(spec: CustomResourceDefinitionSpec(
            names: CustomResourceDefinitionNames(kind: "Widget", plural: "widgets"),
            versions: [CustomResourceDefinitionVersion(name: "v1", served: true, storage: true)]))
        BuiltinAdmission.applyDefaults(&crd)
        #expect(crd.spec.names.singular == "widget" && crd.spec.names.listKind == "WidgetList")
        #expect(crd.spec.conversion == CustomResourceConversion(strategy: "None"))
        #expect(crd.status.storedVersions == ["v1"])
    }

    @Test func leaseIsLeftAlone() {
        var lease = Lease(metadata: ObjectMeta(name: "l"))
        let before = lease
        BuiltinAdmission.applyDefaults(&lease)
        #expect(lease == before)
    }
}
