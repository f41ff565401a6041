// apps/v1, batch/v1 and core/v1 workload defaults (upstream pkg/apis/{apps,batch,core}/v1/defaults.go).

extension Defaulting {
    /// Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
    /// progressDeadlineSeconds 600, template defaults.
    public static func deployment(_ d: inout Deployment) {
        if d.spec.replicas == nil { d.spec.replicas = 1 }
        var strategy = d.spec.strategy ?? DeploymentStrategy()
        if (strategy.type ?? "").isEmpty { strategy.type = "RollingUpdate" }
        if strategy.type == "RollingUpdate" {
            var rolling = strategy.rollingUpdate ?? RollingUpdateDeployment()
            if rolling.maxUnavailable == nil { rolling.maxUnavailable = .string("25%") }
            if rolling.maxSurge == nil { rolling.maxSurge = .string("25%") }
            strategy.rollingUpdate = rolling
        }
        d.spec.strategy = strategy
        if d.spec.revisionHistoryLimit == nil { d.spec.revisionHistoryLimit = 10 }
        if d.spec.progressDeadlineSeconds == nil { d.spec.progressDeadlineSeconds = 600 }
        podTemplateSpec(&d.spec.template)
    }

    /// ReplicaSet: replicas 1, template defaults.
    public static func replicaSet(_ rs: inout ReplicaSet) {
        if rs.spec.replicas == nil { rs.spec.replicas = 1 }
        if var template = rs.spec.template {
            podTemplateSpec(&template)
            rs.spec.template = template
        }
    }

    /// DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10.
    public static func daemonSet(_ ds: inout DaemonSet) {
        var strategy = ds.spec.updateStrategy ?? DaemonSetUpdateStrategy()
        if (strategy.type ?? "").isEmpty { strategy.type = "RollingUpdate" }
        if strategy.type == "RollingUpdate" {
            var rolling = strategy.rollingUpdate ?? RollingUpdateDaemonSet()
            if rolling.maxUnavailable == nil { rolling.maxUnavailable = .int(1) }
            if rolling.maxSurge == nil { rolling.maxSurge = .int(0) }
            strategy.rollingUpdate = rolling
        }
        ds.spec.updateStrategy = strategy
        if ds.spec.revisionHistoryLimit == nil { ds.spec.revisionHistoryLimit = 10 }
        podTemplateSpec(&ds.spec.template)
    }

    /// StatefulSet: OrderedReady, RollingUpdate with partition 0, PVC retention Retain/Retain,
    /// replicas 1, revisionHistoryLimit 10; claim templates get Filesystem mode and Pending phase.
    public static func statefulSet(_ sts: inout StatefulSet) {
        if (sts.spec.podManagementPolicy ?? "").isEmpty { sts.spec.podManagementPolicy = "OrderedReady" }
        var strategy = sts.spec.updateStrategy ?? StatefulSetUpdateStrategy()
        if (strategy.type ?? "").isEmpty {
            strategy.type = "RollingUpdate"
            if strategy.rollingUpdate == nil { strategy.rollingUpdate = RollingUpdateStatefulSetStrategy() }
        }
        if strategy.type == "RollingUpdate", var rolling = strategy.rollingUpdate, rolling.partition == nil {
            rolling.partition = 0
            strategy.rollingUpdate = rolling
        }
        sts.spec.updateStrategy = strategy
        var retention = sts.spec.persistentVolumeClaimRetentionPolicy ?? StatefulSetPersistentVolumeClaimRetentionPolicy()
        if (retention.whenDeleted ?? "").isEmpty { retention.whenDeleted = "Retain" }
        if (retention.whenScaled ?? "").isEmpty { retention.whenScaled = "Retain" }
        sts.spec.persistentVolumeClaimRetentionPolicy = retention
        if sts.spec.replicas == nil { sts.spec.replicas = 1 }
        if sts.spec.revisionHistoryLimit == nil { sts.spec.revisionHistoryLimit = 10 }
        podTemplateSpec(&sts.spec.template)
        if var claims = sts.spec.volumeClaimTemplates {
            for i in claims.indices { persistentVolumeClaim(&claims[i]) }
            sts.spec.volumeClaimTemplates = claims
        }
    }

