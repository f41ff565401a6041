extension CustomResourceDefinition {
    /// The definition that serves `resource` at its one version, built from its descriptor so
    /// the two cannot disagree: the name (`plural.group`), the names kubectl resolves (kind,
    /// plural, singular, short names, categories), the scope, and the status subresource when the
    /// descriptor lists it. `schema` is what the store prunes, defaults and validates objects
    /// against; `printerColumns` are `kubectl get`'s columns, and an `Age` column is added last,
    /// as kubectl shows for every kind. A descriptor that lists `scale` needs `scale`, the
    /// replica paths its `/scale` subresource reads and writes.
    ///
    /// ```swift
    /// static var definition: CustomResourceDefinition {
    ///     CustomResourceDefinition(serving: resource, schema: schema, printerColumns: [
    ///         CustomResourceColumnDefinition(jsonPath: ".spec.message", name: "Message", type: "string"),
    ///     ])
    /// }
    /// ```
    public init(
        serving resource: ResourceDescriptor, schema: JSONSchemaProps,
        printerColumns: [CustomResourceColumnDefinition] = [], scale: CustomResourceSubresourceScale? = nil
    ) {
        let wantsStatus = resource.subresources.contains("status")
        let subresources = wantsStatus || scale != nil
            ? CustomResourceSubresources(scale: scale, status: wantsStatus ? CustomResourceSubresourceStatus() : nil)
            : nil
        self.init(
            metadata: ObjectMeta(name: resource.groupResource),
            spec: CustomResourceDefinitionSpec(
                group: resource.group,
                names: CustomResourceDefinitionNames(
                    kind: resource.kind, plural: resource.plural,
                    categories: resource.categories.isEmpty ? nil : resource.categories,
                    shortNames: resource.shortNames.isEmpty ? nil : resource.shortNames, singular: resource.singular),
                scope: resource.namespaced ? "Namespaced" : "Cluster",
                versions: [CustomResourceDefinitionVersion(
                    name: resource.version, served: true, storage: true,
                    additionalPrinterColumns: printerColumns + [
                        CustomResourceColumnDefinition(jsonPath: ".metadata.creationTimestamp", name: "Age", type: "date"),
                    ],
                    schema: CustomResourceValidation(openAPIV3Schema: schema),
                    subresources: subresources)]))
    }
}

extension JSONSchemaProps {
    /// The schema of a `conditions` list of `metav1.Condition`, as controller-gen writes it: a
    /// list keyed by `type`, each with its status, reason, message, transition time and the
    /// generation it was observed at.
    public static var conditions: JSONSchemaProps {
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
            items: condition.jsonValue(), type: "array", xKubernetesListMapKeys: ["type"], xKubernetesListType: "map")
    }
}
