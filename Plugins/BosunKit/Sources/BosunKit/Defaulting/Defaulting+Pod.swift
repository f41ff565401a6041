// core/v1 defaults for pods, pod specs and containers (upstream pkg/apis/core/v1/defaults.go
// and the declarative defaults of zz_generated.defaults.go).

/// Kubernetes' v1 defaulting, per kind. ``BuiltinAdmission/applyDefaults(_:)`` dispatches here.
public enum Defaulting {
    /// Pod defaults: the spec's, plus the pod-only ones (requests from limits, service links,
    /// host ports under host networking).
    public static func pod(_ pod: inout Pod) {
        // Every default below is a function of the spec alone (see PodSpecMemo).
        pod.spec = defaultedPodSpecs.value(for: pod.spec) { [spec = pod.spec] in
            var spec = spec
            specOfPod(&spec)
            return spec
        }
    }

    /// Specs of pods defaulted lately, by their storage before defaulting.
    static let defaultedPodSpecs = PodSpecMemo<PodSpec>()

    private static func specOfPod(_ spec: inout PodSpec) {
        podSpec(&spec)
        for i in spec.containers.indices { requestsFromLimits(&spec.containers[i]) }
        if var inits = spec.initContainers {
            for i in inits.indices { requestsFromLimits(&inits[i]) }
            spec.initContainers = inits
        }
        if spec.enableServiceLinks == nil { spec.enableServiceLinks = true }
        defaultTolerationSeconds(&spec)
        if spec.hostNetwork == true {
            hostNetworkPorts(&spec.containers)
            if var inits = spec.initContainers {
                hostNetworkPorts(&inits)
                spec.initContainers = inits
            }
        }
    }