    /// Job: parallelism and completions 1 when both are unset, parallelism 1, backoffLimit 6
    /// (MaxInt32 with backoffLimitPerIndex), labels from the template, NonIndexed, not suspended,
    /// podReplacementPolicy TerminatingOrFailed (Failed with a podFailurePolicy), manualSelector
    /// false; once `metadata.uid` is set, the generated selector and template labels.
    public static func job(_ job: inout Job) {
        if job.spec.completions == nil && job.spec.parallelism == nil {
            job.spec.completions = 1
            job.spec.parallelism = 1
        }
        if job.spec.parallelism == nil { job.spec.parallelism = 1 }
        if job.spec.backoffLimit == nil { job.spec.backoffLimit = job.spec.backoffLimitPerIndex != nil ? Int32.max : 6 }
        if let labels = job.spec.template.metadata?.labels, (job.metadata.labels ?? [:]).isEmpty { job.metadata.labels = labels }
        if job.spec.completionMode == nil { job.spec.completionMode = "NonIndexed" }
        if job.spec.suspend == nil { job.spec.suspend = false }
        if var policy = job.spec.podFailurePolicy {
            for i in policy.rules.indices {
                guard var patterns = policy.rules[i].onPodConditions else { continue }
                for j in patterns.indices where patterns[j].status.isEmpty { patterns[j].status = "True" }
                policy.rules[i].onPodConditions = patterns
            }
            job.spec.podFailurePolicy = policy
        }
        if job.spec.podReplacementPolicy == nil {
            job.spec.podReplacementPolicy = job.spec.podFailurePolicy != nil ? "Failed" : "TerminatingOrFailed"
        }
        if job.spec.manualSelector == nil { job.spec.manualSelector = false }
        podTemplateSpec(&job.spec.template)
        generateJobSelector(&job)
    }

    /// The Job strategy's selector generation: `batch.kubernetes.io/controller-uid=<uid>`, and
    /// the controller-uid and job-name labels (legacy and prefixed) on the template. Does
    /// nothing without a uid, with `manualSelector: true`, or when a selector is already set.
    public static func generateJobSelector(_ job: inout Job) {
        guard job.spec.manualSelector != true, job.spec.selector == nil, let uid = job.metadata.uid, !uid.isEmpty else { return }
        let name = job.metadata.name ?? ""
        job.spec.selector = LabelSelector(matchLabels: ["batch.kubernetes.io/controller-uid": uid])
        var meta = job.spec.template.metadata ?? ObjectMeta()
        var labels = meta.labels ?? [:]
        labels["controller-uid"] = uid
        labels["batch.kubernetes.io/controller-uid"] = uid
        labels["job-name"] = name
        labels["batch.kubernetes.io/job-name"] = name
        meta.labels = labels
        job.spec.template.metadata = meta
    }

    /// CronJob: Allow, not suspended, keep 3 successful and 1 failed job; pod template defaults.
    public static func cronJob(_ cronJob: inout CronJob) {
        if (cronJob.spec.concurrencyPolicy ?? "").isEmpty { cronJob.spec.concurrencyPolicy = "Allow" }
        if cronJob.spec.suspend == nil { cronJob.spec.suspend = false }
        if cronJob.spec.successfulJobsHistoryLimit == nil { cronJob.spec.successfulJobsHistoryLimit = 3 }
        if cronJob.spec.failedJobsHistoryLimit == nil { cronJob.spec.failedJobsHistoryLimit = 1 }
        // Only the pod template is defaulted here; Job defaults apply when the controller
        // creates each Job.
        if var spec = cronJob.spec.jobTemplate.spec {
            podTemplateSpec(&spec.template)
            cronJob.spec.jobTemplate.spec = spec
        }
    }

    /// ReplicationController: selector and labels from the template, replicas 1.
    public static func replicationController(_ rc: inout ReplicationController) {
        if let labels = rc.spec.template?.metadata?.labels {
            if (rc.spec.selector ?? [:]).isEmpty { rc.spec.selector = labels }
            if (rc.metadata.labels ?? [:]).isEmpty { rc.metadata.labels = labels }
        }
        if rc.spec.replicas == nil { rc.spec.replicas = 1 }
        if var template = rc.spec.template {
            podTemplateSpec(&template)
            rc.spec.template = template
        }
    }
}
