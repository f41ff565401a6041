import BosunKit

extension PodGroup {
    /// The CustomResourceDefinition that serves ``PodGroup``: upstream's schema (minMember at
    /// least 1), the status subresource, and printer columns for `kubectl get podgroups`.
    public static var customResourceDefinition: CustomResourceDefinition {
        let d = resource
        return CustomResourceDefinition(
            metadata: ObjectMeta(name: d.groupResource),
            spec: CustomResourceDefinitionSpec(
                group: d.group,
                names: CustomResourceDefinitionNames(
                    kind: d.kind, plural: d.plural, shortNames: d.shortNames, singular: d.singular),
                scope: "Namespaced",
                versions: [CustomResourceDefinitionVersion(
                    name: d.version, served: true, storage: true,
                    additionalPrinterColumns: [
                        CustomResourceColumnDefinition(jsonPath: ".status.phase", name: "Phase", type: "string"),
                        CustomResourceColumnDefinition(jsonPath: ".spec.minMember", name: "MinMember", type: "integer"),
                        CustomResourceColumnDefinition(jsonPath: ".status.running", name: "Running", type: "integer"),
                        CustomResourceColumnDefinition(jsonPath: ".status.succeeded", name: "Succeeded", type: "integer"),
                        CustomResourceColumnDefinition(jsonPath: ".status.failed", name: "Failed", type: "integer"),
                        CustomResourceColumnDefinition(jsonPath: ".metadata.creationTimestamp", name: "Age", type: "date"),
                    ],
                    schema: CustomResourceValidation(openAPIV3Schema: schema),
                    subresources: CustomResourceSubresources(status: CustomResourceSubresourceStatus()))]))
    }

    /// The OpenAPI v3 schema the store prunes and validates PodGroups against.
    static var schema: JSONSchemaProps {
        let quantity = JSONSchemaProps(
            pattern: #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#,
            xKubernetesIntOrString: true)
        let condition = JSONSchemaProps(
            properties: [
                "type": JSONSchemaProps(maxLength: 316, type: "string"),
                "status": JSONSchemaProps(enum: ["True", "False", "Unknown"], type: "string"),
                "observedGeneration": JSONSchemaProps(format: "int64", minimum: 0, type: "integer"),
                "lastTransitionTime": JSONSchemaProps(format: "date-time", type: "string"),
                "reason": JSONSchemaProps(maxLength: 1024, type: "string"),
                "message": JSONSchemaProps(maxLength: 32768, type: "string"),
            ],
            required: ["type", "status", "lastTransitionTime", "reason", "message"],
            type: "object")
        let count = JSONSchemaProps(format: "int32", type: "integer")
        return JSONSchemaProps(
            description: "A group of pods scheduled all together or not at all (coscheduling).",
            properties: [
                "apiVersion": JSONSchemaProps(type: "string"),
                "kind": JSONSchemaProps(type: "string"),
                "metadata": JSONSchemaProps(type: "object"),
                "spec": JSONSchemaProps(
                    properties: [
                        "minMember": JSONSchemaProps(
                            default: 1,
                            description: "The least number of pods that must be scheduled together.",
                            format: "int32", minimum: 1, type: "integer"),
                        "minResources": JSONSchemaProps(
                            additionalProperties: quantity.jsonValue(),
                            description: "The least resources the whole group needs to run.", type: "object"),
                        "scheduleTimeoutSeconds": JSONSchemaProps(
                            description: "How long members wait at Permit for the rest of the group.",
                            format: "int32", minimum: 1, type: "integer"),
                    ],
                    type: "object"),
                "status": JSONSchemaProps(
                    properties: [
                        "phase": JSONSchemaProps(
                            enum: PodGroup.Phase.allCases.map { .string($0.rawValue) }, type: "string"),
                        "occupiedBy": JSONSchemaProps(type: "string"),
                        "running": count,
                        "succeeded": count,
                        "failed": count,
                        "scheduleStartTime": JSONSchemaProps(format: "date-time", type: "string"),
                        "conditions": JSONSchemaProps(
                            items: condition.jsonValue(), type: "array", xKubernetesListMapKeys: ["type"],
                            xKubernetesListType: "map"),
                    ],
                    type: "object"),
            ],
            type: "object")
    }
}
