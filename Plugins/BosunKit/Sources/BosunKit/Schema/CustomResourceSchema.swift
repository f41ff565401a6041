// The public face of CRD schema handling: one value per served version's
// `schema.openAPIV3Schema`, compiled once (patterns included) and then used to prune, default
// and validate custom resources exactly as kube-apiserver (apiextensions-apiserver) does.

/// A custom resource version's OpenAPI v3 schema, compiled for validation, pruning and defaulting
/// with kube-apiserver's semantics and messages.
///
/// kube-apiserver applies it in this order: on decode, ``prune(_:)`` (unknown fields), then
/// ``pruneNonNullableNulls(_:)``, then ``applyDefaults(_:)`` (``normalize(_:)`` does all three);
/// on create and update, ``validate(_:)``. ObjectMeta and TypeMeta at the root are validated by
/// the caller; `metadata` is only checked against whatever the schema itself declares for it.
///
/// ```swift
/// let schema = CustomResourceSchema(version.schema?.openAPIV3Schema ?? JSONSchemaProps())
/// let object = schema.normalize(body)
/// let errors = schema.validate(object)   // e.g. `spec.replicas: Invalid value: 20: ...`
/// ```
public struct CustomResourceSchema: Sendable {
    let root: SchemaNode

    /// Compiles `openAPIV3Schema` (regular expressions included, with Go RE2 syntax).
    public init(_ openAPIV3Schema: JSONSchemaProps) {
        root = SchemaNode(openAPIV3Schema)
    }

    /// Compiles a version's `schema`; without one, every field is kept and anything validates.
    public init(_ validation: CustomResourceValidation?) {
        if let schema = validation?.openAPIV3Schema { root = SchemaNode(schema) } else { root = .permissive }
    }

    /// The schema of `version` in `crd`, or `nil` if the CRD has no such version.
    public init?(crd: CustomResourceDefinition, version: String) {
        guard let v = crd.spec.versions.first(where: { $0.name == version }) else { return nil }
        self.init(v.schema)
    }

    // MARK: Validation

    /// Every schema violation in `object`, with kube-apiserver's paths and messages: OpenAPI
    /// keywords (kube-openapi's validator), then x-kubernetes-embedded-resource TypeMeta and
    /// ObjectMeta, then x-kubernetes-list-type `set`/`map` uniqueness. Empty when valid.
    ///
    /// Messages read like `spec.replicas: Invalid value: "string": spec.replicas in body must be
    /// of type integer: "string"` or `spec.size: Unsupported value: "huge": supported values:
    /// "small", "large"`; anyOf/oneOf/allOf/not failures have an empty field, as upstream.
    public func validate(_ object: JSONValue) -> FieldErrorList {
        var validation = SchemaValidation()
        var errors = validation.validate(root, object).issues.map(\.fieldError)
        if root.hasEmbeddedResources { errors += SchemaEmbeddedResourceCheck.validate(.root, object, root) }
        if root.hasListTypes, case .object(let o) = object { errors += SchemaListTypeCheck.validate(.root, root, o) }
        return errors
    }

    /// Whether `object` has no schema violation.
    public func isValid(_ object: JSONValue) -> Bool { validate(object).isEmpty }

    // MARK: Pruning and defaulting

    /// `object` without the fields the schema does not specify. Unknown fields survive below
    /// `x-kubernetes-preserve-unknown-fields: true`; `apiVersion`, `kind` and `metadata` survive
    /// at the root and in `x-kubernetes-embedded-resource` objects.
    public func prune(_ object: JSONValue) -> JSONValue {
        var pruner = SchemaPruner(tracking: false)
        var copy = object
        pruner.prune(&copy, root, embedded: true)
        return copy
    }

    /// ``prune(_:)``, also returning the dotted paths of the removed fields (sorted bytewise), as
    /// kube-apiserver reports them for `fieldValidation=Warn|Strict`: `spec.foo`, `spec.list[0].bar`.
    public func pruneReportingUnknownFields(_ object: JSONValue) -> (object: JSONValue, unknownFields: [String]) {
        var pruner = SchemaPruner(tracking: true)
        var copy = object
        pruner.prune(&copy, root, embedded: true)
        let paths = pruner.unknownFields.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (copy, paths)
    }

    /// `object` without `null` values whose schema is neither `nullable` nor has a `default`
    /// (those with a default are left for ``applyDefaults(_:)``).
    public func pruneNonNullableNulls(_ object: JSONValue) -> JSONValue {
        var copy = object
        SchemaPruner.pruneNonNullableNulls(&copy, root)
        return copy
    }

    /// `object` with schema defaults applied: to absent properties, to non-nullable `null`
    /// properties, array items and additionalProperties values, recursively (defaults inside
    /// defaulted values apply too).
    public func applyDefaults(_ object: JSONValue) -> JSONValue {
        var copy = object
        SchemaDefaulter.apply(&copy, root)
        return copy
    }

    /// What kube-apiserver does to a decoded custom resource before admission and validation:
    /// ``prune(_:)``, ``pruneNonNullableNulls(_:)``, then ``applyDefaults(_:)``.
    public func normalize(_ object: JSONValue) -> JSONValue {
        var copy = object
        var pruner = SchemaPruner(tracking: false)
        pruner.prune(&copy, root, embedded: true)
        SchemaPruner.pruneNonNullableNulls(&copy, root)
        SchemaDefaulter.apply(&copy, root)
        return copy
    }
}
