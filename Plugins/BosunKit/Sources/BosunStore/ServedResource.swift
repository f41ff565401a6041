import BosunKit

/// How the store treats one resource: its REST facts and its admission strategy.
///
/// Immutable and shared: every request looks its resource up, and handing out a reference costs
/// less than copying the descriptor's strings.
final class ServedResource: Sendable {
    enum Propagation: String, Sendable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }

    let descriptor: ResourceDescriptor
    /// The Swift type built-in kinds decode into for defaulting and validation.
    let builtinType: (any Resource.Type)?
    /// The custom resource's compiled schema (from its CRD version), when it declares one.
    let customSchema: CustomResourceSchema?
    /// Where replicas and the selector live, for kinds with a scale subresource.
    let scalePaths: ScalePaths?
    let groupResource: GroupResource
    let hasStatus: Bool
    /// Kinds whose `metadata.generation` counts spec changes. Kubernetes 1.32 sets it for the
    /// workload kinds, HPA, PDB, CRDs and every custom resource — not for Pods, ConfigMaps, Nodes...
    let tracksGeneration: Bool

    init(descriptor: ResourceDescriptor, builtinType: (any Resource.Type)?, customSchema: CustomResourceSchema?, scalePaths: ScalePaths?) {
        self.descriptor = descriptor
        self.builtinType = builtinType
        self.customSchema = customSchema
        self.scalePaths = scalePaths
        groupResource = descriptor.groupResourceValue
        hasStatus = descriptor.hasStatus
        if builtinType == nil {
            tracksGeneration = true
        } else {
            switch descriptor.group {
            case "apps", "batch", "autoscaling", "policy", "apiextensions.k8s.io": tracksGeneration = true
            case "": tracksGeneration = descriptor.plural == "replicationcontrollers"
            default: tracksGeneration = false
            }
        }
    }

    /// JSON paths (as in a CRD's `subresources.scale`) of the fields `/scale` reads and writes.
    struct ScalePaths: Sendable {
        var specReplicas: [String]
        var statusReplicas: [String]
        var labelSelector: [String]?

        /// Parses `.spec.replicas` into `["spec", "replicas"]`.
        static func path(_ jsonPath: String) -> [String] {
            jsonPath.split(separator: ".").map(String.init)
        }

        /// Deployments, ReplicaSets, StatefulSets, ReplicationControllers.
        static let workload = ScalePaths(specReplicas: ["spec", "replicas"], statusReplicas: ["status", "replicas"],
                                         labelSelector: nil)
    }


    /// Whether a `/status` write also writes the metadata (all but labels), as the Deployment
    /// status strategy allows: the deployment controller sets the Deployment's `revision`
    /// annotation with its status. Other kinds keep the stored metadata.
    var statusWritesMetadata: Bool { isDeployment }

    /// Whether an annotation change bumps `generation`, as the Deployment strategy does: the
    /// annotations are copied to the ReplicaSets, so a change is something to roll out.
    var annotationsBumpGeneration: Bool { isDeployment }

    private var isDeployment: Bool { builtinType != nil && descriptor.group == "apps" && descriptor.plural == "deployments" }

    /// What a delete without a propagation policy does (GC-8): orphan for core/v1
    /// ReplicationControllers and batch/v1 Jobs, background for everything else.
    var defaultPropagation: Propagation {
        switch (descriptor.group, descriptor.plural) {
        case ("", "replicationcontrollers"), ("batch", "jobs"): .orphan
        default: .background
        }
    }

    /// Every built-in kind, as a new store serves them.
    static let builtins: [GroupResource: ServedResource] = Dictionary(
        uniqueKeysWithValues: BuiltinResources.all.map { type in
            let served = ServedResource.builtin(type)
            return (served.groupResource, served)
        })

    static func builtin(_ type: any Resource.Type) -> ServedResource {
        ServedResource(descriptor: type.resource, builtinType: type, customSchema: nil,
                       scalePaths: type.resource.hasScale ? .workload : nil)
    }
}
