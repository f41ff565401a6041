// A sample operator built only on BosunKit's public API, after kube-rs's configmapgen_controller:
// a ConfigMapGenerator names some content, and its controller keeps a ConfigMap of the same name
// holding that content. See docs/writing-a-controller.md.

import BosunKit

/// `samples.bosun.dev/v1` `ConfigMapGenerator`: "keep a ConfigMap with this content".
///
/// ```yaml
/// apiVersion: samples.bosun.dev/v1
/// kind: ConfigMapGenerator
/// metadata: {name: greeting, namespace: default}
/// spec: {content: "hello, world"}
/// ```
public struct ConfigMapGenerator: CustomResource, Sendable {
    public static let resource = ResourceDescriptor(
        group: "samples.bosun.dev", version: "v1", kind: "ConfigMapGenerator", plural: "configmapgenerators",
        namespaced: true, shortNames: ["cmg"], subresources: ["status"])

    /// The ConfigMap key used when `spec.key` is not set (the CRD's schema defaults it to this).
    public static let defaultKey = "content"

    public var metadata: ObjectMeta
    public var spec: Spec
    /// Written by the controller through the `status` subresource.
    public var status: Status?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: Spec = Spec(), status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Hashable, Sendable {
        /// What the generated ConfigMap holds.
        public var content: String
        /// Under which key; ``ConfigMapGenerator/defaultKey`` when `nil`.
        public var key: String?

        public init(content: String = "", key: String? = nil) {
            self.content = content
            self.key = key
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        /// The `metadata.generation` the controller last acted on.
        public var observedGeneration: Int64?
        /// `Ready`: whether the ConfigMap holds the current content.
        public var conditions: [Condition]?

        public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil) {
            self.observedGeneration = observedGeneration
            self.conditions = conditions
        }

        /// The condition of type `type`, if set.
        public func condition(_ type: String) -> Condition? {
            conditions?.first { $0.type == type }
        }
    }

    /// The key the content goes under.
    public var configMapKey: String { spec.key ?? Self.defaultKey }
}