    /// kube-apiserver's DefaultTolerationSeconds admission: a pod that does not tolerate the
    /// `not-ready` and `unreachable` NoExecute taints gets tolerations for them with 300 s, so a
    /// node failure evicts its pods after five minutes rather than at once.
    static let defaultTolerationKeys = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]

    static func defaultTolerationSeconds(_ spec: inout PodSpec) {
        var tolerations = spec.tolerations ?? []
        tolerations.reserveCapacity(tolerations.count + defaultTolerationKeys.count)
        for key in defaultTolerationKeys {
            let tolerated = tolerations.contains { t in
                let effectMatches = (t.effect ?? "").isEmpty || t.effect == "NoExecute"
                let keyMatches = t.key == key || ((t.key ?? "").isEmpty && t.operator == "Exists")
                return effectMatches && keyMatches
            }
            if !tolerated {
                tolerations.append(Toleration(effect: "NoExecute", key: key, operator: "Exists", tolerationSeconds: 300))
            }
        }
        spec.tolerations = tolerations
    }

    static func requestsFromLimits(_ container: inout Container) {
        guard let limits = container.resources?.limits else { return }
        var requests = container.resources?.requests ?? [:]
        for (name, value) in limits where requests[name] == nil { requests[name] = value }
        container.resources?.requests = requests
    }

    static func hostNetworkPorts(_ containers: inout [Container]) {
        for i in containers.indices {
            guard var ports = containers[i].ports else { continue }
            for j in ports.indices where (ports[j].hostPort ?? 0) == 0 { ports[j].hostPort = ports[j].containerPort }
            containers[i].ports = ports
        }
    }

    /// Pod template defaults: those of its spec (pod-only defaults are not applied).
    public static func podTemplateSpec(_ template: inout PodTemplateSpec) {
        var spec = template.spec ?? PodSpec(containers: [])
        podSpec(&spec)
        template.spec = spec
    }

    /// PodTemplate object defaults.
    public static func podTemplate(_ template: inout PodTemplate) {
        var spec = template.template ?? PodTemplateSpec()
        podTemplateSpec(&spec)
        template.template = spec
    }

    /// PodSpec defaults: dnsPolicy ClusterFirst, restartPolicy Always, an empty security
    /// context, a 30 s grace period, the default scheduler; containers, volumes and probes.
    public static func podSpec(_ spec: inout PodSpec) {
        if (spec.dnsPolicy ?? "").isEmpty { spec.dnsPolicy = "ClusterFirst" }
        if (spec.restartPolicy ?? "").isEmpty { spec.restartPolicy = "Always" }
        if spec.securityContext == nil { spec.securityContext = PodSecurityContext() }
        if spec.terminationGracePeriodSeconds == nil { spec.terminationGracePeriodSeconds = 30 }
        if (spec.schedulerName ?? "").isEmpty { spec.schedulerName = "default-scheduler" }
        for i in spec.containers.indices { container(&spec.containers[i]) }
        if var inits = spec.initContainers {
            for i in inits.indices { container(&inits[i]) }
            spec.initContainers = inits
        }
        if var volumes = spec.volumes {
            for i in volumes.indices { volume(&volumes[i]) }
            spec.volumes = volumes
        }
    }

    /// Container defaults: image pull policy from the tag, termination message path and
    /// policy, port protocols, probe and handler defaults, field-ref API versions.
    public static func container(_ c: inout Container) {
        if (c.imagePullPolicy ?? "").isEmpty {
            c.imagePullPolicy = imageTag(c.image ?? "") == "latest" ? "Always" : "IfNotPresent"
        }
        if (c.terminationMessagePath ?? "").isEmpty { c.terminationMessagePath = "/dev/termination-log" }
        if (c.terminationMessagePolicy ?? "").isEmpty { c.terminationMessagePolicy = "File" }
        if var ports = c.ports {
            for i in ports.indices where (ports[i].protocol ?? "").isEmpty { ports[i].protocol = "TCP" }
            c.ports = ports
        }
        probe(&c.livenessProbe)
        probe(&c.readinessProbe)
        probe(&c.startupProbe)
        if var lifecycle = c.lifecycle {
            handler(&lifecycle.postStart)
            handler(&lifecycle.preStop)
            c.lifecycle = lifecycle
        }
        if var env = c.env {
            for i in env.indices where env[i].valueFrom?.fieldRef != nil && (env[i].valueFrom?.fieldRef?.apiVersion ?? "").isEmpty {
                env[i].valueFrom?.fieldRef?.apiVersion = "v1"
            }
            c.env = env
        }
    }

    /// The tag upstream's `ParseImageName` finds: `latest` when neither tag nor digest is given.
    static func imageTag(_ image: String) -> String {
        let bytes = image.utf8
        var end = bytes.endIndex
        var hasDigest = false
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            end = at
            hasDigest = true
        }
        // The tag follows the last ':' of the last path component.
        let name = bytes[..<end]
        let componentStart = name.lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
        if let colon = name[componentStart...].lastIndex(of: UInt8(ascii: ":")) {
            return String(decoding: name[bytes.index(after: colon)...], as: UTF8.self)
        }
        return hasDigest ? "" : "latest"
    }

    static func probe(_ probe: inout Probe?) {
        guard var p = probe else { return }
        if (p.timeoutSeconds ?? 0) == 0 { p.timeoutSeconds = 1 }
        if (p.periodSeconds ?? 0) == 0 { p.periodSeconds = 10 }
        if (p.successThreshold ?? 0) == 0 { p.successThreshold = 1 }
        if (p.failureThreshold ?? 0) == 0 { p.failureThreshold = 3 }
        httpGet(&p.httpGet)
        if var grpc = p.grpc, grpc.service == nil {
            grpc.service = ""
            p.grpc = grpc
        }
        probe = p
    }

    static func handler(_ handler: inout LifecycleHandler?) {
        guard var h = handler else { return }
        httpGet(&h.httpGet)
        handler = h
    }

    static func httpGet(_ action: inout HTTPGetAction?) {
        guard var a = action else { return }
        if (a.path ?? "").isEmpty { a.path = "/" }
        if (a.scheme ?? "").isEmpty { a.scheme = "HTTP" }
        action = a
    }

    /// Volume defaults: no source means an emptyDir; file modes 0644; hostPath type "".
    public static func volume(_ v: inout Volume) {
        let hasSource = v.emptyDir != nil || v.hostPath != nil || v.gitRepo != nil || v.gcePersistentDisk != nil
            || v.awsElasticBlockStore != nil || v.secret != nil || v.nfs != nil || v.iscsi != nil || v.glusterfs != nil
            || v.flocker != nil || v.persistentVolumeClaim != nil || v.rbd != nil || v.cinder != nil || v.cephfs != nil
            || v.quobyte != nil || v.downwardAPI != nil || v.fc != nil || v.flexVolume != nil || v.configMap != nil
            || v.azureFile != nil || v.vsphereVolume != nil || v.photonPersistentDisk != nil || v.portworxVolume != nil
            || v.azureDisk != nil || v.storageos != nil || v.projected != nil || v.scaleIO != nil || v.csi != nil
            || v.ephemeral != nil || v.image != nil
        if !hasSource { v.emptyDir = EmptyDirVolumeSource() }
        if v.secret != nil, v.secret?.defaultMode == nil { v.secret?.defaultMode = 0o644 }
        if v.configMap != nil, v.configMap?.defaultMode == nil { v.configMap?.defaultMode = 0o644 }
        if v.downwardAPI != nil, v.downwardAPI?.defaultMode == nil { v.downwardAPI?.defaultMode = 0o644 }
        if v.projected != nil, v.projected?.defaultMode == nil { v.projected?.defaultMode = 0o644 }
        if v.hostPath != nil, v.hostPath?.type == nil { v.hostPath?.type = "" }
    }
}
