import BosunKit
import BosunRuntime

extension ConfigMapGenerator {
    /// The CustomResourceDefinition that serves ``ConfigMapGenerator``; the same as
    /// `Samples/manifests/configmapgenerator-crd.yaml`.
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
                        CustomResourceColumnDefinition(jsonPath: ".spec.key", name: "Key", type: "string"),
                        CustomResourceColumnDefinition(
                            jsonPath: #".status.conditions[?(@.type=="Ready")].status"#, name: "Ready", type: "string"),
                        CustomResourceColumnDefinition(jsonPath: ".metadata.creationTimestamp", name: "Age", type: "date"),
                    ],
                    schema: CustomResourceValidation(openAPIV3Schema: schema),
                    subresources: CustomResourceSubresources(status: CustomResourceSubresourceStatus()))]))
    }

    /// The OpenAPI v3 schema: what the store prunes, defaults and validates generators against.
    static var schema: JSONSchemaProps {
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
        return JSONSchemaProps(
            description: "Keeps a ConfigMap of the same name holding spec.content.",
            properties: [
                "apiVersion": JSONSchemaProps(type: "string"),
                "kind": JSONSchemaProps(type: "string"),
                "metadata": JSONSchemaProps(type: "object"),
                "spec": JSONSchemaProps(
                    properties: [
                        "content": JSONSchemaProps(description: "What the generated ConfigMap holds.", type: "string"),
                        "key": JSONSchemaProps(
                            default: .string(defaultKey), description: "The ConfigMap key the content goes under.",
                            maxLength: 253, pattern: "^[-._a-zA-Z0-9]+$", type: "string"),
                    ],
                    required: ["content"],
                    type: "object"),
                "status": JSONSchemaProps(
                    properties: [
                        "observedGeneration": JSONSchemaProps(format: "int64", type: "integer"),
                        "conditions": JSONSchemaProps(
                            items: condition.jsonValue(), type: "array", xKubernetesListMapKeys: ["type"],
                            xKubernetesListType: "map"),
                    ],
                    type: "object"),
            ],
            required: ["spec"],
            type: "object")
    }

    /// Creates the CRD through `client`; one that exists already is left as it is.
    public static func installDefinition(using client: some Client) async throws {
        do {
            _ = try await client.create(customResourceDefinition)
        } catch let error as APIError where error.reason == .alreadyExists {
            return
        }
    }
}
