import BosunKit

extension PodGroup {
    /// The CustomResourceDefinition that serves ``PodGroup``: upstream's schema (minMember at
    /// least 1), the status subresource, and printer columns for `kubectl get podgroups`.
    public static var customResourceDefinition: CustomResourceDefinition {
        CustomResourceDefinition(serving: resource, schema: schema, printerColumns: [
            CustomResourceColumnDefinition(jsonPath: ".status.phase", name: "Phase", type: "string"),
            CustomResourceColumnDefinition(jsonPath: ".spec.minMember", name: "MinMember", type: "integer"),
            CustomResourceColumnDefinition(jsonPath: ".status.running", name: "Running", type: "integer"),
            CustomResourceColumnDefinition(jsonPath: ".status.succeeded", name: "Succeeded", type: "integer"),
            CustomResourceColumnDefinition(jsonPath: ".status.failed", name: "Failed", type: "integer"),
        ])
    }

    /// The OpenAPI v3 schema the store prunes and validates PodGroups against.
    static var schema: JSONSchemaProps {
        let quantity = JSONSchemaProps(
            pattern: #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#,
            xKubernetesIntOrString: true)
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
                        "conditions": .conditions,
                    ],
                    type: "object"),
            ],
            type: "object")
    }
}
