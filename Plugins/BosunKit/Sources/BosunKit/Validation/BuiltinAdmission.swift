/// Kubernetes' built-in admission for the built-in kinds: v1 defaulting, then validation that
/// reports every problem at once. The API server and in-process clients run the same chain;
/// plugins may call it for objects they build.
///
/// Validation expects a defaulted object (fields that defaulting always fills are *required*),
/// exactly as kube-apiserver validates after defaulting. The store assigns `metadata.uid` and
/// generated names before admission, and fills `resourceVersion` for unconditional updates.
public enum BuiltinAdmission {
    /// Applies Kubernetes' defaults for the object's kind; other kinds are left unchanged.
    public static func applyDefaults<R: Resource>(_ object: inout R) {
        func apply<T>(_ type: T.Type, _ body: (inout T) -> Void) -> Bool {
            guard var typed = cast(object, to: T.self) else { return false }
            body(&typed)
            object = typed as! R
            return true
        }
        _ = apply(Pod.self, Defaulting.pod)
            || apply(Deployment.self, Defaulting.deployment)
            || apply(ReplicaSet.self, Defaulting.replicaSet)
            || apply(StatefulSet.self, Defaulting.statefulSet)
            || apply(DaemonSet.self, Defaulting.daemonSet)
            || apply(Job.self, Defaulting.job)
            || apply(CronJob.self, Defaulting.cronJob)
            || apply(ReplicationController.self, Defaulting.replicationController)
            || apply(PodTemplate.self, Defaulting.podTemplate)
            || apply(Service.self, Defaulting.service)
            || apply(Namespace.self, Defaulting.namespace)
            || apply(PersistentVolumeClaim.self, Defaulting.persistentVolumeClaim)
            || apply(PersistentVolume.self, Defaulting.persistentVolume)
            || apply(StorageClass.self, Defaulting.storageClass)
            || apply(Secret.self, Defaulting.secret)
            || apply(Node.self, Defaulting.node)
            || apply(CustomResourceDefinition.self, Defaulting.customResourceDefinition)
    }

    /// Validates an object on create. Kinds without specific rules get object-meta validation
    /// (DNS-subdomain name, scope from `R.resource.namespaced`).
    public static func validate<R: Resource>(_ object: R) -> FieldErrorList {
        let V = Validation.self
        if let o = cast(object, to: Pod.self) { return V.validatePod(o) }
        if let o = cast(object, to: Deployment.self) { return V.validateDeployment(o) }
        if let o = cast(object, to: ReplicaSet.self) { return V.validateReplicaSet(o) }
        if let o = cast(object, to: StatefulSet.self) { return V.validateStatefulSet(o) }
        if let o = cast(object, to: DaemonSet.self) { return V.validateDaemonSet(o) }
        if let o = cast(object, to: Job.self) { return V.validateJob(o) }
        if let o = cast(object, to: CronJob.self) { return V.validateCronJob(o) }
        if let o = cast(object, to: ReplicationController.self) { return V.validateReplicationController(o) }
        if let o = cast(object, to: PodTemplate.self) { return V.validatePodTemplate(o) }
        if let o = cast(object, to: Service.self) { return V.validateService(o) }
        if let o = cast(object, to: Namespace.self) { return V.validateNamespace(o) }
        if let o = cast(object, to: Node.self) { return V.validateNode(o) }
        if let o = cast(object, to: ConfigMap.self) { return V.validateConfigMap(o) }
        if let o = cast(object, to: Secret.self) { return V.validateSecret(o) }
        if let o = cast(object, to: PersistentVolumeClaim.self) { return V.validatePersistentVolumeClaim(o) }
        if let o = cast(object, to: StorageClass.self) { return V.validateStorageClass(o) }
        if let o = cast(object, to: Lease.self) { return V.validateLease(o) }
        if let o = cast(object, to: CustomResourceDefinition.self) { return V.validateCustomResourceDefinition(o) }
        let builtin = R.resource.group.isEmpty || R.resource.group.hasSuffix(".k8s.io") || !R.resource.group.contains(".")
        return V.validateObjectMeta(object.metadata, namespaced: R.resource.namespaced, kubeFinalizers: builtin)
    }

    /// `object` as a `T` when `R` is `T`: comparing the types first spares the failed dynamic
    /// casts of trying one kind after another.
    @inline(__always) package static func cast<R, T>(_ object: R, to type: T.Type) -> T? {
        R.self == T.self ? (object as! T) : nil
    }

