import BosunKit
import BosunRuntime

extension ConfigMapGenerator {
    /// The CustomResourceDefinition that serves ``ConfigMapGenerator``; the same as
    /// `Samples/manifests/configmapgenerator-crd.yaml`.
    public static var customResourceDefinition: CustomResourceDefinition {
        CustomResourceDefinition(serving: resource, schema: schema, printerColumns: [
            CustomResourceColumnDefinition(jsonPath: ".spec.key", name: "Key", type: "string"),
            CustomResourceColumnDefinition(jsonPath: #".status.conditions[?(@.type=="Ready")].status"#, name: "Ready", type: "string"),
        ])
    }

    /// The OpenAPI v3 schema: what the store prunes, defaults and validates generators against.
    static var schema: JSONSchemaProps {
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
                        "conditions": .conditions,
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
