import BosunKit
import BosunStore

/// Which printer a resource gets: kube-apiserver's own for the built-in kinds it prints, the
/// CRD's columns for custom resources, NAME and CREATED AT for the rest.
enum TablePrinters {
    static let builtin: [GroupResource: TablePrinter] = [
        GroupResource(group: "", resource: "pods"): PodPrinter.printer,
        GroupResource(group: "", resource: "nodes"): CorePrinters.node,
        GroupResource(group: "", resource: "namespaces"): CorePrinters.namespace,
        GroupResource(group: "", resource: "services"): CorePrinters.service,
        GroupResource(group: "", resource: "configmaps"): CorePrinters.configMap,
        GroupResource(group: "", resource: "secrets"): CorePrinters.secret,
        GroupResource(group: "", resource: "events"): CorePrinters.event,
        GroupResource(group: "", resource: "persistentvolumeclaims"): CorePrinters.persistentVolumeClaim,
        GroupResource(group: "", resource: "persistentvolumes"): CorePrinters.persistentVolume,
        GroupResource(group: "apps", resource: "deployments"): WorkloadPrinters.deployment,
        GroupResource(group: "apps", resource: "replicasets"): WorkloadPrinters.replicaSet,
        GroupResource(group: "apps", resource: "statefulsets"): WorkloadPrinters.statefulSet,
        GroupResource(group: "apps", resource: "daemonsets"): WorkloadPrinters.daemonSet,
        GroupResource(group: "apps", resource: "controllerrevisions"): WorkloadPrinters.controllerRevision,
        GroupResource(group: "batch", resource: "jobs"): WorkloadPrinters.job,
        GroupResource(group: "batch", resource: "cronjobs"): WorkloadPrinters.cronJob,
        GroupResource(group: "storage.k8s.io", resource: "storageclasses"): CorePrinters.storageClass,
        GroupResource(group: "coordination.k8s.io", resource: "leases"): CorePrinters.lease,
    ]

    static func printer(for descriptor: ResourceDescriptor, store: ObjectStore) -> TablePrinter {
        if let printer = builtin[descriptor.groupResourceValue] { return printer }
        let crdResource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")
        if !descriptor.group.isEmpty,
           let crd = try? store.get(crdResource, name: descriptor.plural + "." + descriptor.group),
           let value = try? JSONParser.parse(crd.bytes) {
            return CustomResourcePrinter.printer(crd: value, version: descriptor.version)
        }
        return CorePrinters.fallback
    }
}