    /// Validates an update of `old` to `object`: the create rules plus Kubernetes' immutability
    /// rules (identity metadata, apps/v1 selectors, StatefulSet spec, Job selector and template,
    /// Pod spec, CRD group/scope, immutable ConfigMaps and Secrets).
    public static func validateUpdate<R: Resource>(_ object: R, old: R) -> FieldErrorList {
        let V = Validation.self
        if let o = cast(object, to: Pod.self), let p = cast(old, to: Pod.self) { return V.validatePodUpdate(o, old: p) }
        if let o = cast(object, to: Lease.self), let p = cast(old, to: Lease.self) {
            return V.validateObjectMetaUpdate(o.metadata, old: p.metadata) + specErrors(validate(o))
        }
        switch (object, old) {
        case let (o as Pod, p as Pod): return V.validatePodUpdate(o, old: p)
        case let (o as Deployment, p as Deployment):
            return V.validateObjectMetaUpdate(o.metadata, old: p.metadata) + specErrors(V.validateDeployment(o))
                + V.validateSelectorImmutable(o.spec.selector, p.spec.selector)
        case let (o as ReplicaSet, p as ReplicaSet):
            return V.validateObjectMetaUpdate(o.metadata, old: p.metadata) + specErrors(V.validateReplicaSet(o))
                + V.validateSelectorImmutable(o.spec.selector, p.spec.selector)
        case let (o as DaemonSet, p as DaemonSet):
            return V.validateObjectMetaUpdate(o.metadata, old: p.metadata) + specErrors(V.validateDaemonSet(o))
                + V.validateSelectorImmutable(o.spec.selector, p.spec.selector)
        case let (o as StatefulSet, p as StatefulSet): return V.validateStatefulSetUpdate(o, old: p)
        case let (o as Job, p as Job): return V.validateJobUpdate(o, old: p)
        case let (o as CronJob, p as CronJob): return V.validateCronJobUpdate(o, old: p)
        case let (o as ConfigMap, p as ConfigMap):
            var errors = V.validateObjectMetaUpdate(o.metadata, old: p.metadata) + specErrors(V.validateConfigMap(o))
            if p.immutable == true {
                if o.immutable != true { errors.append(.forbidden("immutable", "field is immutable when `immutable` is set")) }
                if o.data != p.data { errors.append(.forbidden("data", "field is immutable when `immutable` is set")) }
                if o.binaryData != p.binaryData { errors.append(.forbidden("binaryData", "field is immutable when `immutable` is set")) }
            }
            return errors
        case let (o as Secret, p as Secret):
            var errors = V.validateObjectMetaUpdate(o.metadata, old: p.metadata)
            if o.type != p.type { errors.append(.immutable("type", rendered: GoSyntax.quote(o.type ?? ""))) }
            if p.immutable == true {
                if o.immutable != true { errors.append(.forbidden("immutable", "field is immutable when `immutable` is set")) }
                if o.data != p.data { errors.append(.forbidden("data", "field is immutable when `immutable` is set")) }
            }
            return errors + specErrors(V.validateSecret(o))
        case let (o as Namespace, p as Namespace):
            return V.validateObjectMetaUpdate(o.metadata, old: p.metadata)
        case let (o as CustomResourceDefinition, p as CustomResourceDefinition):
            return V.validateCustomResourceDefinitionUpdate(o, old: p)
        case let (o as PersistentVolumeClaim, p as PersistentVolumeClaim):
            var errors = V.validateObjectMetaUpdate(o.metadata, old: p.metadata) + specErrors(V.validatePersistentVolumeClaim(o))
            var clone = o.spec
            if (p.spec.volumeName ?? "").isEmpty { clone.volumeName = p.spec.volumeName }
            // A claim without a class may be given one (upstream's retroactive default class).
            if p.spec.storageClassName == nil { clone.storageClassName = nil }
            if p.status.phase == "Bound" { clone.resources?.requests?["storage"] = p.spec.resources?.requests?["storage"] }
            if clone != p.spec {
                errors.append(.forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"
                    + V.specDiff(p.spec, clone)))
            }
            return errors
        default:
            // Kinds whose update adds nothing beyond metadata rules and create-time checks.
            return V.validateObjectMetaUpdate(object.metadata, old: old.metadata) + specErrors(validate(object))
        }
    }

    /// Validates a `/status` write of `old` to `object`: the identity metadata rules, and the
    /// status' own rules for the kinds that have them — ReplicaSets and ReplicationControllers
    /// (counts non-negative, none above `replicas`, available not above ready), Deployments
    /// (upstream's `ValidateDeploymentStatusUpdate`) and Jobs (see
    /// ``Validation/validateJobStatusUpdate(_:old:)``). Other kinds' status is not validated.
    public static func validateStatusUpdate<R: Resource>(_ object: R, old: R) -> FieldErrorList {
        let metadata = Validation.validateObjectMetaUpdate(object.metadata, old: old.metadata)
        // `cast` compares the types before casting: most status writes are of other kinds.
        if let o = cast(object, to: ReplicaSet.self) {
            let s = o.status
            return metadata + Validation.validateReplicaStatus(
                replicas: s.replicas, fullyLabeled: s.fullyLabeledReplicas, ready: s.readyReplicas,
                available: s.availableReplicas, observedGeneration: s.observedGeneration)
        }
        if let o = cast(object, to: ReplicationController.self) {
            let s = o.status
            return metadata + Validation.validateReplicaStatus(
                replicas: s.replicas, fullyLabeled: s.fullyLabeledReplicas, ready: s.readyReplicas,
                available: s.availableReplicas, observedGeneration: s.observedGeneration)
        }
        if let d = cast(object, to: Deployment.self), let previous = cast(old, to: Deployment.self) {
            return metadata + Validation.validateDeploymentStatusUpdate(d, old: previous)
        }
        if let j = cast(object, to: Job.self), let previous = cast(old, to: Job.self) {
            return metadata + Validation.validateJobStatusUpdate(j, old: previous)
        }
        return metadata
    }

    /// The non-metadata errors of a create-time validation (metadata is re-checked by the update rules).
    private static func specErrors(_ errors: FieldErrorList) -> FieldErrorList {
        errors.filter { error in
            guard case .field(let first)? = error.field.components.first else { return true }
            return first != "metadata"
        }
    }
}
