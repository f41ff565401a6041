import BosunKit

/// `example.com/v1` `Widget`: a message its controller keeps in a ConfigMap of the same name.
///
/// ```yaml
/// apiVersion: example.com/v1
/// kind: Widget
/// metadata: {name: hello}
/// spec: {message: "hello, world"}
/// ```
public struct Widget: CustomResource, Sendable {
    public static let resource = ResourceDescriptor(
        group: "example.com", version: "v1", kind: "Widget", plural: "widgets",
        namespaced: true, subresources: ["status"])

    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: Spec = Spec(), status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var message: String

        public init(message: String = "") { self.message = message }
    }

    public struct Status: Codable, Hashable, Sendable {
        /// The generation the controller last acted on.
        public var observedGeneration: Int64?

        public init(observedGeneration: Int64? = nil) { self.observedGeneration = observedGeneration }
    }

    /// The CustomResourceDefinition that serves widgets: its schema is what the API server
    /// validates and prunes them against, its columns what `kubectl get widgets` shows.
    public static var definition: CustomResourceDefinition {
        let spec = JSONSchemaProps(
            properties: ["message": JSONSchemaProps(description: "What the widget's ConfigMap holds.", type: "string")],
            required: ["message"], type: "object")
        let status = JSONSchemaProps(
            properties: ["observedGeneration": JSONSchemaProps(format: "int64", type: "integer")], type: "object")
        return CustomResourceDefinition(
            serving: resource,
            schema: JSONSchemaProps(properties: ["spec": spec, "status": status], required: ["spec"], type: "object"),
            printerColumns: [CustomResourceColumnDefinition(jsonPath: ".spec.message", name: "Message", type: "string")])
    }
}
