import BosunKit
import BosunNodes
import BosunRuntime
import Testing

@Suite("Container environment")
struct ContainerEnvironmentTests {
    @Test("$(VAR) expansion follows the kubelet's rules: defined names expand, others stay, $$ escapes")
    func expansion() {
        let variables = ["A": "alpha", "B": "beta", "EMPTY": ""]
        let cases: [(String, String)] = [
            ("$(A)", "alpha"),
            ("x-$(A)-$(B)-y", "x-alpha-beta-y"),
            ("$(UNDEFINED)", "$(UNDEFINED)"),
            ("$(EMPTY)|", "|"),
            ("$$(A)", "$(A)"),
            ("$$$(A)", "$alpha"),
            ("$$", "$"),
            ("$A", "$A"),
            ("cost: 5$", "cost: 5$"),
            ("$(A", "$(A"),
            ("$()", "$()"),
            ("no references", "no references"),
            ("héllo $(A) ✓", "héllo alpha ✓"),
        ]
        for (input, expected) in cases {
            #expect(EnvVarExpansion.expand(input, with: variables) == expected, "\(input)")
        }
    }

    @Test("env values come from literals, the pod's fields, resources, ConfigMaps and Secrets; later ones see earlier ones")
    func resolution() async throws {
        let env = try await TestEnvironment.start()
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "default"), data: ["mode": "fast", "level": "3"]))
        _ = try await env.api.create(Secret(metadata: ObjectMeta(name: "creds", namespace: "default"), data: ["password": "czNjcjN0"]))
        let container = Container(
            name: "app", args: ["--mode=$(MODE)", "$$(MODE)"], command: ["run", "$(POD_NAME)"],
            env: [
                EnvVar(name: "POD_NAME", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"))),
                EnvVar(name: "NAMESPACE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.namespace"))),
                EnvVar(name: "UID", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.uid"))),
                EnvVar(name: "INDEX", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(
                    fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"))),
                EnvVar(name: "APP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels['app']"))),
                EnvVar(name: "LABELS", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels"))),
                EnvVar(name: "NODE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "spec.nodeName"))),
                EnvVar(name: "SA", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "spec.serviceAccountName"))),
                EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP"))),
                EnvVar(name: "POD_IPS", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIPs"))),
                EnvVar(name: "HOST_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.hostIP"))),
                EnvVar(name: "MODE", valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(key: "mode", name: "settings"))),
                EnvVar(name: "PASSWORD", valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(key: "password", name: "creds"))),
                EnvVar(name: "MAYBE", valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(key: "absent", name: "settings", optional: true))),
                EnvVar(name: "GONE", valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(key: "k", name: "no-such-secret", optional: true))),
                EnvVar(name: "GREETING", value: "$(POD_NAME) in $(NAMESPACE) runs $(MODE), not $(NOPE), $$(MODE)"),
                EnvVar(name: "BLANK"),
                EnvVar(name: "CPU_MILLIS", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.cpu", divisor: "1m"))),
                EnvVar(name: "MEMORY_MI", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "requests.memory", divisor: "1Mi"))),
                EnvVar(name: "CPU_CORES", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.cpu"))),
                EnvVar(name: "NODE_MEMORY", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.memory", divisor: "1Gi"))),
            ],
            envFrom: [EnvFromSource(configMapRef: ConfigMapEnvSource(name: "settings"), prefix: "CFG_")],
            resources: ResourceRequirements(limits: ["cpu": "1500m"], requests: ["memory": "100Mi"]))
        let pod = Pod(
            metadata: ObjectMeta(
                annotations: ["batch.kubernetes.io/job-completion-index": "2"], labels: ["app": "web", "tier": "a\"b"],
                name: "web-0", namespace: "default", uid: "uid-1"),
            spec: PodSpec(containers: [container], nodeName: "local", serviceAccountName: "builder"))
        let context = ContainerEnvironment.Context(
            hostIPs: ["192.0.2.1"], podIPs: ["10.0.0.5", "fd00::5"], nodeAllocatable: ["memory": "8Gi"], client: env.api)
        let resolved = try await ContainerEnvironment.resolve(container, in: pod, context: context)
        let v = resolved.variables
        #expect(v["POD_NAME"] == "web-0")
        #expect(v["NAMESPACE"] == "default")
        #expect(v["UID"] == "uid-1")
        #expect(v["INDEX"] == "2")
        #expect(v["APP"] == "web")
        #expect(v["LABELS"] == "app=\"web\"\ntier=\"a\\\"b\"")
        #expect(v["NODE"] == "local")
        #expect(v["SA"] == "builder")
        #expect(v["POD_IP"] == "10.0.0.5")
        #expect(v["POD_IPS"] == "10.0.0.5,fd00::5")
        #expect(v["HOST_IP"] == "192.0.2.1")
        #expect(v["MODE"] == "fast")
        #expect(v["PASSWORD"] == "s3cr3t", "a Secret's value reaches the process decoded")
        #expect(v["MAYBE"] == nil && v["GONE"] == nil, "optional references that find nothing leave the variable out")
        #expect(v["GREETING"] == "web-0 in default runs fast, not $(NOPE), $(MODE)")
        #expect(v["BLANK"] == "")
        #expect(v["CFG_mode"] == "fast" && v["CFG_level"] == "3")
        #expect(v["CPU_MILLIS"] == "1500")
        #expect(v["MEMORY_MI"] == "100")
        #expect(v["CPU_CORES"] == "2", "rounded up")
        #expect(v["NODE_MEMORY"] == "8", "a limit the container does not set is the node's allocatable")
        #expect(resolved.commandLine(of: container) == ["run", "web-0", "--mode=fast", "$(MODE)"])
        #expect(resolved.warnings.isEmpty)
        await env.stop()
    }

    @Test("a missing ConfigMap, Secret or key keeps the container from starting, with the kubelet's message")
    func missingReferences() async throws {
        let env = try await TestEnvironment.start()
        _ = try await env.api.create(Namespace(metadata: ObjectMeta(name: "apps")))
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "apps"), data: ["mode": "fast"]))
        _ = try await env.api.create(Secret(metadata: ObjectMeta(name: "creds", namespace: "apps"), data: ["user": "YWRtaW4="]))
        let context = ContainerEnvironment.Context(hostIPs: [], podIPs: [], client: env.api)
        func message(_ variable: EnvVar? = nil, envFrom: [EnvFromSource]? = nil) async -> String? {
            let container = Container(name: "app", env: variable.map { [$0] }, envFrom: envFrom)
            let pod = Pod(metadata: ObjectMeta(name: "p", namespace: "apps"), spec: PodSpec(containers: [container]))
            do {
                _ = try await ContainerEnvironment.resolve(container, in: pod, context: context)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(await message(EnvVar(name: "X", valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(key: "mode", name: "nope"))))
            == "configmap \"nope\" not found")
        #expect(await message(EnvVar(name: "X", valueFrom: EnvVarSource(configMapKeyRef: ConfigMapKeySelector(key: "absent", name: "settings"))))
            == "couldn't find key absent in ConfigMap apps/settings")
        #expect(await message(EnvVar(name: "X", valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(key: "user", name: "nope"))))
            == "secret \"nope\" not found")
        #expect(await message(EnvVar(name: "X", valueFrom: EnvVarSource(secretKeyRef: SecretKeySelector(key: "password", name: "creds"))))
            == "couldn't find key password in Secret apps/creds")
        #expect(await message(envFrom: [EnvFromSource(secretRef: SecretEnvSource(name: "nope"))]) == "secret \"nope\" not found")
        #expect(await message(envFrom: [EnvFromSource(configMapRef: ConfigMapEnvSource(name: "nope", optional: true))]) == nil)
        #expect(await message(EnvVar(name: "X", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "spec.nothing"))))
            == "field label not supported: spec.nothing")
        #expect(await message(EnvVar(name: "X", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.gpu"))))
            == "unsupported container resource : limits.gpu")
        await env.stop()
    }

    @Test("envFrom keys that are not valid variable names are skipped and reported")
    func invalidEnvFromKeys() async throws {
        let env = try await TestEnvironment.start()
        _ = try await env.api.create(ConfigMap(metadata: ObjectMeta(name: "odd", namespace: "default"), data: ["ok": "1", "also.ok": "2"]))
        let container = Container(name: "app", envFrom: [
            EnvFromSource(configMapRef: ConfigMapEnvSource(name: "odd"), prefix: "A="),
            EnvFromSource(configMapRef: ConfigMapEnvSource(name: "odd")),
        ])
        let pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"), spec: PodSpec(containers: [container]))
        let resolved = try await ContainerEnvironment.resolve(
            container, in: pod, context: ContainerEnvironment.Context(hostIPs: [], podIPs: [], client: env.api))
        #expect(resolved.variables == ["ok": "1", "also.ok": "2"])
        #expect(resolved.warnings == [ContainerEnvironment.Warning(
            reason: "InvalidEnvironmentVariableNames",
            message: "Keys [A=also.ok, A=ok] from the EnvFrom configMap default/odd were skipped since they are considered invalid environment variable names.")])
        await env.stop()
    }
}
